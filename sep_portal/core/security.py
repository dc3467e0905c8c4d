"""Passwords (Argon2id), random tokens and their hashes, and the claim of an e-mailed link."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# A hash of a random password, verified when the account does not exist, so that unknown
# e-mails cost the same time as known ones.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["SEP_ARGON2_TIME_COST"], cfg["SEP_ARGON2_MEMORY_COST"], cfg["SEP_ARGON2_PARALLELISM"])
    cache = current_app.extensions.setdefault("sep_argon2", {})
    if key not in cache:
        cache[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return cache[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher().verify(dummy_hash(), _DUMMY_PASSWORD)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    cache = current_app.extensions.setdefault("sep_argon2_dummy", {})
    if "hash" not in cache:
        cache["hash"] = _hasher().hash(_DUMMY_PASSWORD)
    return cache["hash"]


def burn_time() -> None:
    """Spend the time of one password check (for unknown accounts)."""
    verify_password(None, "")


def new_token(nbytes: int = 32) -> tuple[str, str]:
    """A random URL-safe token and its SHA-256 (only the hash is ever stored)."""
    token = secrets.token_urlsafe(nbytes)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def claim_emailed_link(session: Any, model: Any, hash_column: str, used_column: str, token: str, now: datetime,
                       *, expired_message: str) -> Any:
    """The row whose e-mailed confirmation link carries ``token``, claimed once: unknown or used
    links, and links older than SEP_EMAIL_VERIFY_HOURS, are refused with a message, and of two
    clicks at once only one wins (the used column is set by a conditional UPDATE)."""
    from flask_babel import gettext as _
    from sqlalchemy import select

    from sep_portal.core.db import stamp_once
    from sep_portal.core.errors import DomainError

    invalid = _("This link is not valid or has already been used.")
    row = session.scalar(select(model).where(getattr(model, hash_column) == hash_token(token or "")))
    if row is None or getattr(row, used_column) is not None:
        raise DomainError(None, invalid)
    if row.created_at + timedelta(hours=current_app.config["SEP_EMAIL_VERIFY_HOURS"]) < now:
        raise DomainError(None, expired_message)
    if not stamp_once(session, model, row.id, used_column, now):
        raise DomainError(None, invalid)
    session.refresh(row)
    return row


def hash_identifier(value: str) -> str:
    """Keyed hash of an identifier (e-mail), for rows that must not store the identifier itself."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, value.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


# -- short-lived secrets kept between two requests ----------------------------------------------

def _fernet(purpose: str) -> Any:
    """A Fernet key of its own for each ``purpose``, derived from SECRET_KEY with HKDF: a token
    sealed for one purpose never opens for another, and SECRET_KEY itself is never the key."""
    from base64 import urlsafe_b64encode

    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = current_app.config["SECRET_KEY"]
    cache = current_app.extensions.setdefault("sep_fernet", {})
    if (secret, purpose) not in cache:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=f"sep-portal:{purpose}".encode()).derive(secret.encode("utf-8"))
        cache[(secret, purpose)] = Fernet(urlsafe_b64encode(key))
    return cache[(secret, purpose)]


def seal(purpose: str, data: dict[str, Any], now: datetime) -> str:
    """``data`` as JSON, encrypted and authenticated (Fernet) for ``purpose``, stamped with ``now``."""
    import json

    return _fernet(purpose).encrypt_at_time(json.dumps(data).encode("utf-8"), int(now.timestamp())).decode("ascii")


def unseal(purpose: str, token: str, *, max_age: timedelta, now: datetime) -> dict[str, Any] | None:
    """What ``seal`` sealed for ``purpose`` at most ``max_age`` before ``now``; None for a token that
    is older, forged, altered, or sealed for another purpose or under another SECRET_KEY."""
    import json

    from cryptography.fernet import InvalidToken

    try:
        raw = _fernet(purpose).decrypt_at_time(token.encode("ascii"), int(max_age.total_seconds()),
                                               int(now.timestamp()))
    except (InvalidToken, UnicodeEncodeError, TypeError):
        return None
    data = json.loads(raw)
    return data if isinstance(data, dict) else None
