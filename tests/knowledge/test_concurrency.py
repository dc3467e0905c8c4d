"""Votes and SOP versions under concurrency, on PostgreSQL with real threads and connections."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.extensions import db
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.models import Article, ArticleVote, SopVersion
from tests.factories import pdf_bytes, upload

pytestmark = pytest.mark.postgres


@pytest.fixture
def knowledge(app, real):  # noqa: F811
    """``real``, and this feature's committed rows removed before its users are."""
    yield real
    with db.bound(app).engine.begin() as conn:
        for table in ("article_votes", "articles", "sop_versions", "sop_documents"):
            conn.execute(text(f"DELETE FROM {table}"))


def test_concurrent_votes_are_all_counted_and_a_voter_only_once(app, knowledge, race):
    factories, session = knowledge
    agent = factories.user(roles=("helpdesk",))
    voters = [factories.user() for _ in range(5)]
    with app.test_request_context("/"):
        article = ops.create_article(db.session, db.session.get(User, agent.id), {"title": "Artikel", "body": "Isi"},
                                     now=clock.now(), publish=True)
        db.session.commit()
        article_id = article.id

    def vote(voter_id):
        def job(s):
            user = s.get(User, voter_id)
            return ops.vote_article(s, s.get(Article, article_id), voter=f"user:{voter_id}", user=user, helpful=True,
                                    now=clock.now())
        return job

    # Five people at once, and the first of them three times more at the same moment.
    results = race([vote(v.id) for v in voters] + [vote(voters[0].id) for _ in range(3)])
    assert not [r for r in results if isinstance(r, Exception)], results
    session.expire_all()
    assert session.get(Article, article_id).helpful_yes == 5
    assert session.scalar(select(func.count()).select_from(ArticleVote)) == 5


def test_two_versions_published_at_once_get_consecutive_numbers(app, knowledge, race):
    factories, session = knowledge
    agent = factories.user(roles=("helpdesk",))
    with app.test_request_context("/"):
        document = ops.create_sop(db.session, db.session.get(User, agent.id), code="sop-balapan", title="SOP",
                                  now=clock.now())
        db.session.commit()
        document_id = document.id

    def publish(note):
        return lambda s: ops.publish_sop_version(s, s.get(User, agent.id), document_id,
                                                 upload(pdf_bytes(note), "a.pdf"), change_note=note,
                                                 now=clock.now()).version

    results = race([publish("Satu"), publish("Dua")])
    assert sorted(results) == [1, 2], results
    assert sorted(session.scalars(select(SopVersion.version).where(SopVersion.document_id == document_id))) == [1, 2]
