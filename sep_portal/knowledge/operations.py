"""Knowledge base and SOP operations: plain functions, no HTTP. They flush; the caller commits
once. (The service catalogue and its standar pelayanan are the helpdesk's: helpdesk/operations.py.)"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.core import audit, storage
from sep_portal.core.db import add_unique, lock_row
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.knowledge.models import (
    LANGUAGES,
    Article,
    ArticleCategory,
    ArticleVote,
    SopDocument,
    SopVersion,
    can_edit_knowledge,
)

RESERVED_SLUGS = frozenset({"saran"})  # /bantuan/artikel/saran is the suggestion endpoint
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _ensure_editor(actor: User) -> None:
    if not can_edit_knowledge(actor):
        raise NotPermitted("knowledge")


def slugify(text: str, max_length: int = 100) -> str:
    """``"Lupa kata sandi?"`` → ``"lupa-kata-sandi"`` (ASCII, for URLs)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_length].strip("-")
    return slug or "artikel"


def _free_slug(session: Session, title: str) -> str:
    base = slugify(title)
    taken = set(session.scalars(select(Article.slug).where(Article.slug.like(f"{base}%"))))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -- categories -------------------------------------------------------------------------------------

def add_category(session: Session, actor: User, *, code: str, name: str, name_en: str | None = None,
                 description: str | None = None, position: int = 0) -> ArticleCategory:
    """A new heading of the knowledge base."""
    _ensure_editor(actor)
    code = (code or "").strip().lower()
    if not CODE.match(code):
        raise DomainError("code", _("Use lower-case letters, digits and hyphens (at most 40)."))
    if session.scalar(select(ArticleCategory.id).where(ArticleCategory.code == code)) is not None:
        raise DomainError("code", _("This code is already used."))
    if not (name or "").strip():
        raise DomainError("name", _("This field is required."))
    category = ArticleCategory(code=code, name=name.strip(), name_en=(name_en or "").strip() or None,
                               description=(description or "").strip() or None, position=position, active=True)
    if not add_unique(session, category):
        raise DomainError("code", _("This code is already used."))
    audit.record(session, actor, "knowledge.category_added", category, after={"code": code, "name": category.name})
    return category


def set_category_active(session: Session, actor: User, category_id: int, *, active: bool) -> ArticleCategory:
    """Switch a heading off (hidden from readers and from the article form; its articles stay
    readable and findable) or on again."""
    _ensure_editor(actor)
    category = session.get(ArticleCategory, category_id)
    if category is None:
        raise DomainError(None, _("The category no longer exists."))
    if category.active != active:
        category.active = active
        audit.record(session, actor, "knowledge.category_" + ("enabled" if active else "disabled"), category)
    return category


# -- articles ---------------------------------------------------------------------------------------

ARTICLE_FIELDS = ("title", "body", "title_en", "body_en", "language", "category_id")


def _clean_article(session: Session, fields: dict[str, Any], current_category_id: int | None = None) -> dict[str, Any]:
    clean = {k: (fields.get(k).strip() if isinstance(fields.get(k), str) else fields.get(k)) for k in ARTICLE_FIELDS}
    if not clean["title"]:
        raise DomainError("title", _("This field is required."))
    if not clean["body"]:
        raise DomainError("body", _("This field is required."))
    clean["title_en"] = clean["title_en"] or None
    clean["body_en"] = clean["body_en"] or None
    if bool(clean["title_en"]) != bool(clean["body_en"]):
        field = "body_en" if clean["title_en"] else "title_en"
        raise DomainError(field, _("Give both the English title and the English text, or neither."))
    clean["language"] = clean["language"] or "id"
    if clean["language"] not in LANGUAGES:
        raise DomainError("language", _("Choose a language from the list."))
    if clean["category_id"] is not None:
        category = session.get(ArticleCategory, clean["category_id"])
        if category is None or not (category.active or category.id == current_category_id):
            raise DomainError("category_id", _("Choose a category from the list."))
    return clean


def create_article(session: Session, actor: User, fields: dict[str, Any], *, now: datetime,
                   publish: bool = False) -> Article:
    """A new article, a draft unless ``publish``. Its address (slug) comes from the title and
    stays when the title changes later, so links keep working."""
    _ensure_editor(actor)
    clean = _clean_article(session, fields)
    for attempt in range(3):
        article = Article(slug=_free_slug(session, clean["title"]), author_id=actor.id, status="draft",
                          created_at=now, updated_at=now, **clean)
        try:
            with session.begin_nested():  # another agent may take the same address at the same moment
                session.add(article)
                session.flush()
            break
        except IntegrityError:
            if attempt == 2:
                raise ConflictError(_("Another article took this address just now. Save again.")) from None
    audit.record(session, actor, "knowledge.article_created", article,
                 after={"slug": article.slug, "title": article.title})
    if publish:
        publish_article(session, actor, article.id, now=now)
    return article


def update_article(session: Session, actor: User, article_id: int, fields: dict[str, Any], *,
                   now: datetime) -> Article:
    """Change the texts or the category (a published article stays published)."""
    _ensure_editor(actor)
    article = lock_row(session, Article, article_id)
    if article is None:
        raise DomainError(None, _("The article no longer exists."))
    clean = _clean_article(session, fields, current_category_id=article.category_id)
    before = {k: getattr(article, k) for k in ARTICLE_FIELDS if getattr(article, k) != clean[k]}
    if not before:
        return article
    for key in before:
        setattr(article, key, clean[key])
    article.updated_at = now
    session.flush()
    audit.record(session, actor, "knowledge.article_updated", article, before=before,
                 after={k: clean[k] for k in before})
    return article


