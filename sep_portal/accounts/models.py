from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.core.db import Base, TenantScoped, TimestampMixin
from sep_portal.core.identity import email_key
from sep_portal.core.permissions import ASN, ROLES
from sep_portal.tenants.models import Body

ACCOUNT_STATUSES = ("pending", "active", "disabled", "deactivated", "permanently_deactivated")


class User(TimestampMixin, TenantScoped, Base):
    __tablename__ = "users"
    __table_args__ = (
        # A tenant's account list: keyset pagination by (name, id), optionally per status.
        Index("ix_users_body_name", "body_id", "name", "id"),
        Index("ix_users_body_status_name", "body_id", "status", "name", "id"),
        CheckConstraint(f"status IN {ACCOUNT_STATUSES!r}", name="status"),
        CheckConstraint("status <> 'active' OR email_verified_at IS NOT NULL", name="active_is_verified"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    position: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(200))  # unit kerja within the body
    organisation: Mapped[str | None] = mapped_column(String(300))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))  # type: ignore[assignment]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="pending")
    email_verified_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None]
    # Time-step of the last accepted TOTP code: a code is accepted only for a later step,
    # so a code already used can never be used again.
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)
    locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    body: Mapped[Body | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Set by the session loader: the UserSession this request is authenticated by.
    current_session = None

    @property
    def asn_type_label(self) -> str | None:
        """"PNS" or "PPPK", read from the number itself (digits 13-14 of a NIP or NI PPPK)."""
        from sep_portal.core.nip import ASN_TYPE_LABELS, asn_type

        kind = asn_type(self.nip)
        return str(ASN_TYPE_LABELS[kind]) if kind else None

    # Flask-Login protocol. get_id is the *session* token (Flask-Login's "alternative token"
    # pattern): ending the session row ends the sign-in, whatever cookie is replayed.
    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def may_sign_in(self) -> bool:
        """Active, and not in a suspended tenant."""
        return self.status == "active" and not (self.body is not None and self.body.tenant_status == "suspended")

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        token = getattr(self, "_session_token", None)
        return token

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def add_role(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role}")
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    def remove_role(self, role: str) -> None:
        self.role_rows = [r for r in self.role_rows if r.role != role]

    def totp_required(self, asn_required: bool) -> bool:
        """TOTP is required for every role except ASN (for ASN when the operator says so)."""
        roles = self.roles
        if not roles:
            return True
        if roles == {ASN}:
            return asn_required
        return True

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enrolled_at is not None and self.totp_secret is not None

    # Per-object permission questions (views ask, operations re-check).
    def can_view(self, user: User) -> bool:
        from sep_portal.core.permissions import SUPERADMIN

        return user.id == self.id or user.has_role(SUPERADMIN)

    @classmethod
    def lock(cls, session, user_id: int) -> User:  # type: ignore[no-untyped-def]
        """The account, fresh and row-locked (PostgreSQL): status changes by different people
        (admin, pejabat, sweep) happen one after the other, each seeing the last one's result."""
        from sep_portal.core.db import lock_row

        user = lock_row(session, cls, user_id)
        assert user is not None
        return user

    @classmethod
    def emails_with_role(cls, session, *roles: str) -> list[str]:  # type: ignore[no-untyped-def]
        """The addresses of the active accounts holding any of ``roles``, sorted."""
        return list(session.scalars(
            select(cls.email).join(UserRole, UserRole.user_id == cls.id)
            .where(UserRole.role.in_(roles), cls.status == "active").distinct().order_by(cls.email)))

    @classmethod
    def active_with_role(cls, session, *roles: str) -> list[User]:  # type: ignore[no-untyped-def]
        """The active accounts holding any of ``roles``, by name."""
        return list(session.scalars(
            select(cls).join(UserRole, UserRole.user_id == cls.id)
            .where(UserRole.role.in_(roles), cls.status == "active").distinct().order_by(cls.name, cls.id)))

    @staticmethod
    def nip_taken_for(status: str | None) -> str | None:
        """Why a NIP held by an account with ``status`` cannot be given to a new account
        (creation, import), or None if no account holds it. A permanently deactivated account
        keeps its NIP for ever: it can never come back."""
        from flask_babel import gettext as _

        if status is None:
            return None
        if status == "permanently_deactivated":
            return _("This NIP belongs to an account that was deactivated permanently; it can never be registered "
                     "again.")
        return _("This NIP already has an account on the portal.")

    @classmethod
    def nip_taken_message(cls, session, nip: str) -> str | None:  # type: ignore[no-untyped-def]
        return cls.nip_taken_for(session.scalar(select(cls.status).where(cls.nip == nip)))

    @classmethod
    def by_email(cls, session, email: str) -> User | None:  # type: ignore[no-untyped-def]
        return session.scalar(select(cls).where(cls.email == email_key(email)))

    def __repr__(self) -> str:  # never the e-mail or NIP: reprs end up in logs
        return f"<User {self.id}>"


# The operator's account search (admin.queries.find_accounts): a name prefix, case folded, found
# and ordered by one range of this index on PostgreSQL (collation "C": LIKE 'abc%' becomes a range
# whatever the database's collation; SQLite, for tests and the demo, has no use for it and cannot
# reflect it), and the list in name order (a name found anywhere in it walks this index and stops
# at a page).
Index("ix_users_name_prefix", func.lower(User.name).collate("C"), User.id).ddl_if(dialect="postgresql")
Index("ix_users_name", User.name, User.id)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")
