"""Full-text search of the knowledge base, on SQLite (LIKE fallback) and PostgreSQL (tsvector)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from sep_portal.core import clock
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.search import search_articles, words_of


@pytest.fixture
def agent(ctx, factories):
    user = factories.user(roles=("helpdesk",))
    return ctx.get(type(user), user.id)


def _article(ctx, agent, title, body, *, publish=True, **extra):
    return ops.create_article(ctx, agent, {"title": title, "body": body, **extra}, now=clock.now(), publish=publish)


@pytest.fixture
def articles(ctx, agent):
    return {
        "sandi": _article(ctx, agent, "Lupa kata sandi", "Gunakan tautan Lupa kata sandi pada halaman masuk."),
        "aktivasi": _article(ctx, agent, "Aktivasi akun baru",
                             "Buka tautan aktivasi, buat kata sandi, lalu daftarkan verifikasi dua langkah."),
        "cuti": _article(ctx, agent, "Mengajukan cuti di SEP", "Menu kepegawaian memuat formulir cuti.",
                         title_en="Requesting leave in SEP", body_en="The personnel menu holds the leave form."),
        "draft": _article(ctx, agent, "Kata sandi kedaluwarsa", "Draf tentang kata sandi yang kedaluwarsa.",
                          publish=False),
    }


def _slugs(rows):
    return [a.slug for a in rows]


def test_every_word_must_match_and_title_matches_rank_first(ctx, articles):
    rows = search_articles(ctx, "kata sandi")
    # Both published articles mention "kata sandi"; the one with it in the title comes first; no draft.
    assert _slugs(rows) == ["lupa-kata-sandi", "aktivasi-akun-baru"]
    assert _slugs(search_articles(ctx, "sandi aktivasi")) == ["aktivasi-akun-baru"]
    assert search_articles(ctx, "sandi pensiun") == []


def test_the_last_word_matches_as_a_prefix_while_typing(ctx, articles):
    assert _slugs(search_articles(ctx, "kata san")) == ["lupa-kata-sandi", "aktivasi-akun-baru"]
    assert _slugs(search_articles(ctx, "akti")) == ["aktivasi-akun-baru"]


def test_drafts_only_on_request_and_english_texts_are_searched(ctx, articles):
    assert "kata-sandi-kedaluwarsa" not in _slugs(search_articles(ctx, "kedaluwarsa"))
    assert _slugs(search_articles(ctx, "kedaluwarsa", include_drafts=True)) == ["kata-sandi-kedaluwarsa"]
    assert _slugs(search_articles(ctx, "leave form")) == ["mengajukan-cuti-di-sep"]


def test_limit_offset_and_harmless_input(ctx, articles):
    assert _slugs(search_articles(ctx, "kata sandi", limit=1)) == ["lupa-kata-sandi"]
    assert _slugs(search_articles(ctx, "kata sandi", limit=1, offset=1)) == ["aktivasi-akun-baru"]
    assert search_articles(ctx, "") == [] and search_articles(ctx, "  !?  ") == []
    # tsquery and LIKE syntax in the query are words or nothing, never an error.
    assert _slugs(search_articles(ctx, "sandi'&|!:* %_\\")) == ["lupa-kata-sandi", "aktivasi-akun-baru"]
    assert words_of("Kata  SANDI, lupa?") == ["kata", "sandi", "lupa"]


def test_an_edited_article_is_found_by_its_new_words_only(ctx, agent, articles):
    article = articles["cuti"]
    ops.update_article(ctx, agent, article.id, {"title": "Mengajukan izin di SEP", "body": "Formulir izin harian.",
                                                "language": "id"}, now=clock.now())
    assert _slugs(search_articles(ctx, "izin harian")) == ["mengajukan-cuti-di-sep"]  # the address stays
    assert search_articles(ctx, "cuti") == [] and search_articles(ctx, "leave") == []


@pytest.mark.postgres
def test_postgresql_keeps_a_tsvector_and_uses_its_gin_index(ctx, articles):
    vector = ctx.scalar(text("SELECT search_vector::text FROM articles WHERE slug = 'lupa-kata-sandi'"))
    assert "'sandi':" in vector and "'halaman':" in vector
    ctx.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(ctx.scalars(text(
        "EXPLAIN SELECT id FROM articles WHERE search_vector @@ to_tsquery('simple', 'sandi')")))
    assert "ix_articles_search" in plan
