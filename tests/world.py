"""A portal with something in every state: the world the whole-portal crawl walks (and any test that
needs a lived-in portal).

Everything is made by the real operations (and the account import by its pages), over eleven
days: what needs time to pass (a held bimtek, a ticket closed by the sweep, a warning whose reply
never came) starts on Tuesday 24 November 2026, the rest happens on Friday 4 December 2026 at
10.00 WIB, which is ``World.now``. The people who sign in to the crawl are in ``World.people``,
keyed by the crawl's role names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.outbox import OutboxMessage
from tests.factories import Factories, emailed_path, pdf_bytes, png_bytes, sign_in, upload

WIB = clock.WIB
BEGIN = datetime(2026, 11, 24, 10, 0, tzinfo=WIB)  # Tuesday
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=WIB)  # Friday, eight working days later

# The crawl's roles: who signs in as each (None: nobody).
ROLES = ("anonymous", "sekretaris", "sekretaris_tanpa_badan", "admin_pengelola", "asn", "verifikator",
         "pejabat", "helpdesk", "superadmin")


@dataclass
class World:
    now: datetime
    people: dict[str, User | None]
    applications: dict[str, Any] = field(default_factory=dict)  # by status ("recommended" too)
    cases: dict[str, Any] = field(default_factory=dict)  # by status
    warnings: dict[str, Any] = field(default_factory=dict)  # by status
    reactivations: dict[str, Any] = field(default_factory=dict)  # by status
    handovers: dict[str, Any] = field(default_factory=dict)  # requests to become a body's Sekretaris, by status
    tickets: dict[str, Any] = field(default_factory=dict)  # by status, and "public"
    bimtek: dict[str, Any] = field(default_factory=dict)  # sessions by status
    registrations: dict[str, Any] = field(default_factory=dict)  # by status
    imports: dict[str, Any] = field(default_factory=dict)  # by status
    tokens: dict[str, str] = field(default_factory=dict)  # e-mailed links not yet used, by purpose
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)  # everything else a route names


def _token_from_mail(session: Any, template: str) -> str:
    """The secret of the last e-mailed link of ``template``, as the recipient reads it."""
    return emailed_path(session, template).rstrip("/").rsplit("/", 1)[1]


def build(app: Any, factories: Factories) -> World:
    """Make the world on the database ``factories`` commits to; the clock ends at ``NOW``."""
    from sep_portal.extensions import db

    clock.freeze(BEGIN)
    try:
        f = factories
        body, admin = f.tenant(name="Pemerintah Kabupaten Dunia Uji")
        people: dict[str, User | None] = {
            "anonymous": None,
            "sekretaris": f.user(roles=("sekretaris",), body=body, name="Sekretaris Dunia", email="sekda@dunia.go.id"),
            "sekretaris_tanpa_badan": f.user(roles=("sekretaris",), name="Sekretaris Pemohon",
                                             email="pemohon@baru.go.id"),
            "admin_pengelola": admin,
            "asn": f.user(body=body, name="Aparatur Dunia", email="asn@dunia.go.id", unit="Bagian Umum"),
            "verifikator": f.user(roles=("verifikator",), name="Verifikator Dunia", email="verif@kominfo.go.id"),
            "pejabat": f.user(roles=("pejabat",), name="Pejabat Dunia", email="pejabat@kominfo.go.id"),
            "helpdesk": f.user(roles=("helpdesk",), name="Agen Dunia", email="agen@kominfo.go.id"),
            "superadmin": f.user(roles=("superadmin",), name="Operator Dunia", email="operator@kominfo.go.id"),
        }
        world = World(now=NOW, people=people)
        world.objects.body = body
        world.objects.reporter = f.user(body=body, name="Pelapor Dunia", email="pelapor@dunia.go.id")
        targets = {status: f.user(body=body, name=f"Terlapor {status}", email=f"terlapor.{status}@dunia.go.id")
                   for status in ("open", "dismissed", "substantiated", "replied", "closed", "deactivated",
                                  "expired", "reactivation_approved", "reactivation_rejected")}
        world.objects.absent = f.user(body=body, name="Peserta Absen", email="absen@dunia.go.id")
        world.objects.waitlisted = f.user(body=body, name="Peserta Tunggu", email="tunggu@dunia.go.id")

        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            s = db.session
            me = {key: (s.get(User, user.id) if user else None) for key, user in people.items()}
            t = {key: s.get(User, user.id) for key, user in targets.items()}
            _time_passing(s, world, me, t)
        clock.freeze(NOW)
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            s = db.session
            me = {key: (s.get(User, user.id) if user else None) for key, user in people.items()}
            t = {key: s.get(User, user.id) for key, user in targets.items()}
            _misuse(s, world, me, t)
            _helpdesk(s, world, me)
            _knowledge(s, world, me)
            _bimtek_later(s, world, me)
            _tokens(s, world, me)
            _api(s, world, me)
            _operator_console(s, world, me, f)
        _applications(f, world)
        _imports(app, world)
        _tenancy(f, world)
        _handovers(f, world)
        return world
    finally:
        clock.freeze(NOW)


def _reload(s: Any, objects: dict[str, Any]) -> None:
    """The objects as they are now in the database (those of an earlier phase included)."""
    for key, obj in objects.items():
        objects[key] = s.get(type(obj), obj.id, populate_existing=True)


# -- what needs time to pass ------------------------------------------------------------------------

def _report(s: Any, world: World, target: User, **extra: Any) -> Any:
    from sep_portal.abuse import operations as ops
    from sep_portal.abuse.models import AbuseCase, AbuseCategory

    category = s.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "penipuan"))
    # The crawl's ASN reports the others (and follows them at /lapor/saya); someone else reports the ASN.
    asn = world.people["asn"]
    reporter = world.objects.reporter if target.id == asn.id else asn
    report = ops.report_account(s, s.get(User, reporter.id), target=target.email,
                                category_id=category, description="Meminta transfer uang atas nama pimpinan.",
                                now=clock.now(), **({"files": []} | extra))
    s.commit()
    return s.get(AbuseCase, report.case_id)


def _warned(s: Any, world: World, me: dict[str, Any], target: User) -> Any:
    from sep_portal.abuse import operations as ops

    case = _report(s, world, target)
    ops.substantiate_case(s, case.id, me["verifikator"], material="Pesan penipuan 12 Nov 2026.", now=clock.now())
    warning = ops.issue_warning(s, case.id, me["pejabat"], now=clock.now())
    s.commit()
    return case, warning


def _time_passing(s: Any, world: World, me: dict[str, Any], t: dict[str, User]) -> None:
    from sep_portal.abuse import operations as abuse_ops
    from sep_portal.bimtek import operations as bimtek_ops
    from sep_portal.helpdesk import operations as helpdesk_ops
    from sep_portal.helpdesk.models import HelpdeskService

    # A warning nobody answers: the sweep deactivates the account after the deadline.
    world.cases["expired"], world.warnings["expired"] = _warned(s, world, me, t["expired"])
    # A ticket resolved now and closed by the sweep once the reopening time is over.
    service = s.scalars(select(HelpdeskService).where(HelpdeskService.active.is_(True))
                        .order_by(HelpdeskService.id)).first()
    world.objects.service = service
    closed = helpdesk_ops.open_ticket(s, me["asn"], type_="question", service_id=service.id,
                                      subject="Cara mengganti tanda tangan elektronik",
                                      description="Di mana saya mengganti spesimen tanda tangan?", now=clock.now())
    helpdesk_ops.reply(s, closed.id, me["helpdesk"], "Buka Profil, lalu Tanda tangan.", public=True,
                       then="resolve", now=clock.now())
    world.tickets["closed"] = closed
    # A bimtek on Thursday: one participant attends, one does not.
    held = bimtek_ops.create_session(s, me["helpdesk"], bimtek_ops.SessionDetails(
        topic="Penggunaan Disposisi Elektronik SEP", description="Membuat, meneruskan dan memantau disposisi.",
        starts_at=datetime(2026, 11, 26, 9, 0, tzinfo=WIB), ends_at=datetime(2026, 11, 26, 12, 0, tzinfo=WIB),
        mode="in_person", place="Ruang Rapat Lt. 3, Gedung Kominfo, Jakarta", online_url=None, capacity=20),
        now=clock.now())
    attended = bimtek_ops.register(s, held.id, me["asn"], now=clock.now())
    absent = bimtek_ops.register(s, held.id, s.get(User, world.objects.absent.id), now=clock.now())
    s.commit()

    clock.freeze(NOW)
    abuse_ops.deactivate_after_deadline(clock.now())
    helpdesk_ops.sla_notices(clock.now())
    bimtek_ops.record_attendance(s, held.id, me["helpdesk"], [attended.id], now=clock.now())
    bimtek_ops.issue_certificate(s, attended.id, me["helpdesk"], now=clock.now())
    s.commit()
    for obj in (world.cases["expired"], world.warnings["expired"], closed, held, attended, absent):
        s.refresh(obj)
    assert world.warnings["expired"].status == "expired" and world.cases["expired"].status == "deactivated"
    assert closed.status == "closed", closed.status
    world.bimtek["held"] = held
    world.registrations.update(attended=attended, absent=absent)


# -- misuse -------------------------------------------------------------------------------------------

def _misuse(s: Any, world: World, me: dict[str, Any], t: dict[str, User]) -> None:
    from sep_portal.abuse import operations as ops

    evidence = [upload(png_bytes(), "tangkapan-layar.png")]
    world.cases["open"] = _report(s, world, t["open"], files=evidence)
    world.objects.evidence = world.cases["open"].reports[0].evidence[0]

    dismissed = _report(s, world, t["dismissed"])
    ops.dismiss_case(s, dismissed.id, me["verifikator"], reason="Pesan itu resmi dari pimpinan.", now=clock.now())
    world.cases["dismissed"] = dismissed

    substantiated = _report(s, world, t["substantiated"])
    ops.substantiate_case(s, substantiated.id, me["verifikator"], material="Tautan palsu di pesan 2 Des.",
                          now=clock.now())
    world.cases["substantiated"] = substantiated
    s.commit()

    # The crawl's ASN has a warning waiting for the reply.
    world.cases["warned"], world.warnings["issued"] = _warned(s, world, me, me["asn"])

    def replied(target: User) -> tuple[Any, Any]:
        case, warning = _warned(s, world, me, target)
        ops.reply_to_warning(s, warning.id, target, text="Akun saya diretas; sandi sudah saya ganti.",
                             files=[upload(pdf_bytes("Laporan"), "laporan.pdf")], now=clock.now())
        s.commit()
        return case, warning

    world.cases["replied"], world.warnings["replied"] = replied(t["replied"])
    world.objects.reply_file = world.warnings["replied"].reply_files[0].file
    world.cases["closed"], world.warnings["accepted"] = replied(t["closed"])
    ops.evaluate_reply(s, world.warnings["accepted"].id, me["verifikator"], accept=True,
                       reason="Penjelasan dapat diterima.", now=clock.now())
    world.cases["deactivated"], world.warnings["rejected"] = replied(t["deactivated"])
    ops.evaluate_reply(s, world.warnings["rejected"].id, me["verifikator"], accept=False,
                       reason="Penjelasan tidak sesuai bukti.", now=clock.now())
    ops.decide_deactivation(s, world.cases["deactivated"].id, me["pejabat"], permanent=False,
                            reason="Penyalahgunaan terbukti.", now=clock.now())
    # Repeat misuse: the account closed with a strike above offends again.
    world.objects.permanent_case, _w = replied(t["closed"])
    ops.evaluate_reply(s, _w.id, me["verifikator"], accept=False, reason="Tidak sesuai.", now=clock.now())
    ops.decide_deactivation(s, world.objects.permanent_case.id, me["pejabat"], permanent=True,
                            reason="Pelanggaran berulang.", now=clock.now())
    s.commit()

    # Reactivation: one waiting (the account deactivated above), one granted, one refused.
    def request(target: User) -> Any:
        return ops.request_reactivation(s, me["sekretaris"], target.id,
                                        statement="Pegawai telah dibina dan menandatangani pernyataan.",
                                        upload=upload(pdf_bytes("Surat permohonan"), "permohonan.pdf"),
                                        now=clock.now())

    for key in ("reactivation_approved", "reactivation_rejected"):
        case, warning = replied(t[key])
        ops.evaluate_reply(s, warning.id, me["verifikator"], accept=False, reason="Tidak sesuai.", now=clock.now())
        ops.decide_deactivation(s, case.id, me["pejabat"], permanent=False, reason="Terbukti.", now=clock.now())
        s.commit()
    world.reactivations["pending"] = request(t["deactivated"])
    approved = request(t["reactivation_approved"])
    ops.decide_reactivation(s, approved.id, me["pejabat"], approve=True, reason="Pembinaan selesai.", now=clock.now())
    rejected = request(t["reactivation_rejected"])
    ops.decide_reactivation(s, rejected.id, me["pejabat"], approve=False, reason="Belum ada pembinaan.",
                            now=clock.now())
    s.commit()
    world.reactivations.update(approved=approved, rejected=rejected)
    for objects in (world.cases, world.warnings, world.reactivations):
        _reload(s, objects)

    from sep_portal.abuse.models import AbuseReport
    from sep_portal.tenants.models import TembusanCopy

    # The crawl's ASN's reports, one in each status the reporter reads.
    world.objects.my_reports = {}
    for report in s.scalars(select(AbuseReport).where(AbuseReport.reporter_id == me["asn"].id)
                            .order_by(AbuseReport.id)):
        world.objects.my_reports.setdefault(report.reporter_status, report)
    assert set(world.objects.my_reports) == {"received", "handled", "not_substantiated"}
    world.objects.others_report = s.scalars(select(AbuseReport).where(
        AbuseReport.reporter_id == world.objects.reporter.id)).first()

    world.objects.tembusan = s.scalars(select(TembusanCopy).where(TembusanCopy.body_id == world.objects.body.id)
                                       .order_by(TembusanCopy.id)).all()
    assert {c.kind for c in world.objects.tembusan} >= {"warning_letter", "warning_reply"}


# -- helpdesk ----------------------------------------------------------------------------------------

def _helpdesk(s: Any, world: World, me: dict[str, Any]) -> None:
    from sep_portal.helpdesk import operations as ops

    asn, agent, service = me["asn"], me["helpdesk"], world.objects.service

    def ticket(subject: str, **extra: Any) -> Any:
        return ops.open_ticket(s, asn, type_="incident", service_id=service.id, subject=subject,
                               description="Muncul pesan galat saat membuka surat masuk.", impact=2, urgency=2,
                               now=clock.now(), **extra)

    world.tickets["new"] = ticket("Surat masuk tidak terbuka",
                                  files=[upload(png_bytes(), "galat.png")])
    world.objects.attachment = world.tickets["new"].attachments[0] if world.tickets["new"].attachments else None
    world.tickets["assigned"] = ticket("Disposisi hilang")
    ops.assign(s, world.tickets["assigned"].id, agent, agent.id, now=clock.now())
    world.tickets["in_progress"] = ticket("Tanda tangan gagal")
    ops.reply(s, world.tickets["in_progress"].id, agent, "Sedang kami periksa.", public=True, now=clock.now())
    ops.reply(s, world.tickets["in_progress"].id, agent, "Catatan internal: lihat log server.", public=False,
              files=[upload(pdf_bytes("Log"), "log.pdf")], now=clock.now())
    world.tickets["waiting"] = ticket("Nomor surat ganda")
    ops.reply(s, world.tickets["waiting"].id, agent, "Nomor surat yang mana?", public=True, then="wait",
              now=clock.now())
    world.tickets["resolved"] = ticket("Tidak bisa mencetak")
    ops.reply(s, world.tickets["resolved"].id, agent, "Sudah kami perbaiki.", public=True, then="resolve",
              now=clock.now())
    s.commit()
    # A request from outside, confirmed by its e-mailed link; and one still waiting for it.
    ops.request_public_ticket(s, email="warga@contoh.id", name="Warga Uji", type_="question", service_id=service.id,
                              subject="Akun belum aktif", description="Saya belum menerima surel aktivasi.",
                              now=clock.now())
    token = _token_from_mail(s, "helpdesk/public_verify")
    public, secret = ops.confirm_public_ticket(s, token, now=clock.now())
    s.commit()
    world.tickets["public"] = public
    world.tokens["public_ticket"] = secret
    ops.request_public_ticket(s, email="tamu@contoh.id", name="Tamu Uji", type_="question", service_id=service.id,
                              subject="Jadwal bimtek", description="Kapan bimtek berikutnya?", now=clock.now())
    world.tokens["public_ticket_confirm"] = _token_from_mail(s, "helpdesk/public_verify")
    s.commit()
    from sep_portal.helpdesk.models import TicketAttachment

    world.objects.internal_attachment = s.scalars(
        select(TicketAttachment).where(TicketAttachment.ticket_id == world.tickets["in_progress"].id)).first()
    _reload(s, world.tickets)
    assert {t.status for t in world.tickets.values()} >= {"new", "assigned", "in_progress", "waiting", "resolved",
                                                            "closed"}


# -- help articles, SOPs --------------------------------------------------------------------------

def _knowledge(s: Any, world: World, me: dict[str, Any]) -> None:
    from sep_portal.knowledge import operations as ops

    editor = me["helpdesk"]
    world.objects.article = ops.create_article(s, editor, {
        "title": "Mengatur ulang kode dua langkah", "body": "Gunakan kode pemulihan, lalu pasang ulang aplikasi.",
        "language": "id", "category_id": None}, now=clock.now(), publish=True)
    world.objects.draft_article = ops.create_article(s, editor, {
        "title": "Konsep: tata naskah dinas", "body": "Belum terbit.", "language": "id", "category_id": None},
        now=clock.now())
    sop = ops.create_sop(s, editor, code="sop-dunia", title="SOP Permohonan Tenant", now=clock.now())
    ops.publish_sop_version(s, editor, sop.id, upload(pdf_bytes("SOP"), "sop.pdf"), change_note="Versi pertama.",
                            now=clock.now())
    s.commit()
    world.objects.sop = sop


# -- bimtek -------------------------------------------------------------------------------------------

def _bimtek_later(s: Any, world: World, me: dict[str, Any]) -> None:
    from sep_portal.bimtek import operations as ops

    def details(day: int, capacity: int) -> Any:
        return ops.SessionDetails(
            topic="Tata Naskah Dinas Elektronik", description="Membuat naskah dinas sesuai Permen PANRB.",
            starts_at=datetime(2026, 12, day, 9, 0, tzinfo=WIB), ends_at=datetime(2026, 12, day, 12, 0, tzinfo=WIB),
            mode="online", place=None, online_url="https://zoom.us/j/123456789", capacity=capacity)

    scheduled = ops.create_session(s, me["helpdesk"], details(15, 1), now=clock.now())
    world.registrations["registered"] = ops.register(s, scheduled.id, me["asn"], now=clock.now())
    world.registrations["waitlisted"] = ops.register(s, scheduled.id, s.get(User, world.objects.waitlisted.id),
                                                     now=clock.now())
    ops.register(s, scheduled.id, me["sekretaris"], now=clock.now())
    world.registrations["cancelled"] = ops.cancel_registration(s, scheduled.id, me["sekretaris"], now=clock.now())
    cancelled = ops.create_session(s, me["helpdesk"], details(17, 10), now=clock.now())
    ops.cancel_session(s, cancelled.id, me["helpdesk"], reason="Narasumber berhalangan.", now=clock.now())
    s.commit()
    world.bimtek.update(scheduled=scheduled, cancelled=cancelled)
    _reload(s, world.bimtek)
    _reload(s, world.registrations)


# -- e-mailed links that wait to be used ----------------------------------------------------------

def _tokens(s: Any, world: World, me: dict[str, Any]) -> None:
    from sep_portal.abuse import operations as abuse_ops
    from sep_portal.auth import operations as auth_ops

    unverified = User(email="belum.verifikasi@baru.go.id", name="Belum Verifikasi", status="pending")
    unverified.add_role("sekretaris")
    s.add(unverified)
    s.flush()
    world.tokens["verify_email"] = auth_ops.issue_token(s, unverified, "verify_email", timedelta(days=1), clock.now())
    world.tokens["reset_password"] = auth_ops.issue_token(s, me["asn"], "reset_password", timedelta(hours=1),
                                                          clock.now())
    from sep_portal.abuse.models import AbuseCategory

    spam = s.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "spam"))
    # A public report confirmed by its e-mailed link: its reporter follows it by the private status link.
    abuse_ops.report_publicly(s, email="warga.pantau@contoh.id", target=me["asn"].email, category_id=spam,
                              description="Akun ini menyebarkan fitnah.", now=clock.now())
    _public, world.tokens["report_status"] = abuse_ops.confirm_public_report(
        s, _token_from_mail(s, "abuse/public_verify"), clock.now())
    abuse_ops.report_publicly(s, email="warga.lapor@contoh.id", target=me["asn"].email, category_id=spam,
                              description="Akun ini mengirim tautan palsu.", now=clock.now())
    world.tokens["public_report"] = _token_from_mail(s, "abuse/public_verify")
    s.commit()


def _api(s: Any, world: World, me: dict[str, Any]) -> None:
    from sep_portal.api import operations as api_ops

    _account, token = api_ops.create_service_account(s, me["superadmin"], name="SEP Dunia", scope="read",
                                                     body_id=None, now=clock.now())
    s.commit()
    world.tokens["api"] = token


def _operator_console(s: Any, world: World, me: dict[str, Any], f: Factories) -> None:
    """The operator's account console through its real operations: a staff account disabled, a
    role granted and another withdrawn (their history on the account's page), and the two-step
    verification of the world's Sekretaris reset (set up again at the next sign-in)."""
    from sep_portal.accounts import operations as account_ops

    disabled = s.get(User, f.user(roles=("helpdesk",), name="Agen Nonaktif", email="agen.nonaktif@kominfo.go.id").id)
    account_ops.disable_staff_account(s, me["superadmin"], disabled, reason="Pindah tugas.", now=clock.now())
    moved = s.get(User, f.user(roles=("verifikator",), name="Staf Berpindah", email="staf.pindah@kominfo.go.id").id)
    account_ops.grant_staff_role(s, me["superadmin"], moved, "pejabat", reason="Diangkat menjadi pejabat.",
                                 now=clock.now())
    account_ops.revoke_staff_role(s, me["superadmin"], moved, "verifikator", reason="Tidak lagi memverifikasi.",
                                  now=clock.now())
    reset = s.get(User, f.user(roles=("sekretaris",), name="Sekretaris Ganti Ponsel", email="ganti.ponsel@dunia.go.id",
                               body=world.objects.body).id)
    account_ops.reset_two_step(s, me["superadmin"], reset, reason="Ponsel hilang.", now=clock.now())
    s.commit()
    world.objects.disabled_staff, world.objects.moved_staff, world.objects.totp_reset = disabled, moved, reset


def _tenancy(f: Factories, world: World) -> None:
    """A tenant suspended through the four eyes, and one whose proposed suspension waits on the
    world's pejabat (another official proposed it)."""
    suspended, _admin = f.tenant(name="Pemerintah Kota Dunia Ditangguhkan")
    f.tenant_status_change(suspended, reason="Audit keamanan", confirmer=world.people["pejabat"])
    proposed, _admin = f.tenant(name="Pemerintah Kota Dunia Diusulkan")
    world.objects.status_change = f.tenant_status_change(proposed, reason="Dugaan akun dipakai bersama")
    world.objects.suspended_body, world.objects.proposed_body = suspended, proposed


def _handovers(f: Factories, world: World) -> None:
    """Requests to become the Sekretaris BP of a tenant: one waiting on the world's verifier (for the
    world's body, from a newcomer), one confirmed (another tenant's Sekretaris changed) and one
    refused (the crawl's Sekretaris without a body asked, with the wrong SK)."""
    from sep_portal.extensions import db
    from sep_portal.tenants import operations as ops

    changed, _admin = f.tenant(name="Pemerintah Kota Dunia Berganti Sekretaris")
    old = f.user(roles=("sekretaris",), body=changed, name="Sekretaris Lama Dunia", email="sekda.lama@dunia.go.id")
    newcomer = f.user(roles=("sekretaris",), name="Sekretaris Baru Dunia", email="sekda.baru@dunia.go.id")
    waiting = f.user(roles=("sekretaris",), name="Calon Sekretaris Dunia", email="calon.sekda@dunia.go.id")
    with f.app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        s = db.session
        verifier = s.get(User, world.people["verifikator"].id)

        def ask(person: User, body_id: int) -> Any:
            return ops.request_sekretaris_handover(s, s.get(User, person.id), body_id=body_id,
                                                   position="Sekretaris Daerah",
                                                   upload=upload(pdf_bytes("SK Pengangkatan"), "sk-sekda.pdf"),
                                                   now=clock.now())

        confirmed = ask(newcomer, changed.id)
        ops.decide_sekretaris_handover(s, verifier, confirmed.id, confirm=True, reason="", now=clock.now())
        refused = ask(world.people["sekretaris_tanpa_badan"], changed.id)
        ops.decide_sekretaris_handover(s, verifier, refused.id, confirm=False,
                                       reason="SK yang diunggah bukan SK pengangkatan Sekretaris.", now=clock.now())
        pending = ask(waiting, world.objects.body.id)
        s.commit()
        world.handovers.update(pending=pending, confirmed=confirmed, refused=refused)
    for key, item in world.handovers.items():
        world.handovers[key] = f.session.get(type(item), item.id, populate_existing=True)
    assert {h.status for h in world.handovers.values()} == {"pending", "confirmed", "refused"}
    world.objects.old_sekretaris = old


# -- applications (factories take them through the real operations) ------------------------------

def _applications(f: Factories, world: World) -> None:
    from sep_portal.applications import operations as ops
    from sep_portal.applications.models import Application
    from sep_portal.extensions import db

    applicant = world.people["sekretaris_tanpa_badan"]
    verifier, pejabat = world.people["verifikator"], world.people["pejabat"]
    apps = world.applications
    for stage in ("draft", "submitted", "complete", "recommended"):
        apps[stage] = f.application(stage=stage, applicant=applicant, verifier=verifier)
    for key in ("returned", "withdrawn", "lapsed", "rejection_proposed", "rejected_at_verification"):
        apps[key] = f.application(stage="submitted", applicant=applicant, verifier=verifier)
    apps["rejected"] = f.application(stage="recommended", applicant=applicant, verifier=verifier,
                                     recommendation="reject")
    # Approved: its Sekretaris now follows the new tenant, so it is someone else's.
    apps["approved"] = f.application(stage="recommended", verifier=verifier)
    with f.app.test_request_context("/"):
        s = db.session
        now = clock.now()
        v, p = s.get(User, verifier.id), s.get(User, pejabat.id)
        ops.return_for_completion(s, s.get(Application, apps["returned"].id), v, missing=["surat_kuasa"],
                                  message="Surat kuasa belum ditandatangani.", now=now)
        ops.withdraw_application(s, s.get(Application, apps["withdrawn"].id), s.get(User, applicant.id), now=now)
        # A file that plainly fails ground (b): proposed at verification, and one rejected there.
        for key in ("rejection_proposed", "rejected_at_verification"):
            ops.recommend(s, s.get(Application, apps[key].id), v, recommendation="reject", grounds=["b"],
                          note="Pemohon bukan Badan Pemerintahan.", now=now)
        ops.reject_application(s, apps["rejected_at_verification"].id, p, grounds=["b"],
                               reason="Bukan berasal dari Badan Pemerintahan.", now=now)
        # Returned, and its completion deadline passed: the sweep lets it lapse (below).
        lapsing = s.get(Application, apps["lapsed"].id)
        ops.return_for_completion(s, lapsing, v, missing=["identity_document"], message="KPNS tidak terbaca.",
                                  now=now)
        lapsing.completion_due_at = now - timedelta(seconds=1)
        ops.reject_application(s, apps["rejected"].id, p, grounds=["a"], reason="Persyaratan tidak lengkap.",
                               now=now)
        approved = ops.approve_application(s, apps["approved"].id, p, reason="Memenuhi persyaratan.", now=now)
        from sep_portal.auth import operations as auth_ops

        # The new Admin Pengelola's invitation, as the link in the e-mail would carry it.
        world.tokens["activate"] = auth_ops.issue_token(s, s.get(User, approved.admin_user_id), "activate",
                                                        timedelta(days=7), now)
        world.objects.outbox_message_id = s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).first()
        s.commit()
        assert ops.lapse_uncompleted(now) == 1
    for application in apps.values():
        f.session.refresh(application)
    assert apps["returned"].status == "returned" and apps["approved"].status == "approved"
    assert apps["lapsed"].status == "lapsed" and apps["rejected_at_verification"].status == "rejected"
    world.objects.document = apps["submitted"].documents[0]
    world.objects.letter = apps["approved"].letter


