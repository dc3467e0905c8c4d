"""The knowledge base's lists and form actions: the one pager (page 2 keeps the search, the
category and the status; the number of pages is shown), and actions through run_action."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.models import Article, ArticleCategory
from tests.factories import pdf_bytes, sign_in, upload


@pytest.fixture
def agent(factories):
    return factories.user(roles=("helpdesk",))


def _articles(app, session, agent, titles, *, publish=True, **extra):
    with app.test_request_context():
        user = session.get(type(agent), agent.id)
        for title in titles:
            ops.create_article(session, user, {"title": title, "body": "Isi artikel.", **extra}, now=clock.now(),
                               publish=publish)
            clock.advance(timedelta(minutes=1))
        session.commit()


def _next(page: str) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)" rel="next"', page).group(1))


def _titles(page: str, prefix: str) -> set[str]:
    return set(re.findall(prefix + r" \d", page))


def test_page_two_of_a_search_and_of_a_category_keeps_them(app, client, session, agent, monkeypatch):
    akun = session.scalar(select(ArticleCategory).where(ArticleCategory.code == "akun"))
    _articles(app, session, agent, [f"Sandi akun {n}" for n in range(3)], category_id=akun.id)
    _articles(app, session, agent, [f"Sandi lain {n}" for n in range(2)])
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    for url, prefix, count, kept in (("/bantuan?q=sandi+akun", "Sandi akun", 3, "q=sandi"),
                                     ("/bantuan?kategori=akun", "Sandi akun", 3, "kategori=akun"),
                                     ("/bantuan", "Sandi", 5, "page=2")):
        page = client.get(url).get_data(as_text=True)
        assert f"Halaman 1 dari {-(-count // 2)}" in page, url
        link = _next(page)
        assert kept in link and "page=2" in link, (url, link)
        second = client.get(link).get_data(as_text=True)
        found = set(re.findall(prefix + r" [a-z]* ?\d", page)) | set(re.findall(prefix + r" [a-z]* ?\d", second))
        assert len(found) == min(count, 4), (url, found)


def test_page_two_of_the_editors_list_keeps_the_status_and_the_words(app, client, session, agent, monkeypatch):
    _articles(app, session, agent, [f"Draf surat {n}" for n in range(3)], publish=False)
    _articles(app, session, agent, ["Surat terbit 1"])
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    sign_in(client, agent)
    page = client.get("/bantuan/kelola/artikel?status=draft&q=surat").get_data(as_text=True)
    link = _next(page)
    assert "status=draft" in link and "q=surat" in link
    second = client.get(link).get_data(as_text=True)
    assert _titles(page, "Draf surat") | _titles(second, "Draf surat") == {f"Draf surat {n}" for n in range(3)}
    assert "Surat terbit" not in page + second


def test_page_two_of_the_sops(app, client, session, agent, monkeypatch):
    with app.test_request_context():
        user = session.get(type(agent), agent.id)
        for n in range(3):
            document = ops.create_sop(session, user, code=f"sop-{n}", title=f"Prosedur {n}", now=clock.now())
            ops.publish_sop_version(session, user, document.id, upload(pdf_bytes(), "a.pdf"), change_note="Baru",
                                    now=clock.now())
        session.commit()
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    page = client.get("/sop").get_data(as_text=True)
    second = client.get(_next(page)).get_data(as_text=True)
    assert _titles(page, "Prosedur") | _titles(second, "Prosedur") == {f"Prosedur {n}" for n in range(3)}


def test_a_second_publish_is_a_message_not_an_error(app, client, session, agent):
    _articles(app, session, agent, ["Sudah terbit"])
    article = session.scalar(select(Article).where(Article.title == "Sudah terbit"))
    sign_in(client, agent)
    response = client.post(f"/bantuan/kelola/artikel/{article.id}/terbitkan")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/bantuan/artikel/{article.slug}")
    assert "sudah diterbitkan" in client.get(response.headers["Location"]).get_data(as_text=True).lower()
    assert client.post(f"/bantuan/kelola/artikel/{article.id}/hapus").status_code == 404


def test_a_vote_needs_an_answer_and_the_token(app, client, session, agent, monkeypatch):
    _articles(app, session, agent, ["Bermanfaat"])
    article = session.scalar(select(Article).where(Article.title == "Bermanfaat"))
    assert client.post(f"/bantuan/artikel/{article.slug}/nilai", data={"helpful": "mungkin"}).status_code == 400
    assert client.post(f"/bantuan/artikel/{article.slug}/nilai", data={"helpful": "ya"}).status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/bantuan/artikel/{article.slug}/nilai", data={"helpful": "ya"}).status_code == 400
