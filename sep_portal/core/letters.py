"""Official letters: gap-free numbering per series and year, PDF rendering, public verification.

A number is taken in the same transaction as the decision that needs it: the counter row is
updated (a row lock on PostgreSQL, the write lock on SQLite) and a rollback gives the number
back, so numbers stay gap-free even when several officials sign at once. The PDF carries a QR
code linking to a public page that confirms number, date, subject and the document's SHA-256.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from sep_portal.core import clock, storage
from sep_portal.core.db import Base

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class LetterCounter(Base):
    __tablename__ = "letter_counters"

    series: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("series", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(30))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    letter_date: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(300))
    verify_code: Mapped[str] = mapped_column(String(32), unique=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    file: Mapped[storage.StoredFile | None] = relationship()

    @property
    def verify_url(self) -> str:
        return f"{current_app.config['SEP_BASE_URL'].rstrip('/')}/surat/{self.verify_code}"


def _ensure_counter(session: Session, series: str, year: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(LetterCounter).values(series=series, year=year, last=0).on_conflict_do_nothing())


def next_number(session: Session, series: str, when: datetime) -> tuple[int, int]:
    """Take the next sequence number of ``series`` for the year of ``when`` (WIB). Returns
    (year, seq). Holds the counter's lock until the caller's transaction ends."""
    year = clock.to_wib(when).year
    _ensure_counter(session, series, year)
    seq = session.execute(
        update(LetterCounter)
        .where(LetterCounter.series == series, LetterCounter.year == year)
        .values(last=LetterCounter.last + 1)
        .returning(LetterCounter.last),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    return year, seq


def format_number(pattern: str, *, seq: int, when: datetime) -> str:
    local = clock.to_wib(when)
    return pattern.format(seq=seq, year=local.year, month=local.month, roman_month=ROMAN[local.month - 1])


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def url_fetcher() -> Any:
    """WeasyPrint may load nothing but the inline QR code (data: URIs): no files, no network,
    whatever text ends up in a letter."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    with force_locale("id"):  # official letters are in Bahasa Indonesia
        html = render_template(f"letters/{template}.html", **context)
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def issue_letter(session: Session, *, series: str, pattern: str, kind: str, template: str, subject: str,
                 recipient: str, context: dict[str, Any], signed_by: Any, now: datetime,
                 filename: str) -> Letter:
    """Number, render and store one letter in the caller's transaction."""
    year, seq = next_number(session, series, now)
    letter = Letter(series=series, year=year, seq=seq, number=format_number(pattern, seq=seq, when=now),
                    kind=kind, subject=subject, letter_date=clock.to_wib(now).date(), recipient=recipient,
                    verify_code=secrets.token_hex(12), signed_by_id=getattr(signed_by, "id", None))
    session.add(letter)
    session.flush()
    pdf = render_pdf(template, {
        **context, "letter": letter, "qr": qr_data_uri(letter.verify_url), "signed_by": signed_by,
        "issuer": current_app.config["SEP_LETTER_ISSUER"],
        "signer_title": current_app.config["SEP_LETTER_SIGNER_TITLE"],
    })
    stored = storage.save_generated(session, pdf, kind="pdf", filename=filename, purpose=f"letter:{kind}",
                                    created_by=signed_by)
    letter.file_id = stored.id
    letter.file = stored
    letter.sha256 = stored.sha256
    session.flush()
    return letter


def by_verify_code(session: Session, code: str) -> Letter | None:
    if not code or len(code) > 32:
        return None
    return session.scalar(select(Letter).where(Letter.verify_code == code))
