"""Errors raised by operations and mapped by views onto forms and responses."""
from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. ``message`` is already translated for the user;
    ``field`` names the form field it belongs to (None for a form-wide error)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotPermitted(Exception):
    """The actor may not do this to this object (HTTP 403)."""


class ConflictError(DomainError):
    """Someone else changed the object first (HTTP 409 in views)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)
