"""Demo data for a development machine: one body, its Sekretaris and Admin Pengelola, a few ASN
and one account for each Ditjen role. Loaded once; refused outside development."""
from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.core import audit, clock
from sep_portal.core.permissions import ADMIN_PENGELOLA, ASN, HELPDESK, PEJABAT, SEKRETARIS, SUPERADMIN, VERIFIKATOR
from sep_portal.core.security import hash_password
from sep_portal.tenants.models import AdminAssignment, Body

DEMO_PASSWORD = "Demo-SEP-2026!"
DEMO_BODY_CODE = "DEMO-3201"

# (e-mail, name, NIP, roles, belongs to the demo body)
DEMO_ACCOUNTS = (
    ("superadmin@demo.go.id", "Operator Platform SEP", None, [SUPERADMIN], False),
    ("verifikator@demo.go.id", "Rina Verifikator, S.Kom.", "198703152010122001", [VERIFIKATOR], False),
    ("pejabat@demo.go.id", "Dr. Bambang Pejabat, M.T.", "197005051995031002", [PEJABAT], False),
    ("helpdesk@demo.go.id", "Agus Helpdesk", "199201012019031003", [HELPDESK], False),
    ("sekretaris@demo.go.id", "Drs. Sutrisno, M.Si.", "196808171990031004", [SEKRETARIS], True),
    ("admin@demo.go.id", "Dewi Admin Pengelola, S.T.", "198511222009022005", [ADMIN_PENGELOLA], True),
    ("asn1@demo.go.id", "Andi Pratama", "199005102015031006", [ASN], True),
    ("asn2@demo.go.id", "Siti Rahmawati", "199107212016022007", [ASN], True),
    ("asn3@demo.go.id", "Yohanes Manurung", "199312302018011008", [ASN], True),
    ("sekretaris.kota@demo.go.id", "Ir. Hendra Gunawan", "197106241996031009", [SEKRETARIS], False),
)
DEMO_APPLICATION_BODY = "32.71"  # Pemerintah Kota Bogor, from the reference list


def load(session: Session) -> bool:
    """Create the demo data unless it is there; returns True if it was created now."""
    if session.scalar(select(Body.id).where(Body.code == DEMO_BODY_CODE)) is not None:
        return False
    now = clock.now()
    body = Body(code=DEMO_BODY_CODE, name="Pemerintah Kabupaten Contoh (DEMO)", kind="kabupaten",
                tenant_status="active")
    session.add(body)
    session.flush()
    audit.record(session, "system:demo", "tenant.created", body, after={"name": body.name, "demo": True})
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, nip, roles, in_body in DEMO_ACCOUNTS:
        user = User(email=email, name=name, nip=nip, status="active", email_verified_at=now,
                    password_hash=password_hash, password_changed_at=now, is_demo=True,
                    body_id=body.id if in_body else None,
                    organisation=body.name if in_body else "Ditjen Aplikasi Informatika, Kominfo")
        for role in roles:
            user.add_role(role)
        if ASN not in roles:
            # Enrolled already, so a person can sign in at once with any authenticator app.
            user.totp_secret = pyotp.random_base32()
            user.totp_enrolled_at = now
        session.add(user)
        session.flush()
        audit.record(session, "system:demo", "account.created", user, after={"roles": roles, "demo": True})
        if ADMIN_PENGELOLA in roles:
            session.add(AdminAssignment(body_id=body.id, user_id=user.id, started_at=now))
    _demo_application(session, now)
    _demo_tickets(session, now)
    _demo_articles(session, now)
    _demo_bimtek(session, now)
    return True


