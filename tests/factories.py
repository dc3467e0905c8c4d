"""Factories for every kind of thing the tests make: users, bodies, tenants, applications, services,
tickets, misuse cases and warnings, help articles, SOPs and bimtek sessions. Workflow objects are
taken to the state asked for through the real operations, never by setting a status."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
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


def import_nip(i: int) -> str:
    """NIPs of another range than the factories' (born 1985 onwards, appointed March 2010, women):
    for rows of an import file, which must not meet an account the factories made."""
    return f"{date(1985, 1, 1) + timedelta(days=i % 3000):%Y%m%d}2010032{i % 999 + 1:03d}"


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

    def tenant_status_change(self, body: Body, *, action: str = "suspend", reason: str = "Uji",
                             confirmer: User | None = None) -> Any:
        """A suspension (or reactivation) of ``body`` proposed by one pejabat and, when
        ``confirmer`` is given, confirmed by that other official: the four-eyes path."""
        from sep_portal.tenants import operations as tenant_ops

        proposer = self.user(roles=("pejabat",))
        with self.app.test_request_context():
            session = self.session
            change = tenant_ops.propose_tenant_change(session, session.get(User, proposer.id),
                                                      session.get(Body, body.id), action=action, reason=reason,
                                                      now=clock.now())
            if confirmer is not None:
                tenant_ops.decide_tenant_change(session, session.get(User, confirmer.id), session.get(Body, body.id),
                                                change.id, confirm=True, note="", now=clock.now())
            session.commit()
        return change

    def sekretaris_handover(self, body: Body, *, requester: User | None = None, decision: str | None = None,
                            verifier: User | None = None, reason: str = "SK tidak sesuai.") -> Any:
        """A request of a Sekretaris without a body to become the Sekretaris of ``body``, made by the
        real operation and, with ``decision`` ("confirm" or "refuse"), decided by ``verifier``."""
        from sep_portal.tenants import operations as tenant_ops
        from sep_portal.tenants.models import SekretarisHandover

        requester = requester or self.user(roles=("sekretaris",))
        if decision is not None:
            verifier = verifier or self.user(roles=("verifikator",))

        def work(s: Session) -> Any:
            handover = tenant_ops.request_sekretaris_handover(
                s, s.get(User, requester.id), body_id=body.id, position="Sekretaris Daerah",
                upload=upload(pdf_bytes("SK Pengangkatan"), "sk.pdf"), now=clock.now())
            if decision is not None:
                tenant_ops.decide_sekretaris_handover(s, s.get(User, verifier.id), handover.id,
                                                      confirm=decision == "confirm", reason=reason, now=clock.now())
            return s.get(SekretarisHandover, handover.id)

        return self._run(work)

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
        if STAGES.index(stage) >= 2:  # made before the context's session starts writing: on a
            verifier = verifier or self.user(roles=("verifikator",))  # live SQLite file it would lock
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
                verifier = s.get(User, verifier.id)
                ops.declare_complete(s, application, verifier, now=now)
            if STAGES.index(stage) >= 3:
                ops.recommend(s, application, verifier, recommendation=recommendation,
                              grounds=["a"] if recommendation == "reject" else [], note="Dokumen sesuai.", now=now)
            s.commit()
            application_id = application.id
        application = self.session.get(Application, application_id)
        self.session.commit()
        return application

    # -- the other workflows, each taken through its real operations -----------------------------

    def _run(self, work: Any) -> Any:
        """``work(session)`` in a request context of its own, committed; the result reloaded into
        the factories' session."""
        from sep_portal.extensions import db

        with self.app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            result = work(db.session)
            db.session.commit()
            key = (type(result), result.id)
        self.session.commit()  # ends a read begun before: on a live database it would not see the row
        self.session.expire_all()
        return self.session.get(*key)

    def service(self, *, code: str | None = None, name: str | None = None) -> Any:
        """A service of the helpdesk catalogue (with the general SLA targets)."""
        from sep_portal.helpdesk.models import HelpdeskService

        n = next(_seq)
        service = HelpdeskService(code=code or f"layanan-{n}", name=name or f"Layanan Uji {n}",
                                  description="Layanan untuk pengujian.", active=True)
        self.session.add(service)
        self.session.commit()
        return service

    def ticket(self, *, status: str = "new", requester: User | None = None, agent: User | None = None,
               service: Any = None, subject: str | None = None, files: tuple[Any, ...] = ()) -> Any:
        """A ticket taken to ``status`` (new, assigned, in_progress, waiting, resolved) by ``agent``."""
        from sep_portal.helpdesk import operations as ops
        from sep_portal.helpdesk.models import HelpdeskService

        requester = requester or self.user()
        agent = agent or (self.user(roles=("helpdesk",)) if status != "new" else None)

        def work(s: Session) -> Any:
            now = clock.now()
            service_id = service.id if service is not None else s.scalars(
                select_active(HelpdeskService)).first().id
            ticket = ops.open_ticket(s, s.get(User, requester.id), type_="incident", service_id=service_id,
                                     subject=subject or "Surat masuk tidak terbuka",
                                     description="Muncul pesan galat saat membuka surat masuk.",
                                     files=list(files), now=now)
            if status == "assigned":
                ops.assign(s, ticket.id, s.get(User, agent.id), agent.id, now=now)
            elif status != "new":
                then = {"waiting": "wait", "resolved": "resolve"}.get(status)
                ops.reply(s, ticket.id, s.get(User, agent.id), "Sedang kami periksa.", public=True, then=then,
                          now=now)
            return ticket

        return self._run(work)

    def case(self, *, status: str = "open", target: User | None = None, reporter: User | None = None,
             verifier: User | None = None, pejabat: User | None = None, category: str = "penipuan") -> Any:
        """A misuse case taken to ``status`` (open, substantiated, warned, replied); its warning letter,
        if any, is ``case.warnings[-1]``."""
        from sep_portal.abuse import operations as ops
        from sep_portal.abuse.models import AbuseCase, AbuseCategory

        target = target or self.user(body=self.body())
        reporter = reporter or self.user(body=target.body_id and self.session.get(Body, target.body_id))
        steps = ("open", "substantiated", "warned", "replied")
        if steps.index(status) >= 1:
            verifier = verifier or self.user(roles=("verifikator",))
        if steps.index(status) >= 2:
            pejabat = pejabat or self.user(roles=("pejabat",))

        def work(s: Session) -> Any:
            now = clock.now()
            from sqlalchemy import select

            report = ops.report_account(
                s, s.get(User, reporter.id), target=target.email, files=[], now=now,
                category_id=s.scalar(select(AbuseCategory.id).where(AbuseCategory.code == category)),
                description="Meminta transfer uang atas nama pimpinan.")
            if steps.index(status) >= 1:
                ops.substantiate_case(s, report.case_id, s.get(User, verifier.id),
                                      material="Pesan penipuan 12 Nov 2026.", now=now)
            if steps.index(status) >= 2:
                warning = ops.issue_warning(s, report.case_id, s.get(User, pejabat.id), now=now)
            if status == "replied":
                ops.reply_to_warning(s, warning.id, s.get(User, target.id), files=[], now=now,
                                     text="Akun saya diretas; sandi sudah saya ganti.")
            return s.get(AbuseCase, report.case_id)

        return self._run(work)

    def article(self, *, title: str | None = None, body: str = "Isi artikel bantuan.", published: bool = True,
                editor: User | None = None, category_id: int | None = None) -> Any:
        from sep_portal.knowledge import operations as ops

        editor = editor or self.user(roles=("helpdesk",))
        title = title or f"Artikel Uji {next(_seq)}"
        return self._run(lambda s: ops.create_article(
            s, s.get(User, editor.id), {"title": title, "body": body, "language": "id", "category_id": category_id},
            now=clock.now(), publish=published))

    def sop(self, *, code: str | None = None, title: str = "SOP Permohonan Tenant", versions: int = 1,
            editor: User | None = None) -> Any:
        """An SOP document with ``versions`` published PDF versions."""
        from sep_portal.knowledge import operations as ops

        editor = editor or self.user(roles=("helpdesk",))
        code = code or f"sop-uji-{next(_seq)}"

        def work(s: Session) -> Any:
            actor = s.get(User, editor.id)
            document = ops.create_sop(s, actor, code=code, title=title, now=clock.now())
            for n in range(versions):
                ops.publish_sop_version(s, actor, document.id, upload(pdf_bytes(f"SOP v{n + 1}"), "sop.pdf"),
                                        change_note=f"Versi {n + 1}.", now=clock.now())
            return document

        return self._run(work)

    def bimtek_session(self, *, starts_at: Any = None, hours: int = 3, capacity: int = 20, mode: str = "in_person",
                       agent: User | None = None, topic: str = "Penggunaan Disposisi Elektronik SEP") -> Any:
        """A scheduled bimtek session, by default two days from now."""
        from sep_portal.bimtek import operations as ops

        agent = agent or self.user(roles=("helpdesk",))
        starts_at = starts_at or (clock.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0,
                                                                           microsecond=0)
        details = ops.SessionDetails(
            topic=topic, description="Membuat, meneruskan dan memantau disposisi.", starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours), mode=mode,
            place="Ruang Rapat Lt. 3, Gedung Kominfo, Jakarta" if mode == "in_person" else None,
            online_url="https://zoom.us/j/123456789" if mode == "online" else None, capacity=capacity)
        return self._run(lambda s: ops.create_session(s, s.get(User, agent.id), details, now=clock.now()))


def select_active(model: Any) -> Any:
    from sqlalchemy import select

    return select(model).where(model.active.is_(True)).order_by(model.id)


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


def page_text(response: Any) -> str:
    """A response's HTML with its CSRF tokens masked: a token carries the second it was signed,
    so two answers compared whole differ by it when a second boundary falls between them."""
    import re

    return re.sub(r'(name="csrf_token" value=")[^"]*', r"\1…", response.get_data(as_text=True))


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


