"""The Sekretaris handover (issue 13 §4) as an explicit table: the requester withdraws, a verifier
confirms or refuses; each decided request stays as it is."""
from __future__ import annotations

from sep_portal.core.permissions import SEKRETARIS, VERIFIKATOR
from sep_portal.core.states import StateMachine, Transition
from sep_portal.tenants.models import HANDOVER_STATUSES

handover_machine = StateMachine("sekretaris_handover", HANDOVER_STATUSES, [
    Transition("pending", "confirm", "confirmed", frozenset({VERIFIKATOR})),
    Transition("pending", "refuse", "refused", frozenset({VERIFIKATOR})),
    Transition("pending", "withdraw", "withdrawn", frozenset({SEKRETARIS})),
])
