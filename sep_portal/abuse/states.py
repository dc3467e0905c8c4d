"""The misuse lifecycles of DESIGN §4 as explicit tables: the case, its warning letter and the
reactivation request. Operations change a status only through ``machine.transition``."""
from __future__ import annotations

from sep_portal.abuse.models import CASE_STATUSES, REQUEST_STATUSES, WARNING_STATUSES
from sep_portal.core.permissions import PEJABAT, VERIFIKATOR
from sep_portal.core.states import StateMachine, Transition

V, P = frozenset({VERIFIKATOR}), frozenset({PEJABAT})

# Roles empty: the warned user's own reply, or the deadline sweep.
case_machine = StateMachine("abuse_case", CASE_STATUSES, [
    Transition("open", "substantiate", "substantiated", V),
    Transition("open", "dismiss", "dismissed", V),
    Transition("substantiated", "dismiss", "dismissed", V),
    Transition("substantiated", "warn", "warned", P),
    # Repeat misuse: the pejabat may deactivate permanently without a new warning.
    Transition("substantiated", "deactivate", "deactivated", P),
    Transition("warned", "reply", "replied"),
    Transition("warned", "expire", "deactivated"),  # no reply by the deadline: the sweep
    Transition("replied", "accept_reply", "closed", V),  # the reply accepted: closed, with a strike
    Transition("replied", "deactivate", "deactivated", P),  # after a rejected reply
])

warning_machine = StateMachine("warning_letter", WARNING_STATUSES, [
    Transition("issued", "reply", "replied"),
    Transition("issued", "expire", "expired"),
    Transition("replied", "accept", "accepted", V),
    Transition("replied", "reject", "rejected", V),
])

request_machine = StateMachine("reactivation_request", REQUEST_STATUSES, [
    Transition("pending", "approve", "approved", P),
    Transition("pending", "reject", "rejected", P),
])
