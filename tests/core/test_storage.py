"""The one storage module: type by content, re-encoding, limits, random names, checksums."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from sep_portal.core import storage
from sep_portal.core.errors import DomainError
from tests.factories import pdf_bytes, png_bytes, upload


def test_a_pdf_is_stored_under_a_random_name_outside_the_web_root_with_its_checksum(app, ctx):
    data = pdf_bytes(pages=3)
    stored = storage.save_upload(ctx, upload(data, "../../etc/Surat Kuasa.PDF"), purpose="test")
    path = storage.path_of(stored)
    assert path.read_bytes() == data and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.kind == "pdf" and stored.page_count == 3 and stored.size == len(data)
    assert stored.original_name == "Surat Kuasa.pdf"
    assert "Surat" not in stored.stored_name and len(stored.stored_name) == 40
    assert Path(app.config["UPLOAD_DIR"]) in path.parents
    assert Path(app.static_folder) not in path.parents


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00" + b"\x00" * 200, "surat.pdf"),            # a Windows program named .pdf
    (b"<html><script>alert(1)</script></html>", "kpns.png"),  # HTML named .png
    (b"%PDF-1.7\n this is not really a pdf", "kuasa.pdf"),     # PDF magic, unreadable body
    (b"", "empty.pdf"),
])
def test_content_decides_not_the_name(ctx, data, name):
    with pytest.raises(DomainError):
        storage.save_upload(ctx, upload(data, name), purpose="test")


def test_allowed_kinds_are_enforced(ctx):
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, upload(png_bytes(), "x.png"), purpose="test", allowed=("pdf",))
    assert "PDF" in exc.value.message


def test_images_are_re_encoded_so_hidden_trailing_data_is_dropped(ctx):
    data = png_bytes() + b"<?php system($_GET['c']); ?>"
    stored = storage.save_upload(ctx, upload(data, "kpns.png"), purpose="test")
    kept = storage.read_bytes(stored)
    assert b"<?php" not in kept
    assert Image.open(io.BytesIO(kept)).size == (200, 120)


def test_jpeg_metadata_is_removed(ctx):
    out = io.BytesIO()
    image = Image.new("RGB", (60, 40), "red")
    exif = Image.Exif()
    exif[0x013B] = "Nama Pemilik Rahasia"  # Artist
    image.save(out, "JPEG", exif=exif)
    stored = storage.save_upload(ctx, upload(out.getvalue(), "foto.jpg"), purpose="test")
    assert stored.kind == "jpeg" and stored.original_name == "foto.jpg"
    assert b"Nama Pemilik Rahasia" not in storage.read_bytes(stored)


def test_pixel_cap_refuses_decompression_bombs(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, upload(png_bytes((200, 120)), "big.png"), purpose="test")
    assert exc.value.message == "Gambar terlalu besar: paling banyak 0 megapiksel yang diterima."


def test_size_limit_reads_no_more_than_the_limit(app, ctx, monkeypatch):
    from werkzeug.datastructures import FileStorage

    monkeypatch.setitem(app.config, "SEP_MAX_UPLOAD_BYTES", 1000)
    stream = io.BytesIO(pdf_bytes() + b"\0" * 5000)
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, FileStorage(stream=stream, filename="a.pdf"), purpose="test")
    assert stream.tell() == 1001
    assert exc.value.message == "Ukuran berkas melebihi 1 KB."  # the limit in words, in the reader's units


def test_preview_renders_pdf_pages_as_png(ctx):
    stored = storage.save_upload(ctx, upload(pdf_bytes(pages=2), "a.pdf"), purpose="test")
    assert storage.preview_pages(stored) == 2
    png = storage.preview_png(stored, 2)
    assert png.startswith(b"\x89PNG")
    with pytest.raises(IndexError):
        storage.preview_png(stored, 3)


def test_a_rolled_back_upload_leaves_no_file(ctx):
    stored = storage.save_upload(ctx, upload(pdf_bytes(), "a.pdf"), purpose="test")
    path = storage.path_of(stored)
    assert path.exists()
    ctx.rollback()
    assert not path.exists()
    kept = storage.save_upload(ctx, upload(pdf_bytes(), "b.pdf"), purpose="test")
    ctx.commit()
    assert storage.path_of(kept).exists()


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_files(ctx):
    stored = storage.save_upload(ctx, upload(pdf_bytes(), "a.pdf"), purpose="test")
    nested = ctx.begin_nested()
    ctx.execute(storage.StoredFile.__table__.select())
    nested.rollback()
    assert storage.path_of(stored).exists()
    ctx.commit()
    assert storage.path_of(stored).exists()


def _png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes claiming 2.5 billion pixels: a decompression bomb."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)  # a few rows; the rest would inflate later
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_decompression_bomb_png_is_refused_before_decoding(ctx, session):
    bomb = _png_bomb()
    assert len(bomb) < 5000
    before = session.query(storage.StoredFile).count()
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, upload(bomb, "kpns.png"), purpose="test")
    assert exc.value.message == "Gambar terlalu besar: paling banyak 40 megapiksel yang diterima."
    assert session.query(storage.StoredFile).count() == before


def test_a_small_pdf_with_a_huge_page_is_refused(ctx):
    """A few hundred bytes declaring a 5 × 5 metre page would take gigabytes to preview."""
    huge = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 14400 14400]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, upload(huge, "kuasa.pdf"), purpose="test")
    assert "14400 × 14400" in exc.value.message


def test_the_size_limit_reads_as_an_indonesian_number(app, ctx, monkeypatch):
    from werkzeug.datastructures import FileStorage

    monkeypatch.setitem(app.config, "SEP_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
    stream = io.BytesIO(pdf_bytes() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(DomainError) as exc:
        storage.save_upload(ctx, FileStorage(stream=stream, filename="a.pdf"), purpose="test")
    assert exc.value.message == "Ukuran berkas melebihi 5,0 MB."
