"""Knowledge base and SOP operations as plain functions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.storage import StoredFile
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.models import Article, ArticleVote, SopVersion
from tests.factories import pdf_bytes, png_bytes, upload


@pytest.fixture
def people(ctx, factories):
    users = {name: factories.user(roles=roles) for name, roles in
             (("agent", ("helpdesk",)), ("admin", ("superadmin",)), ("asn", ("asn",)), ("asn2", ("asn",)))}
    return {name: ctx.get(type(u), u.id) for name, u in users.items()}


def _actions(ctx, action, actor):
    # By actor too: committed tests (races on PostgreSQL) leave entries, and the log is append-only.
    return ctx.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor_id == actor.id)
                       .order_by(AuditEntry.seq)).all()


def test_an_article_is_written_published_and_withdrawn_with_audit(ctx, people):
    agent = people["agent"]
    article = ops.create_article(ctx, agent, {"title": "Lupa kata sandi?", "body": "Buka halaman masuk."},
                                 now=clock.now())
    assert (article.status, article.slug, article.language, article.published_at) == (
        "draft", "lupa-kata-sandi", "id", None)
    ops.publish_article(ctx, agent, article.id, now=clock.now())
    assert article.status == "published" and article.published_at == clock.now()
    with pytest.raises(ConflictError):
        ops.publish_article(ctx, agent, article.id, now=clock.now())
    ops.unpublish_article(ctx, agent, article.id, now=clock.now())
    assert article.status == "draft"
    ops.update_article(ctx, agent, article.id, {"title": "Lupa kata sandi", "body": "Buka halaman masuk SEP."},
                       now=clock.now())
    assert article.slug == "lupa-kata-sandi" and article.body == "Buka halaman masuk SEP."
    for action in ("created", "published", "unpublished", "updated"):
        entries = _actions(ctx, f"knowledge.article_{action}", agent)
        assert len(entries) == 1 and entries[0].target_id == str(article.id) and entries[0].actor_id == agent.id
    assert _actions(ctx, "knowledge.article_updated", agent)[0].after == {"title": "Lupa kata sandi",
                                                                   "body": "Buka halaman masuk SEP."}
    # A second article with the same title gets its own address; "saran" is never an article's.
    assert ops.create_article(ctx, agent, {"title": "Lupa kata sandi", "body": "x"}, now=clock.now()).slug == \
        "lupa-kata-sandi-2"
    assert ops.create_article(ctx, agent, {"title": "Saran", "body": "x"}, now=clock.now()).slug == "saran-2"


def test_only_the_helpdesk_and_the_operator_write(ctx, people):
    ops.create_article(ctx, people["admin"], {"title": "Oleh operator", "body": "Isi."}, now=clock.now())
    with pytest.raises(NotPermitted):
        ops.create_article(ctx, people["asn"], {"title": "Oleh ASN", "body": "Isi."}, now=clock.now())
    with pytest.raises(NotPermitted):
        ops.create_sop(ctx, people["asn"], code="sop-x", title="SOP", now=clock.now())


def test_bad_input_is_refused_with_the_field_named(ctx, people):
    agent = people["agent"]
    cases = [({"title": "", "body": "Isi"}, "title"), ({"title": "Judul", "body": "  "}, "body"),
             ({"title": "Judul", "body": "Isi", "title_en": "Title"}, "body_en"),
             ({"title": "Judul", "body": "Isi", "language": "fr"}, "language"),
             ({"title": "Judul", "body": "Isi", "category_id": 99999}, "category_id")]
    for fields, field in cases:
        with pytest.raises(DomainError) as error:
            ops.create_article(ctx, agent, fields, now=clock.now())
        assert error.value.field == field
    assert ctx.scalar(select(func.count()).select_from(Article)) == 0


def test_votes_count_once_per_voter_and_may_change(ctx, people):
    agent, asn, asn2 = people["agent"], people["asn"], people["asn2"]
    article = ops.create_article(ctx, agent, {"title": "Artikel", "body": "Isi"}, now=clock.now(), publish=True)
    assert ops.vote_article(ctx, article, voter=f"user:{asn.id}", user=asn, helpful=True, now=clock.now())
    assert not ops.vote_article(ctx, article, voter=f"user:{asn.id}", user=asn, helpful=True, now=clock.now())
    ops.vote_article(ctx, article, voter=f"user:{asn2.id}", user=asn2, helpful=True, now=clock.now())
    ops.vote_article(ctx, article, voter="anon:abc", user=None, helpful=False, now=clock.now())
    assert (article.helpful_yes, article.helpful_no) == (2, 1)
    assert ops.vote_article(ctx, article, voter=f"user:{asn.id}", user=asn, helpful=False, now=clock.now())
    assert (article.helpful_yes, article.helpful_no) == (1, 2)
    assert ctx.scalar(select(func.count()).select_from(ArticleVote)) == 3
    draft = ops.create_article(ctx, agent, {"title": "Draf", "body": "Isi"}, now=clock.now())
    with pytest.raises(DomainError):
        ops.vote_article(ctx, draft, voter=f"user:{asn.id}", user=asn, helpful=True, now=clock.now())


def test_a_new_sop_version_keeps_the_old_one(ctx, people):
    agent = people["agent"]
    document = ops.create_sop(ctx, agent, code="sop-aktivasi", title="SOP Aktivasi Akun", now=clock.now())
    first = ops.publish_sop_version(ctx, agent, document.id, upload(pdf_bytes("Versi satu"), "v1.pdf"),
                                    change_note="Terbitan pertama.", now=clock.now())
    second = ops.publish_sop_version(ctx, agent, document.id, upload(pdf_bytes("Versi dua"), "v2.pdf"),
                                     change_note="Langkah 3 diperjelas.", now=clock.now())
    assert (first.version, second.version) == (1, 2)
    assert document.current.id == second.id and [v.version for v in document.versions] == [2, 1]
    assert first.file_id != second.file_id and ctx.get(StoredFile, first.file_id) is not None
    assert [e.after["version"] for e in _actions(ctx, "knowledge.sop_version_published", agent)] == [1, 2]
    with pytest.raises(DomainError) as error:  # PDF only, checked by content
        ops.publish_sop_version(ctx, agent, document.id, upload(png_bytes(), "v3.pdf"), change_note="x",
                                now=clock.now())
    assert error.value.field == "file"
    with pytest.raises(DomainError) as error:
        ops.publish_sop_version(ctx, agent, document.id, upload(pdf_bytes(), "v3.pdf"), change_note=" ",
                                now=clock.now())
    assert error.value.field == "change_note"
    assert ctx.scalar(select(func.count()).select_from(SopVersion)) == 2
    with pytest.raises(DomainError) as error:
        ops.create_sop(ctx, agent, code="sop-aktivasi", title="Lagi", now=clock.now())
    assert error.value.field == "code"


def test_a_slug_taken_meanwhile_is_skipped(ctx, people, monkeypatch):
    agent = people["agent"]
    ops.create_article(ctx, agent, {"title": "Panduan", "body": "Isi"}, now=clock.now())
    # As if another agent saved "Panduan" between our look-up and our insert.
    monkeypatch.setattr(ops, "_free_slug", lambda session, title, calls=iter(["panduan", "panduan-2"]): next(calls))
    assert ops.create_article(ctx, agent, {"title": "Panduan", "body": "Isi"}, now=clock.now()).slug == "panduan-2"
