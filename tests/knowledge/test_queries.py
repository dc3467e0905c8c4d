"""The knowledge base's read side (knowledge/queries.py): readers' and editors' lists, categories
and the SOP library, each a page with its total."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import InvalidRequestError

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge import queries
from tests.factories import pdf_bytes, upload


@pytest.fixture
def editor(ctx, factories):
    return ctx.get(User, factories.user(roles=("helpdesk",)).id)


def _article(ctx, editor, title, *, publish=True, **extra):
    return ops.create_article(ctx, editor, {"title": title, "body": "Isi artikel.", **extra}, now=clock.now(),
                              publish=publish)


def _titles(page) -> list[str]:
    return [a.title for a in page]


def test_readers_get_published_articles_newest_first_by_category_or_search(ctx, editor):
    akun = next(c for c in queries.categories(ctx) if c.code == "akun")
    _article(ctx, editor, "Akun terkunci", category_id=akun.id)
    clock.advance(timedelta(minutes=1))
    _article(ctx, editor, "Surat keluar")
    _article(ctx, editor, "Akun draf", publish=False, category_id=akun.id)
    assert _titles(queries.published_articles(ctx, page=1, per_page=10)) == ["Surat keluar", "Akun terkunci"]
    assert _titles(queries.published_articles(ctx, category_id=akun.id, page=1, per_page=10)) == ["Akun terkunci"]
    assert _titles(queries.published_articles(ctx, q="akun", page=1, per_page=10)) == ["Akun terkunci"]
    assert queries.published_articles(ctx, q="?!", page=1, per_page=10).total == 0  # no words: nothing
    page = queries.published_articles(ctx, page=2, per_page=1)
    assert page.total == 2 and page.pages == 2 and _titles(page) == ["Akun terkunci"]
    assert queries.published_counts(ctx)[akun.id] == 1


def test_editors_see_drafts_filtered_by_status_and_words(ctx, editor):
    _article(ctx, editor, "Akun terkunci")
    _article(ctx, editor, "Akun draf", publish=False)
    flt = queries.ArticleFilter
    assert sorted(_titles(queries.articles_to_manage(ctx, flt(), page=1, per_page=10))) == ["Akun draf",
                                                                                           "Akun terkunci"]
    assert _titles(queries.articles_to_manage(ctx, flt(status="draft"), page=1, per_page=10)) == ["Akun draf"]
    assert _titles(queries.articles_to_manage(ctx, flt(status="published", q="akun"), page=1,
                                              per_page=10)) == ["Akun terkunci"]


def test_an_article_list_does_not_load_authors_row_by_row(ctx, editor):
    _article(ctx, editor, "Akun terkunci")
    ctx.flush()
    ctx.expunge_all()
    row = queries.published_articles(ctx, page=1, per_page=5).rows[0]
    with pytest.raises(InvalidRequestError):
        row.author  # noqa: B018


def test_categories_switched_off_are_only_for_the_editors(ctx, editor):
    category = ops.add_category(ctx, editor, code="surat", name="Surat")
    ops.set_category_active(ctx, editor, category.id, active=False)
    assert category not in queries.categories(ctx)
    assert category in queries.categories(ctx, active_only=False)


def test_sops_without_a_version_are_listed_only_for_editors(ctx, editor):
    ready = ops.create_sop(ctx, editor, code="sop-siap", title="SOP siap", now=clock.now())
    ops.publish_sop_version(ctx, editor, ready.id, upload(pdf_bytes(), "a.pdf"), change_note="Baru", now=clock.now())
    ops.create_sop(ctx, editor, code="sop-draf", title="SOP belum terbit", now=clock.now())
    readers = queries.sop_documents(ctx, include_unpublished=False, page=1, per_page=10)
    editors = queries.sop_documents(ctx, include_unpublished=True, page=1, per_page=10)
    assert [d.code for d in readers] == ["sop-siap"] and readers.total == 1
    assert sorted(d.code for d in editors) == ["sop-draf", "sop-siap"]
    assert queries.sop_by_code(ctx, "sop-siap") is ready and queries.sop_by_code(ctx, "tidak-ada") is None
