"""Knowledge-base pages (/bantuan) and the SOP library (/sop). Views translate HTTP into operations
(through ``run_action``) and queries; no SQL here. (The service catalogue, /layanan, is the
helpdesk's: helpdesk/views.py.)

Published articles and the SOPs are public (no sign-in): they help people who cannot sign in
either, and hold nothing confidential. Drafts and every editing page belong to the helpdesk and
the operator; anyone else gets 404 for a draft."""
from __future__ import annotations

import secrets
from typing import Any

from flask import abort, jsonify, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from sep_portal.core import clock, storage
from sep_portal.core.actions import run_action
from sep_portal.core.formatting import current_language
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import HELPDESK, SUPERADMIN, current_actor, require_role
from sep_portal.extensions import db, limit_from_config, limiter
from sep_portal.knowledge import bp, queries
from sep_portal.knowledge import operations as ops
from sep_portal.knowledge.forms import ArticleForm, CategoryForm, SopForm, SopVersionForm
from sep_portal.knowledge.models import (
    Article,
    ArticleCategory,
    SopDocument,
    can_edit_knowledge,
)
from sep_portal.knowledge.search import search_articles

EDITORS = (HELPDESK, SUPERADMIN)
SUGGESTIONS = 5
SUGGEST_MIN_CHARS = 3


# -- reading ----------------------------------------------------------------------------------------

@bp.route("/bantuan")
def help_index() -> Any:
    q = request.args.get("q", "").strip()[:200]
    category_code = request.args.get("kategori", "").strip()
    page, per_page = page_number(), page_size()
    categories = queries.categories(db.session)
    category = next((c for c in categories if c.code == category_code), None)
    if category_code and category is None:
        raise NotFound()
    result = queries.published_articles(db.session, q=q, category_id=category.id if category else None,
                                        page=page, per_page=per_page)
    return render_template("knowledge/index.html", q=q, result=result, categories=categories, category=category,
                           counts=queries.published_counts(db.session),
                           locale=current_language(), can_edit=can_edit_knowledge(current_user))


_suggest_limit = limit_from_config("SEP_SUGGEST_RATE_LIMIT")


@bp.route("/bantuan/artikel/saran")
@limiter.limit(_suggest_limit)
def suggest() -> Any:
    """Published articles for what is being typed (ticket form): at most five, none for fewer
    than three characters."""
    q = request.args.get("q", "").strip()[:200]
    articles = search_articles(db.session, q, limit=SUGGESTIONS, any_word=True) if len(q) >= SUGGEST_MIN_CHARS else []
    locale = current_language()
    return jsonify({"articles": [{"title": a.localized_title(locale),
                                  "url": url_for("knowledge.article", slug=a.slug)} for a in articles]})


def _article_by_slug(slug: str) -> Article:
    article = queries.article_by_slug(db.session, slug)
    if article is None or not article.can_view(current_user):
        raise NotFound()
    return article


@bp.route("/bantuan/artikel/<slug>")
def article(slug: str) -> Any:
    item = _article_by_slug(slug)
    return render_template("knowledge/article.html", article=item, locale=current_language(),
                           can_edit=can_edit_knowledge(current_user), confirm=ConfirmForm())


def _voter() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if "kb_voter" not in session:
        session["kb_voter"] = secrets.token_hex(16)
    return f"anon:{session['kb_voter']}"


@bp.route("/bantuan/artikel/<slug>/nilai", methods=["POST"])
@limiter.limit(_suggest_limit)
def vote(slug: str) -> Any:
    item = _article_by_slug(slug)
    answer = request.form.get("helpful")
    if answer not in ("ya", "tidak"):
        abort(400)
    return run_action(lambda: ops.vote_article(db.session, item, voter=_voter(),
                                               user=current_actor() if current_user.is_authenticated else None,
                                               helpful=answer == "ya", now=clock.now()),
                      success=_("Thank you for your feedback."),
                      redirect_to=url_for("knowledge.article", slug=slug) + "#feedback")


# -- writing (helpdesk, operator) ---------------------------------------------------------------------

@bp.route("/bantuan/kelola/artikel")
@require_role(*EDITORS)
def manage_articles() -> Any:
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()[:200]
    result = queries.articles_to_manage(db.session, queries.ArticleFilter(status=status, q=q), page=page_number(),
                                        per_page=page_size())
    return render_template("knowledge/manage.html", result=result, status=status, q=q, confirm=ConfirmForm())


def _article_form(form: ArticleForm, current: ArticleCategory | None = None) -> ArticleForm:
    """The active categories, and the article's own even when it has been switched off (saving
    the article must not drop it silently)."""
    categories = queries.categories(db.session)
    if current is not None and current not in categories:
        categories.append(current)
    form.category_id.choices = [("", _("— none —"))] + [(c.id, c.name) for c in categories]
    return form


def _article_fields(form: ArticleForm) -> dict[str, Any]:
    return {"title": form.title.data, "body": form.body.data, "title_en": form.title_en.data,
            "body_en": form.body_en.data, "language": form.language.data, "category_id": form.category_id.data}


def _edit_page(article_id: int | None) -> Any:
    return lambda form, status: (render_template("knowledge/edit.html", form=form, article=(
        _article_by_id(article_id) if article_id is not None else None)), status)


def _published_or_saved(item: Article) -> str:
    return _("The article was published.") if item.is_published else _("The draft was saved.")


def _article_url(item: Article) -> str:
    return url_for("knowledge.article", slug=item.slug)


