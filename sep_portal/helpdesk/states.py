"""The ticket lifecycle of DESIGN §5 as an explicit table: new → assigned → in progress → waiting on
the requester → resolved → closed, reopened by the requester within the reopen window.
Operations change a ticket's status only through ``ticket_machine.transition``; pages offer the
actions ``ticket_machine.actions_from`` the ticket's status."""
from __future__ import annotations

from sep_portal.core.permissions import HELPDESK
from sep_portal.core.states import StateMachine, Transition
from sep_portal.helpdesk.models import STATUSES

H = frozenset({HELPDESK})
INITIAL = "new"  # every ticket opens here, by the form, the public form or the API

# Roles empty: the requester's own action (signed in, or holding the public ticket's link), or
# the sweep.
ticket_machine = StateMachine("ticket", STATUSES, [
    # Giving the ticket to an agent (or to another one) keeps an open ticket where it is, except
    # that a new ticket is now someone's.
    Transition("new", "assign", "assigned", H),
    Transition("assigned", "assign", "assigned", H),
    Transition("in_progress", "assign", "in_progress", H),
    Transition("waiting", "assign", "waiting", H),
    # The first public reply of an agent starts the work.
    Transition("new", "start", "in_progress", H),
    Transition("assigned", "start", "in_progress", H),
    # Waiting on the requester stops the SLA clock until they answer.
    Transition("new", "wait", "waiting", H),
    Transition("assigned", "wait", "waiting", H),
    Transition("in_progress", "wait", "waiting", H),
    Transition("waiting", "requester_replied", "in_progress"),
    Transition("new", "resolve", "resolved", H),
    Transition("assigned", "resolve", "resolved", H),
    Transition("in_progress", "resolve", "resolved", H),
    Transition("waiting", "resolve", "resolved", H),
    Transition("resolved", "reopen", "in_progress"),
    Transition("resolved", "close", "closed"),  # the sweep, once the reopen window has passed
])
