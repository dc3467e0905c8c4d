"""The one storage module: every uploaded or generated file goes through here.

Uploads are checked by content (never by name or the browser's content type): PDF, JPEG and PNG
only; images are re-encoded by Pillow (which drops metadata and anything hidden after the image
data) with a pixel cap against decompression bombs; PDFs must open in PDFium. Files are stored
outside the web root under random names, with their SHA-256, and served only by views that have
checked permission first, as attachments with ``nosniff``.
"""
from __future__ import annotations

import hashlib
import io
import os
import secrets
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import filetype
from flask import Response, current_app, send_file
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import clock
from sep_portal.core.db import Base
from sep_portal.core.errors import DomainError
from sep_portal.core.formatting import format_filesize

KINDS = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
MAX_PREVIEW_PAGES = 20
PREVIEW_SCALE = 1.4


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int | None]
    purpose: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def size_label(self) -> str:
        return format_filesize(self.size)


def max_upload_bytes() -> int:
    return int(current_app.config["SEP_MAX_UPLOAD_BYTES"])


def _root() -> Path:
    root = Path(current_app.config["UPLOAD_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_of(stored: StoredFile) -> Path:
    return _root() / stored.stored_name[:2] / stored.stored_name


def safe_filename(name: str | None, kind: str) -> str:
    """A display name: the base name without path or control characters, with the right extension."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')[:150]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ext = "jpg" if kind == "jpeg" else kind
    return f"{stem or 'berkas'}.{ext}"


def _too_large(limit: int | None = None) -> DomainError:
    return DomainError(None, _("The file is larger than %(size)s.", size=format_filesize(limit or max_upload_bytes())))


def _check_image(data: bytes, kind: str) -> bytes:
    max_pixels = int(current_app.config["SEP_MAX_IMAGE_PIXELS"])
    too_large = DomainError(None, _("The image has too many pixels: at most %(mp)d megapixels are accepted.",
                                    mp=max_pixels // 1_000_000))
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            width, height = probe.size
            if width * height > max_pixels:
                raise too_large
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            if kind == "jpeg":
                image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
            return out.getvalue()
    except DomainError:
        raise
    except Image.DecompressionBombError:  # Pillow's own, larger limit: refused before decoding too
        raise too_large from None
    except (OSError, ValueError, SyntaxError):
        raise DomainError(None, _("The image cannot be read. Upload a JPEG or PNG file.")) from None


def _pdf_pages(data: bytes) -> int:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise DomainError(None, _("The PDF cannot be read. It may be damaged or protected by a password.")) from None
    max_pixels = int(current_app.config["SEP_MAX_IMAGE_PIXELS"])
    try:
        pages = len(document)
        for index in range(pages):
            width, height = document[index].get_size()  # points
            # A tiny file can declare a page of metres square; rendering it for the preview would
            # take gigabytes. Pages larger than the image limit at preview scale are refused.
            if width * height * PREVIEW_SCALE ** 2 > max_pixels:
                raise DomainError(None, _("A page of the PDF is too large (%(w)d × %(h)d points).",
                                          w=int(width), h=int(height)))
    finally:
        document.close()
    if pages < 1:
        raise DomainError(None, _("The PDF has no pages."))
    return pages


def check_upload(data: bytes, allowed: Collection[str]) -> tuple[str, bytes, int | None]:
    """Identify ``data`` by its content. Returns (kind, bytes to store, page count) or raises
    DomainError with a message for the user."""
    if not data:
        raise DomainError(None, _("The file is empty."))
    if len(data) > max_upload_bytes():
        raise _too_large()
    guessed = filetype.guess(data)
    kind = guessed.extension if guessed else None
    if kind == "jpg":
        kind = "jpeg"
    if kind not in KINDS or kind not in allowed:
        names = ", ".join(k.upper() for k in allowed)
        raise DomainError(None, _("This file type is not accepted. Upload %(types)s.", types=names))
    if kind == "pdf":
        return kind, data, _pdf_pages(data)
    return kind, _check_image(data, kind), 1


# Files written in a transaction that is rolled back are removed again, so a refused decision or
# a failed form leaves no unreferenced file behind.
_NEW_FILES = "sep_storage_new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        # Only a SAVEPOINT is rolled back: the files may still be committed with the outer
        # transaction (a file written inside the savepoint itself stays; rare and harmless).
        return
    for path in session.info.pop(_NEW_FILES, []):
        Path(path).unlink(missing_ok=True)


def _write(data: bytes) -> str:
    name = secrets.token_hex(20)
    target = _root() / name[:2] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return name


def sha256_of_upload(upload: Any, *, kind: str = "pdf") -> str:
    """The SHA-256 of an uploaded file of ``kind``, read in chunks up to the upload limit and kept
    nowhere (to compare a document someone holds with the one registered)."""
    if upload is None or not getattr(upload, "filename", None):
        raise DomainError("file", _("Choose a file."))
    digest, size, head = hashlib.sha256(), 0, b""
    limit = max_upload_bytes()
    while chunk := upload.stream.read(1 << 16):
        size += len(chunk)
        if size > limit:
            raise _too_large()
        if len(head) < 262:  # what filetype needs to recognise a file
            head += chunk[:262 - len(head)]
        digest.update(chunk)
    if not size:
        raise DomainError("file", _("The file is empty."))
    guessed = filetype.guess(head)
    if guessed is None or guessed.extension != kind:
        raise DomainError("file", _("The file is not a %(kind)s.", kind=kind.upper()))
    return digest.hexdigest()


def save_upload(session: Session, upload: Any, *, purpose: str, created_by: Any = None,
                allowed: Collection[str] = ("pdf", "jpeg", "png")) -> StoredFile:
    """Check and store an uploaded file (a werkzeug FileStorage). Reads at most the limit + 1
    bytes, so an oversized file is refused without reading it all."""
    if upload is None or not getattr(upload, "filename", None):
        raise DomainError(None, _("Choose a file."))
    data = upload.stream.read(max_upload_bytes() + 1)
    if len(data) > max_upload_bytes():
        raise _too_large()
    kind, stored_bytes, pages = check_upload(data, allowed)
    return _add(session, stored_bytes, kind=kind, original_name=safe_filename(upload.filename, kind),
                purpose=purpose, created_by=created_by, pages=pages)


def save_uploads(session: Session, uploads: Collection[Any], *, purpose: str, created_by: Any = None,
                 max_files: int = 5, field: str = "files") -> list[StoredFile]:
    """Check and store the files of a multiple-file field (empty inputs ignored); any bad file
    or more than ``max_files`` is an error on ``field``."""
    uploads = [u for u in uploads if u is not None and getattr(u, "filename", "")]
    if len(uploads) > max_files:
        raise DomainError(field, _("Attach at most %(n)d files.", n=max_files))
    stored = []
    for upload in uploads:
        try:
            stored.append(save_upload(session, upload, purpose=purpose, created_by=created_by))
        except DomainError as exc:
            raise DomainError(field, exc.message) from None
    return stored


def save_generated(session: Session, data: bytes, *, kind: str, filename: str, purpose: str,
                   created_by: Any = None) -> StoredFile:
    """Store a file the portal made itself (a letter PDF)."""
    return _add(session, data, kind=kind, original_name=safe_filename(filename, kind), purpose=purpose,
                created_by=created_by, pages=None)


def _add(session: Session, data: bytes, *, kind: str, original_name: str, purpose: str, created_by: Any,
         pages: int | None) -> StoredFile:
    name = _write(data)
    session.info.setdefault(_NEW_FILES, []).append(str(_root() / name[:2] / name))
    stored = StoredFile(
        stored_name=name, original_name=original_name, kind=kind, content_type=KINDS[kind],
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), page_count=pages, purpose=purpose,
        created_by_id=getattr(created_by, "id", None),
    )
    session.add(stored)
    session.flush()
    return stored


def save_spreadsheet(session: Session, upload: Any, *, purpose: str, created_by: Any = None,
                     max_bytes: int) -> StoredFile:
    """Store an uploaded CSV (UTF-8) or XLSX file, streamed to disk in pieces (imports of
    100 000 rows): memory stays bounded whatever the size. The type is decided by content: an
    XLSX is a ZIP package that ``filetype`` recognises; anything else must be UTF-8 text without
    NUL bytes to count as CSV."""
    import codecs

    if upload is None or not getattr(upload, "filename", None):
        raise DomainError(None, _("Choose a file."))
    name = secrets.token_hex(20)
    target = _root() / name[:2] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    text_ok = True
    try:
        with open(target, "wb") as out:
            while chunk := upload.stream.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                if len(head) < 8192:
                    head += chunk[:8192 - len(head)]
                if text_ok:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        text_ok = False
                    if b"\0" in chunk:
                        text_ok = False
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DomainError(None, _("The file is empty."))
        guessed = filetype.guess(head)
        if guessed is not None and guessed.extension == "xlsx":
            kind = "xlsx"
        elif guessed is None and text_ok:
            kind = "csv"
        else:
            raise DomainError(None, _("This file type is not accepted. Upload %(types)s.", types="CSV (UTF-8), XLSX"))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    session.info.setdefault(_NEW_FILES, []).append(str(target))
    stored = StoredFile(stored_name=name, original_name=safe_filename(upload.filename, kind), kind=kind,
                        content_type=KINDS[kind], size=size, sha256=digest.hexdigest(), page_count=None,
                        purpose=purpose, created_by_id=getattr(created_by, "id", None))
    session.add(stored)
    session.flush()
    return stored


def save_generated_path(session: Session, path: Path, *, kind: str, filename: str, purpose: str,
                        created_by: Any = None) -> StoredFile:
    """Move a file the portal wrote (a large report) into storage without reading it into memory."""
    name = secrets.token_hex(20)
    target = _root() / name[:2] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    size = path.stat().st_size
    os.replace(path, target)
    session.info.setdefault(_NEW_FILES, []).append(str(target))
    stored = StoredFile(stored_name=name, original_name=safe_filename(filename, kind), kind=kind,
                        content_type=KINDS[kind], size=size, sha256=digest.hexdigest(), page_count=None,
                        purpose=purpose, created_by_id=getattr(created_by, "id", None))
    session.add(stored)
    session.flush()
    return stored


def work_path(suffix: str = "") -> Path:
    """A private scratch file next to the stored files (same file system, so it can be moved in)."""
    directory = _root() / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / (secrets.token_hex(12) + suffix)


def read_bytes(stored: StoredFile) -> bytes:
    return path_of(stored).read_bytes()


def send(stored: StoredFile, *, inline: bool = False) -> Response:
    """The file as a response. Callers check permission first. Attachments by default; an
    inline response is sandboxed by its own CSP so it can run nothing."""
    response = send_file(path_of(stored), mimetype=stored.content_type, as_attachment=not inline,
                         download_name=stored.original_name, max_age=0, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


def preview_png(stored: StoredFile, page: int) -> bytes:
    """Page ``page`` (1-based) rendered as PNG: reviewers look at pictures of the document, so
    no PDF code or plug-in ever runs in their browser."""
    if stored.kind != "pdf":
        if page != 1:
            raise IndexError(page)
        with Image.open(path_of(stored)) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG")
            return out.getvalue()
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path_of(stored)))
    try:
        if not 1 <= page <= min(len(document), MAX_PREVIEW_PAGES):
            raise IndexError(page)
        pdf_page = document[page - 1]
        width, height = pdf_page.get_size()
        max_pixels = int(current_app.config["SEP_MAX_IMAGE_PIXELS"])
        scale = min(PREVIEW_SCALE, (max_pixels / max(width * height, 1)) ** 0.5)
        bitmap = pdf_page.render(scale=scale)
        out = io.BytesIO()
        bitmap.to_pil().save(out, "PNG")
        return out.getvalue()
    finally:
        document.close()


def preview_pages(stored: StoredFile) -> int:
    return min(stored.page_count or 1, MAX_PREVIEW_PAGES)