@bp.route("/bantuan/kelola/artikel/baru", methods=["GET", "POST"])
@require_role(*EDITORS)
def new_article() -> Any:
    form = _article_form(ArticleForm())
    if request.method == "GET":
        return _edit_page(None)(form, 200)
    return run_action(lambda: ops.create_article(db.session, current_actor(), _article_fields(form), now=clock.now(),
                                                 publish=request.form.get("action") == "publish"),
                      form=form, render=_edit_page(None), success=_published_or_saved, redirect_to=_article_url,
                      back=url_for("knowledge.new_article"))


def _article_by_id(article_id: int) -> Article:
    item = db.session.get(Article, article_id)
    if item is None:
        raise NotFound()
    return item


@bp.route("/bantuan/kelola/artikel/<int:article_id>", methods=["GET", "POST"])
@require_role(*EDITORS)
def edit_article(article_id: int) -> Any:
    item = _article_by_id(article_id)
    form = _article_form(ArticleForm(obj=item), item.category)
    if request.method == "GET":
        return _edit_page(item.id)(form, 200)
    return run_action(lambda: ops.update_article(db.session, current_actor(), item.id, _article_fields(form),
                                                 now=clock.now()),
                      form=form, render=_edit_page(item.id), success=_("The article was saved."),
                      redirect_to=_article_url(item))


@bp.route("/bantuan/kelola/artikel/<int:article_id>/<action>", methods=["POST"])
@require_role(*EDITORS)
def article_status(article_id: int, action: str) -> Any:
    if action not in ("terbitkan", "tarik"):
        raise NotFound()
    item = _article_by_id(article_id)
    publish = action == "terbitkan"
    # A ConflictError (someone else was first) is the message on top of the article.
    return run_action(lambda: (ops.publish_article if publish else ops.unpublish_article)(
        db.session, current_actor(), item.id, now=clock.now()),
        success=_("The article was published.") if publish
        else _("The article was withdrawn: only the helpdesk sees it now."), redirect_to=_article_url(item))


def _categories_page(form: CategoryForm, status: int) -> Any:
    return render_template("knowledge/categories.html", form=form,
                           rows=queries.categories(db.session, active_only=False), confirm=ConfirmForm()), status


@bp.route("/bantuan/kelola/kategori", methods=["GET", "POST"])
@require_role(*EDITORS)
def manage_categories() -> Any:
    form = CategoryForm()
    if request.method == "GET":
        return _categories_page(form, 200)
    return run_action(lambda: ops.add_category(db.session, current_actor(), code=form.code.data, name=form.name.data,
                                               name_en=form.name_en.data, description=form.description.data,
                                               position=form.position.data or 0),
                      form=form, render=_categories_page, success=_("The category was added."),
                      redirect_to=url_for("knowledge.manage_categories"))


@bp.route("/bantuan/kelola/kategori/<int:category_id>/<action>", methods=["POST"])
@require_role(*EDITORS)
def category_toggle(category_id: int, action: str) -> Any:
    if action not in ("aktifkan", "nonaktifkan"):
        raise NotFound()
    return run_action(lambda: ops.set_category_active(db.session, current_actor(), category_id,
                                                      active=action == "aktifkan"),
                      redirect_to=url_for("knowledge.manage_categories"))


# -- SOP ----------------------------------------------------------------------------------------------

def _sops_page(form: SopForm | None, status: int) -> Any:
    result = queries.sop_documents(db.session, include_unpublished=can_edit_knowledge(current_user),
                                   page=page_number(), per_page=page_size())
    return render_template("knowledge/sops.html", result=result, form=form), status


@bp.route("/sop", methods=["GET", "POST"])
def sops() -> Any:
    form = SopForm() if can_edit_knowledge(current_user) else None
    if request.method == "GET":
        return _sops_page(form, 200)
    if form is None:
        abort(403)
    return run_action(lambda: ops.create_sop(db.session, current_actor(), code=form.code.data, title=form.title.data,
                                             description=form.description.data, category=form.category.data,
                                             now=clock.now()),
                      form=form, render=_sops_page, back=url_for("knowledge.sops"),
                      success=_("The SOP was created. Publish its first version now."),
                      redirect_to=lambda document: url_for("knowledge.sop", code=document.code))


def _sop(code: str) -> SopDocument:
    document = queries.sop_by_code(db.session, code)
    if document is None or (not document.versions and not can_edit_knowledge(current_user)):
        raise NotFound()
    return document


@bp.route("/sop/<code>", methods=["GET", "POST"])
def sop(code: str) -> Any:
    document = _sop(code)
    form = SopVersionForm() if can_edit_knowledge(current_user) else None

    def page(form: SopVersionForm | None, status: int) -> Any:
        return render_template("knowledge/sop.html", document=_sop(code), form=form), status

    if request.method == "GET":
        return page(form, 200)
    if form is None:
        abort(403)
    return run_action(lambda: ops.publish_sop_version(db.session, current_actor(), document.id,
                                                      request.files.get("file"), change_note=form.change_note.data,
                                                      now=clock.now()),
                      form=form, render=page, back=url_for("knowledge.sop", code=code),
                      success=lambda version: _("Version %(n)d was published.", n=version.version),
                      redirect_to=url_for("knowledge.sop", code=code))


@bp.route("/sop/<code>/versi/<int:number>")
def sop_download(code: str, number: int) -> Any:
    document = _sop(code)
    version = next((v for v in document.versions if v.version == number), None)
    if version is None:
        raise NotFound()
    return storage.send(version.file)


@bp.app_template_global("plain_paragraphs")
def _plain_paragraphs(text: str | None) -> list[list[str]]:
    from sep_portal.knowledge.models import paragraphs

    return paragraphs(text)
