"""Roles and authorisation helpers. Every decision is made on the server, per object."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sep_portal.core.errors import NotPermitted

SEKRETARIS = "sekretaris"
ADMIN_PENGELOLA = "admin_pengelola"
ASN = "asn"
VERIFIKATOR = "verifikator"
PEJABAT = "pejabat"
HELPDESK = "helpdesk"
SUPERADMIN = "superadmin"

ROLES: tuple[str, ...] = (SEKRETARIS, ADMIN_PENGELOLA, ASN, VERIFIKATOR, PEJABAT, HELPDESK, SUPERADMIN)
DITJEN_ROLES = frozenset({VERIFIKATOR, PEJABAT, HELPDESK, SUPERADMIN})
TENANT_ROLES = frozenset({SEKRETARIS, ADMIN_PENGELOLA, ASN})

# What a person reads for each role: pages show these, never the code (template filter ``role_label``).
ROLE_LABELS = {
    SEKRETARIS: _l("Sekretaris of a government body"), ADMIN_PENGELOLA: _l("Admin Pengelola"),
    ASN: _l("Civil servant (ASN)"), VERIFIKATOR: _l("Verifier"), PEJABAT: _l("Deciding official"),
    HELPDESK: _l("Helpdesk"), SUPERADMIN: _l("Platform operator"),
}


def role_label(code: str | None) -> str:
    """The role in words (an unknown code is shown as it is rather than failing the page)."""
    return str(ROLE_LABELS.get(code or "", code or ""))

F = TypeVar("F", bound=Callable[..., Any])


def require_role(*roles: str) -> Callable[[F], F]:
    """View decorator: the signed-in user must hold at least one of ``roles`` (403 otherwise).
    Anonymous users are sent to sign in."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from sep_portal.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def current_actor() -> Any:
    """The signed-in person as the model object operations take (not the request-bound proxy)."""
    return current_user._get_current_object()


def can(user: Any, action: str, obj: Any) -> bool:
    """Ask ``obj.can_<action>(user)``: permission questions live on the model."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    method = getattr(obj, f"can_{action}", None)
    if method is None:
        raise AttributeError(f"{type(obj).__name__} has no can_{action}")
    return bool(method(user))


def ensure_can(user: Any, action: str, obj: Any) -> None:
    """Raise NotPermitted unless ``can(user, action, obj)``. Operations re-check with this."""
    if not can(user, action, obj):
        raise NotPermitted(f"{action} on {type(obj).__name__}")