def _demo_bimtek(session: Session, now: datetime) -> None:
    """One online bimtek next week, open for registration."""
    from datetime import timedelta

    from sep_portal.bimtek.models import BimtekSession

    agent_id = session.scalar(select(User.id).where(User.email == "helpdesk@demo.go.id"))
    starts = (clock.to_wib(now) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    bimtek = BimtekSession(topic="Pengenalan Disposisi Elektronik SEP", mode="online", capacity=30,
                           description="Membuat, meneruskan dan memantau disposisi surat secara elektronik.",
                           starts_at=starts, ends_at=starts + timedelta(hours=2), created_by_id=agent_id,
                           online_url="https://vicon.example.go.id/bimtek-sep", status="scheduled")
    session.add(bimtek)
    session.flush()
    audit.record(session, "system:demo", "bimtek.session_created", bimtek, after={"demo": True})


def _demo_file(kind: str, text: str) -> object:
    """A real PDF or PNG made on the spot, as an upload."""
    import io

    from PIL import Image, ImageDraw
    from werkzeug.datastructures import FileStorage

    image = Image.new("RGB", (595, 842) if kind == "pdf" else (640, 400), "white")
    ImageDraw.Draw(image).text((60, 60), text, fill="black")
    out = io.BytesIO()
    image.save(out, "PDF" if kind == "pdf" else "PNG")
    out.seek(0)
    return FileStorage(stream=out, filename=f"{text.lower().replace(' ', '-')}.{kind}")


def _demo_application(session: Session, now: datetime) -> None:
    """A submitted application waiting in the verifiers' queue."""
    from sep_portal.applications import operations as ops

    applicant = session.scalar(select(User).where(User.email == "sekretaris.kota@demo.go.id"))
    body = session.scalar(select(Body).where(Body.code == DEMO_APPLICATION_BODY))
    if applicant is None or body is None:
        return
    application = ops.create_application(session, applicant, now=now)
    ops.update_application(session, application, applicant, now=now, body_id=body.id, proposed_body_name=None,
                           proposed_body_kind=None, admin_name="Fajar Nugroho, S.Kom.",
                           admin_nip="198902142014031010", admin_email="fajar.nugroho@demo.go.id",
                           admin_position="Pranata Komputer Ahli Pertama", identity_doc_type="kpns")
    ops.attach_document(session, application, applicant, "surat_kuasa", _demo_file("pdf", "Surat kuasa DEMO"),
                        now=now)
    ops.attach_document(session, application, applicant, "kpns", _demo_file("png", "KPNS DEMO"), now=now)
    ops.submit_application(session, application, applicant, now=now)


DEMO_ARTICLES = (
    ("keamanan", "Ganti ponsel: memasang ulang verifikasi dua langkah",
     "Jika ponsel Anda diganti, masuk dengan salah satu kode pemulihan yang Anda simpan saat mengaktifkan "
     "verifikasi dua langkah.\n\nSetelah masuk, buka Keamanan akun dan daftarkan aplikasi autentikator di "
     "ponsel baru. Kode pemulihan lama tidak berlaku lagi setelah dipakai; buat kode baru dan simpan."),
    ("akun", "Tautan aktivasi akun kedaluwarsa",
     "Tautan aktivasi berlaku selama 7 hari. Jika sudah kedaluwarsa, minta Admin Pengelola instansi Anda "
     "mengirim ulang tautan aktivasi dari halaman daftar akun."),
    ("aplikasi-sep", "Lampiran surat gagal diunggah",
     "Lampiran harus berupa PDF, JPEG atau PNG dan paling besar 5 MB. Periksa ukuran berkas; kompres PDF "
     "hasil pindaian bila perlu. Jika masih gagal, buat tiket dan sertakan nama berkas serta jam kejadian."),
)


def _demo_articles(session: Session, now: datetime) -> None:
    """A few published help articles, so search and suggestions have something to find."""
    from sep_portal.knowledge import operations as kb
    from sep_portal.knowledge.models import ArticleCategory

    author = session.scalar(select(User).where(User.email == "helpdesk@demo.go.id"))
    categories = {c.code: c.id for c in session.scalars(select(ArticleCategory))}
    for category, title, body in DEMO_ARTICLES:
        kb.create_article(session, author, {"title": title, "body": body, "language": "id",
                                            "category_id": categories.get(category)}, now=now, publish=True)


def _demo_tickets(session: Session, now: datetime) -> None:
    """Two tickets in the helpdesk queue: a new incident, and a question waiting on its requester."""
    from sep_portal.helpdesk import operations as ops
    from sep_portal.helpdesk.models import HelpdeskService

    people = {u.email: u for u in session.scalars(select(User).where(User.is_demo.is_(True)))}
    services = {s.code: s.id for s in session.scalars(select(HelpdeskService))}
    if "sep-aplikasi" not in services:
        return
    ops.open_ticket(session, people["asn1@demo.go.id"], type_="incident", service_id=services["sep-aplikasi"],
                    subject="Lampiran surat tidak bisa diunggah",
                    description="Saat mengunggah lampiran PDF 3 MB muncul pesan 'Gagal mengunggah'.",
                    impact=2, urgency=2, now=now)
    question = ops.open_ticket(session, people["asn2@demo.go.id"], type_="question",
                               service_id=services["kata-sandi-2fa"], subject="Ganti ponsel, kode 2FA hilang",
                               description="Ponsel saya diganti; bagaimana memasang ulang aplikasi autentikator?",
                               now=now)
    ops.reply(session, question.id, people["helpdesk@demo.go.id"],
              "Apakah Anda masih menyimpan kode pemulihan yang diberikan saat mengaktifkan 2FA?",
              public=True, then="wait", now=now)


def describe(session: Session, base_url: str) -> str:
    users = session.scalars(select(User).where(User.is_demo.is_(True)).order_by(User.id)).all()
    if not users:
        return "No demo accounts (run `flask sep demo load`)."
    lines = [
        "",
        f"SEP Portal (demo) on {base_url}",
        f"Every demo account has the password: {DEMO_PASSWORD}",
        "TOTP: add the secret to any authenticator app (Google Authenticator, Aegis, FreeOTP ...),",
        "or print the current code with:  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"",
        "",
        f"{'e-mail':<26} {'role':<18} TOTP secret",
    ]
    for user in users:
        roles = ",".join(sorted(user.roles))
        secret = user.totp_secret if user.totp_enabled else "(not required for asn)"
        lines.append(f"{user.email:<26} {roles:<18} {secret}")
    lines.append("")
    return "\n".join(lines)