# -- account imports, through the Admin Pengelola's pages ----------------------------------------

def _imports(app: Any, world: World) -> None:
    from sep_portal.tenants.models import AccountImport
    from tests.factories import import_nip

    header = "nip,nama,email,unit_kerja,jabatan"
    client = app.test_client()
    sign_in(client, world.people["admin_pengelola"])

    def send(rows: list[str], name: str) -> int:
        data = "\n".join([header, *rows]).encode()
        response = client.post("/pengelola/impor", data={"file": (upload(data, name).stream, name)},
                               content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(response.headers["Location"].rsplit("/", 1)[1])

    good = [f"{import_nip(7000 + i)},Pegawai Impor {i},impor{i}@dunia.go.id,Bagian Umum,Staf" for i in range(3)]
    imported = send(good, "akun.csv")
    assert client.post(f"/pengelola/impor/{imported}/jalankan").status_code == 302
    checked = send([f"{import_nip(7100)},Pegawai Cek,cek@dunia.go.id,,"], "cek.csv")
    invalid = send([f"{import_nip(7200)},Tanpa Surel,,,", "123,NIP Rusak,rusak@dunia.go.id,,"], "rusak.csv")
    client.post("/keluar")
    from sep_portal.extensions import db

    with app.app_context():
        s = db.session
        for job_id in (imported, checked, invalid):
            job = s.get(AccountImport, job_id)
            assert job.status not in world.imports, (job.id, job.status)  # one job in each state
            world.imports[job.status] = SimpleNamespace(id=job.id, status=job.status)
    assert set(world.imports) >= {"imported", "checked", "invalid"}, world.imports
