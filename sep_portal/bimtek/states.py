"""The bimtek lifecycles of DESIGN §5 as explicit tables: the session and a person's registration.
Operations change a status only through ``machine.transition``."""
from __future__ import annotations

from sep_portal.bimtek.models import REGISTRATION_STATUSES, SESSION_STATUSES
from sep_portal.core.permissions import HELPDESK, SUPERADMIN
from sep_portal.core.states import StateMachine, Transition

M = frozenset({HELPDESK, SUPERADMIN})

session_machine = StateMachine("bimtek_session", SESSION_STATUSES, [
    Transition("scheduled", "update", "scheduled", M),  # only before it starts (BimtekSession.can_edit)
    Transition("scheduled", "cancel", "cancelled", M),
    Transition("scheduled", "record_attendance", "held", M),  # once it has started
    Transition("held", "record_attendance", "held", M),  # a correction of the attendance
])

# A person without a registration row stands where one who cancelled stands: both may take a seat
# or join the waiting list. Roles empty: the person's own action, or the system's (the waiting list
# moving up when a seat frees).
NOT_REGISTERED = "cancelled"

registration_machine = StateMachine("bimtek_registration", REGISTRATION_STATUSES, [
    Transition("cancelled", "take_seat", "registered"),
    Transition("cancelled", "join_waitlist", "waitlisted"),
    Transition("registered", "cancel", "cancelled"),
    Transition("waitlisted", "cancel", "cancelled"),
    Transition("waitlisted", "promote", "registered"),
    Transition("registered", "session_cancelled", "cancelled", M),
    Transition("waitlisted", "session_cancelled", "cancelled", M),
    Transition("waitlisted", "close_waitlist", "cancelled", M),  # attendance recorded: no seat will free now
    Transition("registered", "mark_attended", "attended", M),
    Transition("registered", "mark_absent", "absent", M),
    Transition("absent", "mark_attended", "attended", M),  # corrections
    Transition("attended", "mark_absent", "absent", M),
])
