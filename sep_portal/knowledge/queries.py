"""Read side of the knowledge base: the lists and lookups of its pages (articles, their search and
categories, the SOP library). Constant query count per page; relations a page does not show are
guarded by ``raiseload``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, raiseload

from sep_portal.core.pagination import Page, offset_page
from sep_portal.knowledge.models import ARTICLE_STATUSES, Article, ArticleCategory, SopDocument, SopVersion
from sep_portal.knowledge.search import search_statement

# Article lists show the title and the category (joined by the model), never the author.
_ARTICLE_ROW = (raiseload(Article.author),)


# -- categories ----------------------------------------------------------------------------------------

def categories(session: Session, *, active_only: bool = True) -> list[ArticleCategory]:
    """The headings in their order; ``active_only``: those readers and the article form see."""
    query = select(ArticleCategory).order_by(ArticleCategory.position, ArticleCategory.name)
    if active_only:
        query = query.where(ArticleCategory.active.is_(True))
    return list(session.scalars(query))


def published_counts(session: Session) -> dict[int | None, int]:
    """The number of published articles of each category, in one statement."""
    rows = session.execute(select(Article.category_id, func.count()).where(Article.status == "published")
                           .group_by(Article.category_id))
    return {category_id: count for category_id, count in rows}


# -- reading ---------------------------------------------------------------------------------------------

def published_articles(session: Session, *, q: str = "", category_id: int | None = None, page: int,
                       per_page: int) -> Page[Article]:
    """The readers' list: the best matches of ``q`` (every word), else the newest of the category
    (or of all). A search without words finds nothing."""
    if q:
        query = search_statement(session, q, include_drafts=False)
        if query is None:
            return Page([], 0, page, per_page)
    else:
        query = select(Article).where(Article.status == "published")
        if category_id is not None:
            query = query.where(Article.category_id == category_id)
        query = query.order_by(Article.published_at.desc(), Article.id.desc())
    return offset_page(session, query, page=page, per_page=per_page, options=_ARTICLE_ROW)


def article_by_slug(session: Session, slug: str) -> Article | None:
    return session.scalar(select(Article).where(Article.slug == slug))


# -- the editors' list -----------------------------------------------------------------------------------

@dataclass
class ArticleFilter:
    status: str = ""  # a status, or anything else for all
    q: str = ""  # words of the title or text; drafts included


def articles_to_manage(session: Session, flt: ArticleFilter, *, page: int, per_page: int) -> Page[Article]:
    """Every article for the helpdesk: the best matches of ``q``, else the last changed first."""
    query = search_statement(session, flt.q, include_drafts=True) if flt.q else None
    if query is None:
        query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if flt.status in ARTICLE_STATUSES:
        query = query.where(Article.status == flt.status)
    return offset_page(session, query, page=page, per_page=per_page, options=_ARTICLE_ROW)


# -- SOP ---------------------------------------------------------------------------------------------------

def sop_documents(session: Session, *, include_unpublished: bool, page: int, per_page: int) -> Page[SopDocument]:
    """The SOP library by category and title. Documents without any version yet are being
    prepared: only editors (``include_unpublished``) see them."""
    query = select(SopDocument)
    if not include_unpublished:
        query = query.where(select(SopVersion.id).where(SopVersion.document_id == SopDocument.id).exists())
    return offset_page(session, query.order_by(SopDocument.category, SopDocument.title), page=page,
                       per_page=per_page)


def sop_by_code(session: Session, code: str) -> SopDocument | None:
    return session.scalar(select(SopDocument).where(SopDocument.code == code))
