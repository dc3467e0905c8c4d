"""A small, explicit transition table: (state, action) -> new state, with the roles allowed."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class IllegalTransition(Exception):
    def __init__(self, machine: str, state: str, action: str) -> None:
        super().__init__(f"{machine}: action {action!r} is not allowed in state {state!r}")
        self.machine, self.state, self.action = machine, state, action


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str] = frozenset()  # empty: the system (sweep, owner's own action)


class StateMachine:
    def __init__(self, name: str, states: Iterable[str], transitions: Iterable[Transition]) -> None:
        self.name = name
        self.states = tuple(states)
        self._table: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            if t.source not in self.states or t.target not in self.states:
                raise ValueError(f"{name}: unknown state in {t}")
            if (t.source, t.action) in self._table:
                raise ValueError(f"{name}: duplicate transition {t.source}/{t.action}")
            self._table[(t.source, t.action)] = t

    def transition(self, state: str, action: str) -> Transition:
        """The transition for ``action`` from ``state``; raises IllegalTransition if none."""
        try:
            return self._table[(state, action)]
        except KeyError:
            raise IllegalTransition(self.name, state, action) from None

    def allowed(self, state: str, action: str, roles: Iterable[str] | None = None) -> bool:
        t = self._table.get((state, action))
        if t is None:
            return False
        return roles is None or not t.roles or bool(t.roles & set(roles))

    def actions_from(self, state: str) -> list[str]:
        return [a for (s, a) in self._table if s == state]
