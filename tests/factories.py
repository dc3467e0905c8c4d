"""Factories for users, bodies and (later) applications."""
from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pyotp
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.security import hash_password
from sep_portal.tenants.models import Body

PASSWORD = "Sangat-Rahasia-2026"
_seq = itertools.count(1)


def make_nip(n: int, sex: int = 1) -> str:
    """A valid NIP: born 1 Jan 1990 + n days, appointed March 2015, serial n."""
    born = (clock.now().replace(year=1990, month=1, day=1) + timedelta(days=n % 3000)).date()
    return f"{born:%Y%m%d}201503{sex}{n % 1000 or 1:03d}"


def totp_code(user: User, at: Any = None) -> str:
    return pyotp.TOTP(user.totp_secret).at(at or clock.now())


class Factories:
    def __init__(self, app: Any, session: Session) -> None:
        self.app = app
        self.session = session

    def body(self, *, name: str | None = None, kind: str = "kabupaten", code: str | None = None,
             tenant_status: str = "active") -> Body:
        n = next(_seq)
        body = Body(name=name or f"Pemerintah Kabupaten Uji {n}", kind=kind, code=code or f"T-{n:05d}",
                    tenant_status=tenant_status)
        self.session.add(body)
        self.session.commit()
        return body

    def user(self, *, roles: tuple[str, ...] = ("asn",), email: str | None = None, password: str = PASSWORD,
             status: str = "active", totp: bool | None = None, body: Body | None = None, nip: str | None = None,
             name: str | None = None, locale: str | None = None, unit: str | None = None) -> User:
        """An account. ``totp`` defaults to enrolled for every role but ASN."""
        n = next(_seq)
        now = clock.now()
        with self.app.app_context():
            password_hash = hash_password(password)
        user = User(email=email or f"user{n}@uji.go.id", name=name or f"Pengguna Uji {n}",
                    nip=nip if nip is not None else make_nip(n), status=status,
                    email_verified_at=None if status == "pending" else now,
                    password_hash=password_hash, password_changed_at=now, body_id=body.id if body else None,
                    locale=locale, unit=unit)
        for role in roles:
            user.add_role(role)
        if totp if totp is not None else set(roles) != {"asn"}:
            user.totp_secret = pyotp.random_base32()
            user.totp_enrolled_at = now
        self.session.add(user)
        self.session.commit()
        return user

    def tenant(self, *, name: str | None = None) -> tuple[Body, User]:
        """An active tenant with its Admin Pengelola (open assignment)."""
        from sep_portal.tenants.models import AdminAssignment

        body = self.body(name=name, tenant_status="active")
        admin = self.user(roles=("admin_pengelola",), body=body)
        self.session.add(AdminAssignment(body_id=body.id, user_id=admin.id, started_at=clock.now()))
        self.session.commit()
        return body, admin

    def application(self, *, stage: str = "recommended", applicant: User | None = None,
                     body: Body | None = None, admin_email: str | None = None, admin_nip: str | None = None,
                     verifier: User | None = None, recommendation: str = "approve", existing: Any = None) -> Any:
        """An application taken through the real operations up to ``stage`` (``existing``: carry on
        with a draft made elsewhere, e.g. a penggantian)."""
        from sep_portal.applications import operations as ops
        from sep_portal.applications.models import Application
        from sep_portal.extensions import db

        n = next(_seq)
        body = body or (existing.body if existing is not None else None) or self.body(tenant_status="none")
        applicant = applicant or self.user(roles=("sekretaris",), body=None)
        # The context's own session, as in a request: the calendar and the operations share it.
        with self.app.test_request_context("/"):
            s = db.session
            applicant = s.get(User, applicant.id)
            now = clock.now()
            application = (s.get(Application, existing.id) if existing is not None
                           else ops.create_application(s, applicant, now=now))
            ops.update_application(
                s, application, applicant, now=now, body_id=body.id, proposed_body_name=None, proposed_body_kind=None,
                admin_name=f"Admin Uji {n}", admin_nip=admin_nip or make_nip(500 + n),
                admin_email=admin_email or f"admin{n}@uji.go.id", admin_position="Pranata Komputer",
                identity_doc_type="kpns")
            ops.attach_document(s, application, applicant, "surat_kuasa", upload(pdf_bytes(), "kuasa.pdf"), now=now)
            ops.attach_document(s, application, applicant, "kpns", upload(png_bytes(), "kpns.png"), now=now)
            if STAGES.index(stage) >= 1:
                ops.submit_application(s, application, applicant, now=now)
            if STAGES.index(stage) >= 2:
                verifier = s.get(User, (verifier or self.user(roles=("verifikator",))).id)
                ops.declare_complete(s, application, verifier, now=now)
            if STAGES.index(stage) >= 3:
                ops.recommend(s, application, verifier, recommendation=recommendation,
                              grounds=["a"] if recommendation == "reject" else [], note="Dokumen sesuai.", now=now)
            s.commit()
            application_id = application.id
        application = self.session.get(Application, application_id)
        self.session.commit()
        return application


def sign_in(client: Any, user: User, password: str = PASSWORD, *, advance: bool = True) -> Any:
    """Both sign-in steps through the pages. Moves the clock one TOTP step first so the code has
    not been used before."""
    response = client.post("/masuk", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/masuk/kode"):
        if advance:
            clock.advance(timedelta(seconds=30))
        response = client.post("/masuk/kode", data={"code": totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


# -- e-mails -----------------------------------------------------------------------------------

def outbox_mails(session: Session, template: str) -> list[Any]:
    """The e-mails of ``template`` waiting in (or sent from) the outbox, oldest first."""
    from sqlalchemy import select

    from sep_portal.core.outbox import OutboxMessage

    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                .order_by(OutboxMessage.id)))


def emailed_path(session: Session, template: str, *, to: str | None = None) -> str:
    """The portal address the last e-mail of ``template`` links to, as its recipient opens it."""
    import re

    mails = outbox_mails(session, template)
    assert mails, f"no {template} e-mail"
    if to is not None:
        assert mails[-1].recipients == [to], mails[-1].recipients
    match = re.search(r"https?://[^/\s]+(/\S+)", mails[-1].body_text)
    assert match, f"no link in the {template} e-mail"
    return match.group(1)


# -- files and applications --------------------------------------------------------------------

def pdf_bytes(text: str = "Surat kuasa", pages: int = 1) -> bytes:
    """A real PDF (Pillow writes one page per image)."""
    import io

    from PIL import Image, ImageDraw

    images = []
    for n in range(pages):
        image = Image.new("RGB", (420, 594), "white")
        ImageDraw.Draw(image).text((40, 40), f"{text} - {n + 1}", fill="black")
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (200, 120), color: str = "navy") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, filename: str) -> Any:
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=filename)


STAGES = ("draft", "submitted", "complete", "recommended")


