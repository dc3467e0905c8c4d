"""FAQ articles with their categories and "was this helpful" votes; SOP documents and their
published versions."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base, sql_in
from sep_portal.core.permissions import HELPDESK, SUPERADMIN
from sep_portal.core.storage import StoredFile

ARTICLE_STATUSES = ("draft", "published")
LANGUAGES = ("id", "en")
EDITOR_ROLES = (HELPDESK, SUPERADMIN)


def can_edit_knowledge(user: Any) -> bool:
    """Helpdesk agents and the operator write, publish and see drafts; SOPs likewise."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_any_role(*EDITOR_ROLES))


class SearchVector(TypeDecorator[str]):
    """A ``tsvector`` on PostgreSQL, kept up to date by a trigger (migration 0009); plain text that
    stays empty elsewhere (SQLite searches the columns themselves)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class ArticleCategory(Base):
    """A heading of the knowledge base (Akun dan masuk, Aplikasi SEP, …), kept by the helpdesk."""

    __tablename__ = "article_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


def paragraphs(text: str | None) -> list[list[str]]:
    """Plain text split into paragraphs (blank lines) of lines: templates print each line escaped,
    so an article can never carry HTML or script."""
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [[line.rstrip() for line in block.split("\n")] for block in blocks if block.strip()]


class Article(Base):
    """A knowledge-base article in plain text: Indonesian first, with an optional English version."""

    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(ARTICLE_STATUSES)}", name="status"),
        CheckConstraint(f"language IN {sql_in(LANGUAGES)}", name="language"),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_has_time"),
        CheckConstraint("helpful_yes >= 0 AND helpful_no >= 0", name="votes"),
        Index("ix_articles_status", "status", "published_at"),
        Index("ix_articles_category", "category_id", "status", "published_at"),
        Index("ix_articles_search", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("article_categories.id"))
    language: Mapped[str] = mapped_column(String(2), default="id")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    # Never read or written by the application: PostgreSQL's trigger fills it from the texts.
    search_vector: Mapped[str | None] = mapped_column(SearchVector(), deferred=True)

    category: Mapped[ArticleCategory | None] = relationship(lazy="joined")
    author: Mapped[User] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def can_view(self, user: Any) -> bool:
        return self.is_published or can_edit_knowledge(user)

    def can_edit(self, user: Any) -> bool:
        return can_edit_knowledge(user)

    def localized_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title

    def localized_body(self, locale: str) -> str:
        return self.body_en if locale == "en" and self.body_en else self.body

    def paragraphs(self, locale: str) -> list[list[str]]:
        return paragraphs(self.localized_body(locale))


class ArticleVote(Base):
    """One "was this helpful" answer per voter and article: ``voter`` is ``user:<id>`` for a
    signed-in user, ``anon:<random key kept in the browser session>`` otherwise."""

    __tablename__ = "article_votes"
    __table_args__ = (UniqueConstraint("article_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SopDocument(Base):
    """A standard operating procedure for users of SEP; its content lives in its versions."""

    __tablename__ = "sop_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    versions: Mapped[list[SopVersion]] = relationship(back_populates="document", order_by="SopVersion.version.desc()",
                                                      lazy="selectin")

    @property
    def current(self) -> SopVersion | None:
        return self.versions[0] if self.versions else None


class SopVersion(Base):
    """A published version (PDF). Versions are never replaced: a new one is added on top."""

    __tablename__ = "sop_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("sop_documents.id"))
    version: Mapped[int]
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    change_note: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    document: Mapped[SopDocument] = relationship(back_populates="versions")
    file: Mapped[StoredFile] = relationship(lazy="joined")
    published_by: Mapped[User] = relationship(lazy="joined")
