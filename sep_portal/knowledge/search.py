"""Full-text search of the knowledge base.

PostgreSQL: the ``articles.search_vector`` tsvector (kept by a trigger, GIN-indexed) against a
``to_tsquery('simple', …)`` of the words, all required (any, for suggestions), the last one as
a prefix so suggestions follow typing; ranked by ``ts_rank`` (titles weigh more). Elsewhere (SQLite): every word must
appear in a title or body (LIKE), ranked by the number of words found in the title.
"""
from __future__ import annotations

import re

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from sep_portal.knowledge.models import Article

MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits


def words_of(query: str) -> list[str]:
    """The searchable words of ``query``: letters and digits only (so nothing in it can be tsquery
    or LIKE syntax), lower case, at most MAX_WORDS."""
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_WORDS]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _postgresql(query: Select[tuple[Article]], words: list[str], any_word: bool) -> Select[tuple[Article]]:
    # Words are letters and digits only: quoting them is enough to make a valid tsquery.
    terms = [f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"]
    tsquery = func.to_tsquery("simple", literal((" | " if any_word else " & ").join(terms)))
    rank = func.ts_rank(Article.search_vector, tsquery)
    return query.where(Article.search_vector.op("@@")(tsquery)).order_by(rank.desc())


def _fallback(query: Select[tuple[Article]], words: list[str], any_word: bool) -> Select[tuple[Article]]:
    title_hits, hits, found = literal(0), literal(0), []
    for word in words:
        pattern = f"%{_escape_like(word)}%"
        fields = (Article.title, Article.body, Article.title_en, Article.body_en)
        anywhere = or_(*(func.lower(f).like(pattern, escape="\\") for f in fields))
        found.append(anywhere)
        hits = hits + case((anywhere, 1), else_=0)
        title_hits = title_hits + case((or_(func.lower(Article.title).like(pattern, escape="\\"),
                                            func.lower(Article.title_en).like(pattern, escape="\\")), 1), else_=0)
    query = query.where(or_(*found)) if any_word else query.where(*found)
    return query.order_by(hits.desc(), title_hits.desc())


def search_statement(session: Session, query: str, *, include_drafts: bool = False,
                     any_word: bool = False) -> Select[tuple[Article]] | None:
    """The ranked SELECT behind search_articles (callers may add conditions), or None for a query
    without words. ``any_word``: an article matching some of the words is enough (suggestions
    while a subject is typed), best matches first; words under three letters are then ignored."""
    words = words_of(query)
    if any_word:
        words = [w for w in words if len(w) >= 3]
    if not words:
        return None
    statement = select(Article)
    if not include_drafts:
        statement = statement.where(Article.status == "published")
    if session.get_bind().dialect.name == "postgresql":
        statement = _postgresql(statement, words, any_word)
    else:
        statement = _fallback(statement, words, any_word)
    return statement.order_by(Article.published_at.desc().nulls_last(), Article.id.desc())


def search_articles(session: Session, query: str, *, limit: int = 10, offset: int = 0,
                    include_drafts: bool = False, any_word: bool = False) -> list[Article]:
    """Articles matching every word of ``query`` (or some, with ``any_word``), best first (then
    the newest). Published ones only unless ``include_drafts`` (helpdesk views). A query without
    words finds nothing."""
    statement = search_statement(session, query, include_drafts=include_drafts, any_word=any_word)
    if statement is None or limit <= 0:
        return []
    return list(session.scalars(statement.limit(limit).offset(max(0, offset))))