def publish_article(session: Session, actor: User, article_id: int, *, now: datetime) -> Article:
    """Make a draft visible to everyone (also anonymous readers)."""
    return _set_status(session, actor, article_id, "published", now=now)


def unpublish_article(session: Session, actor: User, article_id: int, *, now: datetime) -> Article:
    """Take an article back to draft: only the helpdesk sees it again."""
    return _set_status(session, actor, article_id, "draft", now=now)


def _set_status(session: Session, actor: User, article_id: int, status: str, *, now: datetime) -> Article:
    _ensure_editor(actor)
    # A conditional UPDATE: of two agents pressing the same button, one changes the article.
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "published":
        values["published_at"] = now
    result = session.execute(update(Article).where(Article.id == article_id, Article.status != status).values(values),
                             execution_options={"synchronize_session": False})
    article = session.get(Article, article_id, populate_existing=True)
    if article is None:
        raise DomainError(None, _("The article no longer exists."))
    if result.rowcount != 1:
        raise ConflictError(_("The article is already published.") if status == "published"
                            else _("The article is already a draft."))
    audit.record(session, actor, "knowledge.article_" + ("published" if status == "published" else "unpublished"),
                 article, before={"status": "draft" if status == "published" else "published"},
                 after={"status": status})
    return article


def vote_article(session: Session, article: Article, *, voter: str, user: User | None, helpful: bool,
                 now: datetime) -> bool:
    """Record "was this helpful" for one voter (``user:<id>`` or ``anon:<key>``). A second vote of
    the same voter changes the answer instead of adding one. The counters move by SQL
    increments, so concurrent votes are all counted. True when a counter changed.

    Votes are feedback, not administrative actions: they are not written to the audit log (the
    vote row is their record)."""
    if not article.is_published:
        raise DomainError(None, _("Only published articles can be rated."))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = session.execute(insert(ArticleVote).values(
        article_id=article.id, voter=voter, user_id=user.id if user is not None else None, helpful=helpful,
        created_at=now).on_conflict_do_nothing(index_elements=["article_id", "voter"])
        .returning(ArticleVote.id)).scalar_one_or_none() is not None
    yes, no = (Article.helpful_yes, Article.helpful_no) if helpful else (Article.helpful_no, Article.helpful_yes)
    if inserted:
        values = {yes: yes + 1}
    else:
        changed = session.execute(update(ArticleVote).where(
            ArticleVote.article_id == article.id, ArticleVote.voter == voter, ArticleVote.helpful != helpful)
            .values(helpful=helpful, created_at=now), execution_options={"synchronize_session": False}).rowcount
        if changed != 1:
            return False
        values = {yes: yes + 1, no: no - 1}
    session.execute(update(Article).where(Article.id == article.id).values({c.key: v for c, v in values.items()}),
                    execution_options={"synchronize_session": False})
    session.refresh(article, ["helpful_yes", "helpful_no"])
    return True


# -- SOP --------------------------------------------------------------------------------------------

def create_sop(session: Session, actor: User, *, code: str, title: str, description: str | None = None,
               category: str | None = None, now: datetime) -> SopDocument:
    """A new SOP document, without a version yet (it is listed once one is published)."""
    _ensure_editor(actor)
    code = (code or "").strip().lower()
    if not CODE.match(code):
        raise DomainError("code", _("Use lower-case letters, digits and hyphens (at most 40)."))
    if session.scalar(select(SopDocument.id).where(SopDocument.code == code)) is not None:
        raise DomainError("code", _("This code is already used."))
    if not (title or "").strip():
        raise DomainError("title", _("This field is required."))
    document = SopDocument(code=code, title=title.strip(), description=(description or "").strip() or None,
                           category=(category or "").strip() or None, created_at=now, created_by_id=actor.id)
    if not add_unique(session, document):
        raise DomainError("code", _("This code is already used."))
    audit.record(session, actor, "knowledge.sop_created", document, after={"code": code, "title": document.title})
    return document


def publish_sop_version(session: Session, actor: User, document_id: int, upload: Any, *, change_note: str,
                        now: datetime) -> SopVersion:
    """Publish the next version (PDF) of an SOP. Earlier versions stay as they are, downloadable
    as history. The document row is locked, so two publications get consecutive numbers."""
    _ensure_editor(actor)
    if not (change_note or "").strip():
        raise DomainError("change_note", _("Say what changed in this version."))
    document = lock_row(session, SopDocument, document_id)
    if document is None:
        raise DomainError(None, _("The SOP no longer exists."))
    try:
        stored = storage.save_upload(session, upload, purpose="sop", created_by=actor, allowed=("pdf",))
    except DomainError as exc:
        raise DomainError("file", exc.message) from exc
    number = (session.scalar(select(func.max(SopVersion.version)).where(SopVersion.document_id == document.id))
              or 0) + 1
    version = SopVersion(document_id=document.id, version=number, file_id=stored.id, change_note=change_note.strip(),
                         published_at=now, published_by_id=actor.id)
    session.add(version)
    session.flush()
    session.expire(document, ["versions"])
    audit.record(session, actor, "knowledge.sop_version_published", document,
                 after={"version": number, "sha256": stored.sha256, "change_note": version.change_note})
    return version
