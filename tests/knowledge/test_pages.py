"""Knowledge base and SOP pages through the test client."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.models import Article, ArticleVote, SopDocument
from tests.factories import pdf_bytes, sign_in


@pytest.fixture
def agent(factories):
    return factories.user(roles=("helpdesk",))


def _article(session, agent, title, body="Isi artikel.", *, publish=True, **extra):
    article = ops.create_article(session, session.get(type(agent), agent.id), {"title": title, "body": body, **extra},
                                 now=clock.now(), publish=publish)
    session.commit()
    return article


def test_anonymous_readers_see_published_articles_and_never_drafts(app, client, session, agent, factories):
    with app.test_request_context():
        _article(session, agent, "Lupa kata sandi", "Baris satu\nbaris dua\n\n<script>alert(1)</script>")
        _article(session, agent, "Kata sandi rahasia internal", "Draf.", publish=False)
    page = client.get("/bantuan").get_data(as_text=True)
    assert "Lupa kata sandi" in page and "rahasia internal" not in page
    found = client.get("/bantuan?q=kata+sandi").get_data(as_text=True)
    assert "/bantuan/artikel/lupa-kata-sandi" in found and "rahasia-internal" not in found
    article = client.get("/bantuan/artikel/lupa-kata-sandi").get_data(as_text=True)
    # Plain text: lines and paragraphs kept, HTML shown as text, never applied.
    assert "<p>Baris satu<br>baris dua</p>" in article
    assert "<script>alert" not in article and "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert client.get("/bantuan/artikel/kata-sandi-rahasia-internal").status_code == 404

    sign_in(client, factories.user(roles=("asn",)))
    assert client.get("/bantuan/artikel/kata-sandi-rahasia-internal").status_code == 404
    assert "rahasia internal" not in client.get("/bantuan?q=rahasia").get_data(as_text=True)
    client.post("/keluar")
    sign_in(client, agent)
    draft = client.get("/bantuan/artikel/kata-sandi-rahasia-internal")
    assert draft.status_code == 200 and "hanya helpdesk" in draft.get_data(as_text=True).lower()
    assert "rahasia internal" in client.get("/bantuan/kelola/artikel?q=rahasia").get_data(as_text=True)


def test_asn_cannot_write_articles(client, factories, session):
    assert client.get("/bantuan/kelola/artikel/baru").status_code == 302  # sign in first
    sign_in(client, factories.user(roles=("asn",)))
    assert client.get("/bantuan/kelola/artikel").status_code == 403
    response = client.post("/bantuan/kelola/artikel/baru", data={"title": "Judul", "body": "Isi", "language": "id",
                                                                 "action": "publish"})
    assert response.status_code == 403
    assert client.post("/bantuan/kelola/kategori", data={"code": "x", "name": "X"}).status_code == 403
    assert session.scalar(select(Article.id)) is None


def test_an_agent_writes_publishes_and_withdraws_through_the_pages(client, session, agent):
    sign_in(client, agent)
    bad = client.post("/bantuan/kelola/artikel/baru", data={"title": "Judul saja", "body": "", "language": "id"})
    assert bad.status_code == 422 and session.scalar(select(Article.id)) is None
    response = client.post("/bantuan/kelola/artikel/baru", data={
        "title": "Mengganti ponsel untuk verifikasi dua langkah", "body": "Gunakan kode pemulihan.",
        "language": "id", "category_id": "", "action": "draft"})
    assert response.status_code == 302
    article = session.scalar(select(Article))
    assert article.status == "draft" and response.headers["Location"].endswith(f"/bantuan/artikel/{article.slug}")
    assert client.post(f"/bantuan/kelola/artikel/{article.id}/terbitkan").status_code == 302
    session.refresh(article)
    assert article.status == "published"
    client.post("/keluar")
    assert client.get(f"/bantuan/artikel/{article.slug}").status_code == 200
    sign_in(client, agent)
    response = client.post(f"/bantuan/kelola/artikel/{article.id}", data={
        "title": "Mengganti ponsel", "body": "Gunakan kode pemulihan atau hubungi helpdesk.", "language": "id",
        "category_id": ""})
    assert response.status_code == 302
    assert client.post(f"/bantuan/kelola/artikel/{article.id}/tarik").status_code == 302
    session.refresh(article)
    assert (article.status, article.title, article.slug) == ("draft", "Mengganti ponsel", article.slug)
    client.post("/keluar")
    assert client.get(f"/bantuan/artikel/{article.slug}").status_code == 404


def test_helpful_votes_count_once_per_user_and_per_browser(app, client, session, agent, factories):
    with app.test_request_context():
        article = _article(session, agent, "Artikel bermanfaat")
    url = f"/bantuan/artikel/{article.slug}/nilai"
    for _ in range(3):
        assert client.post(url, data={"helpful": "ya"}).status_code == 302  # the same anonymous browser
    asn = factories.user(roles=("asn",))
    sign_in(client, asn)
    client.post(url, data={"helpful": "ya"})
    client.post(url, data={"helpful": "ya"})
    session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (2, 0)
    client.post(url, data={"helpful": "tidak"})  # changes the answer, does not add one
    session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    assert session.scalar(select(ArticleVote.voter).where(ArticleVote.user_id == asn.id)) == f"user:{asn.id}"
    assert client.post(url, data={"helpful": "mungkin"}).status_code == 400
    page = client.get(f"/bantuan/artikel/{article.slug}").get_data(as_text=True)
    assert "1 orang merasa artikel ini membantu" in page


def test_forms_need_the_csrf_token(app, client, session, agent, monkeypatch):
    with app.test_request_context():
        article = _article(session, agent, "Artikel CSRF")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/bantuan/artikel/{article.slug}/nilai", data={"helpful": "ya"}).status_code == 400
    session.refresh(article)
    assert article.helpful_yes == 0


def test_suggestions_while_a_ticket_is_typed(app, client, session, agent):
    with app.test_request_context():
        for n in range(7):
            _article(session, agent, f"Kata sandi bagian {n}")
        _article(session, agent, "Kata sandi draf", publish=False)
        _article(session, agent, "Aktivasi akun")
    data = client.get("/bantuan/artikel/saran?q=kata+sand").get_json()
    assert len(data["articles"]) == 5
    assert all(set(a) == {"title", "url"} and a["title"].startswith("Kata sandi bagian") for a in data["articles"])
    assert all(a["url"].startswith("/bantuan/artikel/kata-sandi-bagian-") for a in data["articles"])
    assert client.get("/bantuan/artikel/saran?q=aktivasi").get_json() == {
        "articles": [{"title": "Aktivasi akun", "url": "/bantuan/artikel/aktivasi-akun"}]}
    assert client.get("/bantuan/artikel/saran?q=ka").get_json() == {"articles": []}
    assert client.get("/bantuan/artikel/saran").get_json() == {"articles": []}
    assert client.get("/bantuan/artikel/saran?q=draf").get_json() == {"articles": []}
    # A subject is typed in the requester's words: an article sharing some of them is suggested,
    # the one sharing the most first; words under three letters do not count.
    titles = [a["title"] for a in client.get("/bantuan/artikel/saran?q=akun saya belum aktif di sini").get_json()[
        "articles"]]
    assert titles == ["Aktivasi akun"]
    titles = [a["title"] for a in client.get("/bantuan/artikel/saran?q=aktivasi akun setelah sandi lupa")
              .get_json()["articles"]]
    assert titles[0] == "Aktivasi akun" and len(titles) == 5  # two words found, then one


def test_a_new_sop_version_keeps_the_old_one_downloadable(client, session, agent, factories):
    sign_in(client, agent)
    assert client.post("/sop", data={"code": "sop-aktivasi", "title": "SOP Aktivasi Akun"}).status_code == 302
    v1, v2 = pdf_bytes("Versi satu"), pdf_bytes("Versi dua")
    for data, note in ((v1, "Terbitan pertama."), (v2, "Langkah 3 diperjelas.")):
        response = client.post("/sop/sop-aktivasi", data={"file": (io.BytesIO(data), "sop.pdf"), "change_note": note},
                               content_type="multipart/form-data")
        assert response.status_code == 302
    refused = client.post("/sop/sop-aktivasi", data={"file": (io.BytesIO(b"bukan pdf"), "sop.pdf"),
                                                     "change_note": "Rusak"}, content_type="multipart/form-data")
    assert refused.status_code == 422
    client.post("/sop", data={"code": "sop-kosong", "title": "Belum terbit"})
    client.post("/keluar")

    listing = client.get("/sop").get_data(as_text=True)  # public
    assert "SOP Aktivasi Akun" in listing and "Versi 2" in listing and "Belum terbit" not in listing
    page = client.get("/sop/sop-aktivasi").get_data(as_text=True)
    assert "Langkah 3 diperjelas." in page and "Terbitan pertama." in page
    first, second = client.get("/sop/sop-aktivasi/versi/1"), client.get("/sop/sop-aktivasi/versi/2")
    assert first.data == v1 and second.data == v2
    assert first.headers["Content-Disposition"].startswith("attachment")
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/sop/sop-aktivasi/versi/3").status_code == 404
    assert client.get("/sop/sop-kosong").status_code == 404
    document = session.scalar(select(SopDocument).where(SopDocument.code == "sop-aktivasi"))
    assert [v.version for v in document.versions] == [2, 1]

    sign_in(client, factories.user(roles=("asn",)))
    assert client.post("/sop", data={"code": "sop-asn", "title": "Dari ASN"}).status_code == 403
    assert client.post("/sop/sop-aktivasi", data={"change_note": "x"}).status_code == 403


def test_lists_run_the_same_queries_for_any_page_size(app, client, session, agent, assert_constant_queries):
    with app.test_request_context():
        for n in range(7):
            _article(session, agent, f"Artikel nomor {n}")
        user = session.get(type(agent), agent.id)
        for n in range(7):
            document = ops.create_sop(session, user, code=f"sop-{n}", title=f"SOP {n}", now=clock.now())
            from tests.factories import upload

            ops.publish_sop_version(session, user, document.id, upload(pdf_bytes(), "a.pdf"), change_note="Baru",
                                    now=clock.now())
        session.commit()
    assert_constant_queries("/bantuan")
    assert_constant_queries("/bantuan?q=artikel")
    assert_constant_queries("/sop")
    sign_in(client, agent)
    assert_constant_queries("/bantuan/kelola/artikel")


def test_an_agent_adds_a_category_and_readers_browse_by_it(client, session, agent):
    sign_in(client, agent)
    assert client.get("/bantuan/kelola/kategori").status_code == 200
    bad = client.post("/bantuan/kelola/kategori", data={"code": "Bukan Kode!", "name": "Surat"})
    assert bad.status_code == 422 and "huruf kecil" in bad.get_data(as_text=True).lower()
    assert client.post("/bantuan/kelola/kategori", data={"code": "surat", "name": "Surat dinas",
                                                         "name_en": "Official letters"}).status_code == 302
    from sep_portal.knowledge.models import ArticleCategory

    category = session.scalar(select(ArticleCategory).where(ArticleCategory.code == "surat"))
    client.post("/bantuan/kelola/artikel/baru", data={"title": "Membuat surat keluar", "body": "Menu Surat.",
                                                      "language": "id", "category_id": category.id,
                                                      "action": "publish"})
    client.post("/keluar")
    page = client.get("/bantuan?kategori=surat").get_data(as_text=True)
    assert "Surat dinas" in page and "Membuat surat keluar" in page
    assert "Membuat surat keluar" not in client.get("/bantuan?kategori=akun").get_data(as_text=True)
    assert client.get("/bantuan?kategori=tidak-ada").status_code == 404


def test_english_readers_get_the_english_version_when_there_is_one(app, client, session, agent, factories):
    with app.test_request_context():
        _article(session, agent, "Mengajukan cuti", "Buka menu kepegawaian.", title_en="Requesting leave",
                 body_en="Open the personnel menu.")
    sign_in(client, factories.user(roles=("asn",), locale="en"))
    page = client.get("/bantuan/artikel/mengajukan-cuti").get_data(as_text=True)
    assert "Requesting leave" in page and "Open the personnel menu." in page and "Buka menu" not in page
    assert client.get("/bantuan/artikel/saran?q=leave").get_json()["articles"][0]["title"] == "Requesting leave"


def test_a_category_switched_off_disappears_for_readers(app, client, session, agent):
    from sep_portal.knowledge.models import ArticleCategory

    category = session.scalar(select(ArticleCategory).where(ArticleCategory.code == "akun"))
    with app.test_request_context():
        _article(session, agent, "Akun terkunci", category_id=category.id)
        _article(session, agent, "Akun draf", category_id=category.id, publish=False)
    sign_in(client, agent)
    manage = client.get("/bantuan/kelola/artikel?q=akun&status=draft").get_data(as_text=True)
    assert "Akun draf" in manage and "Akun terkunci" not in manage
    assert client.post(f"/bantuan/kelola/kategori/{category.id}/nonaktifkan").status_code == 302
    session.refresh(category)
    assert category.active is False
    assert client.get("/bantuan?kategori=akun").status_code == 404
    assert "Akun terkunci" in client.get("/bantuan?q=terkunci").get_data(as_text=True)  # still readable
    article = session.scalar(select(Article).where(Article.slug == "akun-terkunci"))
    response = client.post(f"/bantuan/kelola/artikel/{article.id}", data={  # keeps its switched-off category
        "title": "Akun terkunci", "body": "Tunggu 15 menit.", "language": "id", "category_id": category.id})
    assert response.status_code == 302
    client.post(f"/bantuan/kelola/kategori/{category.id}/aktifkan")
    session.refresh(category)
    assert category.active is True


def test_an_article_in_a_switched_off_category_keeps_it_when_edited(client, session, agent):
    from sep_portal.knowledge.models import ArticleCategory

    category = session.scalar(select(ArticleCategory).where(ArticleCategory.code == "akun"))
    article = _article(session, agent, "Akun terkunci", category_id=category.id)
    category.active = False
    session.commit()
    sign_in(client, agent)
    page = client.get(f"/bantuan/kelola/artikel/{article.id}").get_data(as_text=True)
    assert f'<option selected value="{category.id}">' in page or f'value="{category.id}" selected' in page
    client.post(f"/bantuan/kelola/artikel/{article.id}", data={
        "title": "Akun terkunci", "body": "Isi baru.", "language": "id", "category_id": category.id})
    session.refresh(article)
    assert article.category_id == category.id and article.body == "Isi baru."
    assert "kategori=akun" not in client.get(f"/bantuan/artikel/{article.slug}").get_data(as_text=True)


def test_a_huge_page_number_shows_an_empty_page_not_an_error(client, agent):
    sign_in(client, agent)
    huge = "9" * 30
    for url in ("/bantuan", "/sop", "/bimtek", "/bimtek/kelola", "/bantuan/kelola/artikel", "/helpdesk",
                "/tiket"):
        assert client.get(f"{url}?page={huge}").status_code == 200, url
