"""The application lifecycle of DESIGN §3 as an explicit table."""
from __future__ import annotations

from sep_portal.applications.models import STATUSES
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, VERIFIKATOR
from sep_portal.core.states import StateMachine, Transition

S, V, P = frozenset({SEKRETARIS}), frozenset({VERIFIKATOR}), frozenset({PEJABAT})

machine = StateMachine("application", STATUSES, [
    Transition("draft", "submit", "submitted", S),
    Transition("returned", "resubmit", "submitted", S),
    Transition("submitted", "return", "returned", V),
    Transition("submitted", "declare_complete", "complete", V),
    Transition("complete", "recommend", "complete", V),
    # A file that plainly fails ground (a) or (b) is rejected without being declared complete:
    # the verifier proposes (a recommendation to reject), the pejabat decides.
    Transition("submitted", "recommend", "submitted", V),
    Transition("submitted", "reject", "rejected", P),
    # The completion deadline after a return passed (the sweep).
    Transition("returned", "lapse", "lapsed"),
    Transition("complete", "approve", "approved", P),
    Transition("complete", "reject", "rejected", P),
    Transition("draft", "withdraw", "withdrawn", S),
    Transition("submitted", "withdraw", "withdrawn", S),
    Transition("returned", "withdraw", "withdrawn", S),
    Transition("complete", "withdraw", "withdrawn", S),
])
