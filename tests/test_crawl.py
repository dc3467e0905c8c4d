"""The whole portal, walked: every GET route of the URL map × every role × both languages, on a
world holding something in every state of every workflow (tests/world.py).

A page fails the walk when it answers 5xx; when a role that should see it does not (or one that
should not, does); and, for its HTML: without exactly one <h1>, and in Indonesian when it shows a
message of the catalogue untranslated or a raw status or role code.

The table ``cases`` says for every endpoint how its parameters are filled from the world and who
sees each page. A route added later without parameters is walked without editing this file (the
walk reads the URL map): every role requests it, it must not fail, and somebody must see it.
A route with parameters the table cannot fill fails ``test_every_route_is_in_the_table`` until
the table knows it — so nobody adds a page that was never rendered with data.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from sep_portal.core import clock
from sep_portal.extensions import db
from tests.conftest import rolled_back
from tests.factories import Factories, sign_in
from tests.world import ROLES, World, build

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "sep_portal" / "translations" / "id" / "LC_MESSAGES" / "messages.po"

SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
REVIEWERS = frozenset({"verifikator", "pejabat"})
DITJEN = REVIEWERS | {"superadmin"}
EDITORS = frozenset({"helpdesk", "superadmin"})
OPERATOR = frozenset({"superadmin"})
REFUSED = (302, 401, 403, 404)


@dataclass(frozen=True)
class Case:
    params: dict[str, Any] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()  # who gets the page (200)
    refused: tuple[int, ...] = REFUSED  # what everybody else may get instead
    headers: dict[str, str] = field(default_factory=dict)
    label: str = ""
    known: bool = True  # False: a new route the table does not know; who sees it is not checked


def C(roles: frozenset[str] | set[str] = frozenset(), label: str = "", **params: Any) -> Case:  # noqa: N802
    return Case(params=params, roles=frozenset(roles), label=label)


def cases(w: World) -> dict[str, list[Case]]:
    """Every GET endpoint: its pages, filled from the world, and who sees each."""
    o, apps = w.objects, w.applications
    applicant = {"sekretaris_tanpa_badan"}
    reviewers_of_files = {"verifikator", "pejabat", "superadmin"}
    api = {"Authorization": f"Bearer {w.tokens['api']}"}
    return {
        # -- public and the account ----------------------------------------------------------------
        "main.index": [C({"anonymous"})],  # a signed-in person goes to the dashboard
        "main.healthz": [C(EVERYONE)],
        "main.dashboard": [C(SIGNED_IN)],
        "main.tasks": [C(SIGNED_IN)],
        "accounts.notifications": [C(SIGNED_IN)],
        "accounts.profile": [C(SIGNED_IN)],
        "accounts.security": [C(SIGNED_IN)],
        "auth.login": [C({"anonymous"})],
        "auth.register": [C({"anonymous"})],
        # The pages of an e-mailed link open for whoever follows it, signed in or not.
        "auth.forgot_password": [C(EVERYONE)],
        "auth.check_email": [C(EVERYONE)],
        "auth.totp": [C(label="without a password step first")],
        "auth.enrol": [C(label="without a password step first")],
        "auth.enrol_signed_in": [C(SIGNED_IN)],
        # The file of new recovery codes exists only right after they were shown: gone (410) here.
        "auth.recovery_codes_file": [Case(refused=(302, 410), label="no codes just made")],
        "auth.verify_email": [C(EVERYONE, token=w.tokens["verify_email"])],
        "auth.reset_password": [C(EVERYONE, token=w.tokens["reset_password"])],
        "auth.activate": [C(EVERYONE, token=w.tokens["activate"])],
        # -- applications -----------------------------------------------------------------------
        "applications.my_applications": [C({"sekretaris", "sekretaris_tanpa_badan"})],
        "applications.queue": [C(DITJEN)],
        "applications.detail": [
            C(applicant | (set() if status == "draft" else reviewers_of_files) if status != "approved"
              else reviewers_of_files, label=status, application_id=a.id)
            for status, a in apps.items()],
        # Identity documents: the applicant and the people who verify and decide, not the operator.
        "applications.download": [C(applicant | REVIEWERS, application_id=apps["submitted"].id,
                                    doc_id=o.document.id)],
        "applications.preview": [C(REVIEWERS, application_id=apps["submitted"].id, doc_id=o.document.id)],
        "applications.preview_page": [C(REVIEWERS, application_id=apps["submitted"].id, doc_id=o.document.id,
                                        page=1)],
        "applications.letter": [
            C(reviewers_of_files, label="approved", application_id=apps["approved"].id),
            C(applicant | reviewers_of_files, label="rejected", application_id=apps["rejected"].id)],
        "applications.verify_letter": [C(EVERYONE, code=o.letter.verify_code)],
        # -- misuse -------------------------------------------------------------------------------
        "abuse.report": [C(SIGNED_IN)],
        "abuse.report_sent": [C(EVERYONE)],
        "abuse.report_public": [C(EVERYONE)],
        "abuse.report_public_confirm": [C(EVERYONE, token=w.tokens["public_report"])],
        # The reporter follows their own reports; another's reference is a 404.
        "abuse.my_reports": [C(SIGNED_IN)],
        "abuse.my_report": [C({"asn"}, label=status, reference=r.reference) for status, r in o.my_reports.items()]
        + [C(label="someone else's", reference=o.others_report.reference)],
        "abuse.report_status": [C(EVERYONE, token=w.tokens["report_status"]),
                                C(label="a wrong token", token="x" * 43)],
                "abuse.cases": [C(REVIEWERS)],
        "abuse.case": [C(REVIEWERS, label=status, case_id=case.id) for status, case in w.cases.items()],
        "abuse.evidence": [C(REVIEWERS, case_id=w.cases["open"].id, evidence_id=o.evidence.id)],
        "abuse.my_warnings": [C(SIGNED_IN)],
        # The warned person's own page (the reviewers work from the case).
        "abuse.warning": [C({"asn"} if status == "issued" else set(), label=status, warning_id=warning.id)
                          for status, warning in w.warnings.items()],
        "abuse.warning_letter": [
            C(REVIEWERS | {"sekretaris"} | ({"asn"} if status == "issued" else set()), label=status,
              warning_id=warning.id) for status, warning in w.warnings.items()],
        "abuse.reply_file": [C(REVIEWERS | {"sekretaris"}, warning_id=w.warnings["replied"].id,
                               file_id=o.reply_file.id)],
        "abuse.reactivation_request": [C({"sekretaris"})],
        "abuse.reactivations": [C({"pejabat"})],
        "abuse.reactivation": [C({"pejabat"}, label=status, request_id=r.id) for status, r in w.reactivations.items()],
        "abuse.reactivation_letter": [C({"pejabat"}, label=status, request_id=w.reactivations[status].id)
                                      for status in ("approved", "rejected")],
        "abuse.categories": [C(OPERATOR)],
        # -- helpdesk and help ----------------------------------------------------------------------
        "helpdesk.my_tickets": [C(SIGNED_IN)],
        "helpdesk.new_ticket": [C(SIGNED_IN)],
        "helpdesk.ticket": [C({"asn", "helpdesk"}, label=status, ticket_id=t.id)
                            for status, t in w.tickets.items() if status != "public"]
        + [C({"helpdesk"}, label="public", ticket_id=w.tickets["public"].id)],
        "helpdesk.attachment": [
            C({"asn", "helpdesk"}, label="public", ticket_id=w.tickets["new"].id, attachment_id=o.attachment.id),
            C({"helpdesk"}, label="internal note", ticket_id=w.tickets["in_progress"].id,
              attachment_id=o.internal_attachment.id)],
        "helpdesk.public_form": [C({"anonymous"})],  # the signed-in use their own form
        "helpdesk.public_confirm": [C(EVERYONE, token=w.tokens["public_ticket_confirm"])],
        "helpdesk.public_ticket": [C(EVERYONE, ticket_id=w.tickets["public"].id, token=w.tokens["public_ticket"])],
        "helpdesk.public_attachment": [C(label="a ticket without that attachment", ticket_id=w.tickets["public"].id,
                                         token=w.tokens["public_ticket"], attachment_id=o.attachment.id)],
        "helpdesk.queue": [C({"helpdesk"})],
        "helpdesk.sla_targets": [C(OPERATOR)],
        "helpdesk_dashboard.dashboard": [C(DITJEN | {"helpdesk"})],
        "helpdesk_dashboard.export": [C(DITJEN | {"helpdesk"}, fmt=fmt) for fmt in ("csv", "xlsx")],
        "knowledge.help_index": [C(EVERYONE)],
        "knowledge.suggest": [C(EVERYONE)],
        "knowledge.article": [C(EVERYONE, slug=o.article.slug),
                              C(EDITORS, label="draft", slug=o.draft_article.slug)],
        "knowledge.manage_articles": [C(EDITORS)],
        "knowledge.new_article": [C(EDITORS)],
        "knowledge.edit_article": [C(EDITORS, article_id=o.article.id)],
        "knowledge.manage_categories": [C(EDITORS)],
        "helpdesk.services": [C(EVERYONE)],
        "helpdesk.service": [C(EVERYONE, code=o.service.code)],
        "helpdesk.manage_services": [C(OPERATOR)],
        "helpdesk.edit_service": [C(OPERATOR, code=o.service.code)],
        "knowledge.sops": [C(EVERYONE)],
        "knowledge.sop": [C(EVERYONE, code=o.sop.code)],
        "knowledge.sop_download": [C(EVERYONE, code=o.sop.code, number=1)],
        # -- bimtek -------------------------------------------------------------------------------
        "bimtek.index": [C(SIGNED_IN)],
        "bimtek.detail": [C(SIGNED_IN, label=status, session_id=b.id) for status, b in w.bimtek.items()],
        "bimtek.certificate": [C({"asn"}, session_id=w.bimtek["held"].id)],
        "bimtek.certificate_of": [C({"asn"} | EDITORS, session_id=w.bimtek["held"].id,
                                    user_id=w.people["asn"].id)],
        "bimtek.verify": [C(EVERYONE, code=w.registrations["attended"].certificate_code)],
        "bimtek.manage": [C(EDITORS)],
        "bimtek.manage_session": [C(EDITORS, label=status, session_id=b.id) for status, b in w.bimtek.items()],
        # -- tenants ------------------------------------------------------------------------------
        "tenants.my_body": [C({"sekretaris"})],  # a Sekretaris without a body has none to show (no link)
        "tenants.tembusan": [C({"sekretaris"}, label=c.kind, copy_id=c.id) for c in o.tembusan],
        "tenants.tembusan_file": [C({"sekretaris"}, label=c.kind, copy_id=c.id) for c in o.tembusan if c.letter_id],
        "tenants.handover_request": [C({"sekretaris_tanpa_badan"})],  # one with a body goes to its page
        "tenants.handovers": [C(REVIEWERS)],
        "tenants.handover": [C(REVIEWERS, label=status, handover_id=h.id) for status, h in w.handovers.items()],
        # The SK is a personal document: the requester's and the reviewers'.
        "tenants.handover_file": [
            C(REVIEWERS | ({"sekretaris_tanpa_badan"} if status == "refused" else set()), label=status,
              handover_id=h.id) for status, h in w.handovers.items()],
        "tenants.tenants": [C(DITJEN)],
        "tenants.tenant": [C(DITJEN, body_id=o.body.id),
                           C(DITJEN, label="suspended", body_id=o.suspended_body.id),
                           C(DITJEN, label="proposed", body_id=o.proposed_body.id)],
        "tenants.accounts": [C({"admin_pengelola"})],
        "tenants.account_new": [C({"admin_pengelola"})],
        "tenants.account": [C({"admin_pengelola"}, account_id=w.people["asn"].id)],
        "tenants.accounts_export": [C({"admin_pengelola"}, fmt=fmt) for fmt in ("csv", "xlsx")],
        "tenants.import_template": [C({"admin_pengelola"}, fmt=fmt) for fmt in ("csv", "xlsx")],
        "tenants.imports": [C({"admin_pengelola"})],
        "tenants.import_job": [C({"admin_pengelola"}, label=status, job_id=job.id)
                               for status, job in w.imports.items()],
        "tenants.import_report": [C({"admin_pengelola"}, label=status, job_id=job.id)
                                  for status, job in w.imports.items() if status == "invalid"],
        # -- operator ----------------------------------------------------------------------------
        "admin.calendar_page": [C(OPERATOR)],
        "admin.audit_page": [C(OPERATOR)],
        "admin.outbox_page": [C(OPERATOR)],
        "admin.outbox_message": [C(OPERATOR, message_id=o.outbox_message_id)],
        "admin.api_page": [C(OPERATOR)],
        "admin.accounts_page": [
            C(OPERATOR), C(OPERATOR, label="name", q="Dunia"), C(OPERATOR, label="anywhere", q="dunia", anywhere="y"),
            C(OPERATOR, label="nip", q=w.people["asn"].nip), C(OPERATOR, label="e-mail", q=w.people["asn"].email),
            C(OPERATOR, label="role", role="superadmin"), C(OPERATOR, label="no match", q="0000")],
        "admin.account_page": [C(OPERATOR, label=label, user_id=person.id) for label, person in (
            ("staff", w.people["verifikator"]), ("self", w.people["superadmin"]),
            ("tenant admin", w.people["admin_pengelola"]), ("asn", w.people["asn"]),
            ("disabled staff", o.disabled_staff), ("roles changed", o.moved_staff), ("2FA reset", o.totp_reset))],
        # -- the integration API: a service token, whoever is signed in -------------------------
        "api.openapi": [C(EVERYONE)],
        "api.lookup": [Case(params={"email": w.people["asn"].email}, roles=EVERYONE, headers=api)],
        "api.tenant_accounts": [Case(params={"code": o.body.code}, roles=EVERYONE, headers=api)],
    }


# -- the world, once per module; each test's changes rolled back ------------------------------------

@pytest.fixture(scope="module")
def world_db(app: Any) -> Iterator[tuple[Any, World]]:
    with rolled_back(app) as conn:
        session = db.bound(app).factory(expire_on_commit=False)
        try:
            yield conn, build(app, Factories(app, session))
        finally:
            clock.unfreeze()
            session.close()


@pytest.fixture
def world(app: Any, world_db: tuple[Any, World], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    conn, world = world_db
    nested = conn.begin_nested()
    # Five minutes on: the world's own sign-ins used the codes of its last minute.
    clock.freeze(world.now + timedelta(minutes=5))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # an error is a 500 in the walk
    monkeypatch.setitem(app.config, "SEP_PUBLIC_ABUSE_FORM", True)
    try:
        yield world
    finally:
        db.session.remove()
        if nested.is_active:
            nested.rollback()


# -- what a page must not show --------------------------------------------------------------------

class _Page(HTMLParser):
    """The text a person reads (and hears: labels, titles, placeholders), and the <h1> count."""

    SKIP = {"script", "style", "template"}
    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.h1 = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag == "h1":
            self.h1 += 1
        self.nodes.extend(value.strip() for name, value in attrs if name in self.SPOKEN and value and value.strip())
        if tag == "input" and ("type", "submit") in attrs:
            self.nodes.extend(value for name, value in attrs if name == "value" and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


# The placeholders that stand for a number formatted by core.formatting ("1.234"): a %(num)s is a
# number as much as a %(num)d is.
NUMBERS = {"%(num)s", "%(n)s", "%(done)s", "%(total)s", "%(rows)s"}


def _catalogue_checks() -> tuple[list[tuple[str, re.Pattern[str]]], set[str]]:
    """Patterns of every message whose Indonesian differs from its English: a multi-word message
    anywhere in the text (its placeholders standing for anything), a single word as a whole text
    node."""
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="id")
    phrases, words = [], set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or "<" in msgid or msgid in strings:
                continue
            text = " ".join(msgid.split())
            if " " not in text:
                if len(text) >= 4:
                    words.add(text)
                continue
            pieces = re.split(r"(%\(\w+\)[sd])", text)
            if max(len(p.strip()) for p in pieces[::2]) < 8:
                continue  # nothing left to recognise it by
            pattern = "".join(re.escape(p) if n % 2 == 0 else (r"\d[\d.,]*" if p.endswith("d") or p in NUMBERS
                                                               else r".{1,200}?")
                              for n, p in enumerate(pieces))
            phrases.append((text, re.compile(r"(?<![\w])" + pattern + r"(?![\w])")))
    return phrases, words


def _codes() -> set[str]:
    """Every status, role and kind code the models know: what the portal stores, not what people read."""
    from sep_portal.abuse import models as abuse
    from sep_portal.accounts.models import ACCOUNT_STATUSES
    from sep_portal.accounts.models import ROLES as ACCOUNT_ROLES
    from sep_portal.applications import models as applications
    from sep_portal.bimtek import models as bimtek
    from sep_portal.helpdesk import models as helpdesk
    from sep_portal.tenants import models as tenants

    return {*abuse.CASE_STATUSES, *abuse.WARNING_STATUSES, *abuse.REQUEST_STATUSES, *abuse.REPORTER_STATUSES,
            *ACCOUNT_STATUSES,
            *ACCOUNT_ROLES, *applications.STATUSES, *bimtek.SESSION_STATUSES, *bimtek.REGISTRATION_STATUSES,
            *bimtek.MODES, *helpdesk.STATUSES, *helpdesk.TICKET_TYPES, *tenants.BODY_KINDS,
            *tenants.IMPORT_STATUSES, *tenants.TENANT_STATUSES, *tenants.TEMBUSAN_KINDS,
            "pending", "sent", "failed"}  # the outbox


PHRASES, WORDS = _catalogue_checks()
CODES = _codes()
INTERNAL = re.compile(r"\b(?:user|system):\w+|\{\s*\"\w+\"\s*:")


def page_problems(html: str, *, indonesian: bool) -> list[str]:
    page = _Page()
    page.feed(html)
    problems = []
    if page.h1 != 1:
        problems.append(f"{page.h1} <h1> elements")
    text = " | ".join(page.nodes)
    for node in page.nodes:
        bare = node.strip("()[]:·,. ")
        if indonesian and bare in CODES and bare.islower():
            problems.append(f"raw code {node!r}")
        elif "_" in node and any(re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", node) for c in CODES if "_" in c):
            problems.append(f"raw code in {node!r}")
        if indonesian and node in WORDS:
            problems.append(f"untranslated {node!r}")
    if INTERNAL.search(text):
        problems.append(f"internal notation {INTERNAL.search(text).group(0)!r}")
    if indonesian:
        problems.extend(f"untranslated {msgid!r}" for msgid, pattern in PHRASES if pattern.search(text))
    return problems


# -- the walk ------------------------------------------------------------------------------------

def _client_for(app: Any, world: World, role: str, locale: str) -> Any:
    client = app.test_client()
    person = world.people[role]
    if person is None:
        with client.session_transaction() as s:
            s["lang"] = locale
        return client
    with app.app_context():
        from sep_portal.accounts.models import User

        db.session.get(User, person.id).locale = locale
        db.session.commit()
    sign_in(client, person)
    return client


def _url(app: Any, endpoint: str, params: dict[str, Any]) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint, **params)


def _get_rules(url_map: Any) -> list[Any]:
    return [rule for rule in url_map.iter_rules()
            if "GET" in (rule.methods or ()) and rule.endpoint != "static"]


def walk(url_map: Any, table: dict[str, list[Case]]) -> dict[str, list[Case]]:
    """The table, and every route of the URL map it does not know that needs no parameter."""
    walked = dict(table)
    for rule in _get_rules(url_map):
        if rule.endpoint not in walked and not rule.arguments:
            walked[rule.endpoint] = [Case(roles=EVERYONE, known=False)]
    return walked


def test_every_route_is_in_the_table(app: Any, world: World) -> None:
    """A page with parameters gets into the walk with its parameters and readers, or this fails."""
    table = cases(world)
    endpoints = {rule.endpoint for rule in _get_rules(app.url_map)}
    missing = sorted(rule.endpoint for rule in _get_rules(app.url_map)
                     if rule.endpoint not in table and rule.arguments)
    stale = sorted(set(table) - endpoints)
    assert not missing, f"routes the crawl does not know how to fill: {missing}"
    assert not stale, f"endpoints in the table that no longer exist: {stale}"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in table:
            for case in table[rule.endpoint]:
                assert rule.arguments <= set(case.params), (rule.endpoint, rule.arguments - set(case.params))


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(app: Any, world: World, role: str, locale: str) -> None:
    client = _client_for(app, world, role, locale)
    failures = []
    for endpoint, pages in sorted(walk(app.url_map, cases(world)).items()):
        for case in pages:
            url = _url(app, endpoint, case.params)
            response = client.get(url, headers=case.headers)
            where = f"{endpoint}{f' [{case.label}]' if case.label else ''} {url}"
            status = response.status_code
            if status >= 500:
                failures.append(f"{where}: {status}")
                continue
            if not case.known:
                pass  # who should see a page the table does not know: see test_new_routes_are_seen
            elif role in case.roles and status != 200:
                failures.append(f"{where}: {status}, should be visible to {role}")
                continue
            elif role not in case.roles and status not in case.refused:
                failures.append(f"{where}: {status}, should not be visible to {role}")
                continue
            if status == 200 and response.mimetype == "text/html":
                failures.extend(f"{where}: {problem}"
                                for problem in page_problems(response.get_data(as_text=True),
                                                             indonesian=locale == "id"))
    assert not failures, f"{len(failures)} problems as {role} ({locale}):\n" + "\n".join(failures)


def test_new_routes_are_walked_and_seen(app: Any, world: World) -> None:
    """A route without parameters that the table does not know is walked from the URL map (the
    walk checks it for every role), and somebody gets it; one with parameters is not guessed."""
    from werkzeug.routing import Map, Rule

    new = [endpoint for endpoint, pages in walk(app.url_map, cases(world)).items() if not pages[0].known]
    for endpoint in new:
        seen = [role for role in ROLES
                if _client_for(app, world, role, "id").get(_url(app, endpoint, {})).status_code == 200]
        assert seen, f"{endpoint}: no role sees it"
    later = Map([Rule("/baru", endpoint="later.page", methods=["GET"]),
                 Rule("/baru/<int:n>", endpoint="later.item", methods=["GET"]),
                 Rule("/dasbor", endpoint="main.dashboard", methods=["GET"])])
    walked = walk(later, {"main.dashboard": [C(SIGNED_IN)]})
    assert not walked["later.page"][0].known and walked["main.dashboard"][0].known
    assert "later.item" not in walked


def test_the_world_has_every_state(world: World) -> None:
    """The walk is only as good as its world: every status of every workflow is in it."""
    from sep_portal.abuse.models import CASE_STATUSES, REQUEST_STATUSES, WARNING_STATUSES
    from sep_portal.applications.models import STATUSES as APPLICATION_STATUSES
    from sep_portal.bimtek.models import REGISTRATION_STATUSES, SESSION_STATUSES
    from sep_portal.helpdesk.models import STATUSES as TICKET_STATUSES

    def statuses(objects: dict[str, Any]) -> set[str]:
        return {o.status for o in objects.values()}

    assert statuses(world.applications) == set(APPLICATION_STATUSES)
    assert world.applications["recommended"].recommendation == "approve"
    assert statuses(world.cases) == set(CASE_STATUSES)
    assert statuses(world.warnings) == set(WARNING_STATUSES)
    assert statuses(world.reactivations) == set(REQUEST_STATUSES)
    assert statuses(world.tickets) == set(TICKET_STATUSES)
    assert statuses(world.bimtek) == set(SESSION_STATUSES)
    assert statuses(world.registrations) == set(REGISTRATION_STATUSES)
    assert {"imported", "checked", "invalid"} <= statuses(world.imports)
    assert {c.kind for c in world.objects.tembusan} >= {"warning_letter", "warning_reply", "other"}


def test_page_problems_are_found() -> None:
    """The checks themselves: what they catch and what they let pass."""
    good = "<html><body><h1>Permohonan saya</h1><p>Dikirim</p></body></html>"
    assert page_problems(good, indonesian=True) == []
    assert page_problems("<h1>a</h1><h1>b</h1>", indonesian=False) == ["2 <h1> elements"]
    assert page_problems("<p>x</p>", indonesian=False) == ["0 <h1> elements"]
    assert "raw code 'pending'" in page_problems("<h1>a</h1><td>pending</td>", indonesian=True)
    assert any("raw code in" in p for p in page_problems("<h1>a</h1><td>Budi (admin_pengelola)</td>",
                                                         indonesian=False))
    assert any("untranslated" in p for p in page_problems(
        "<h1>a</h1><div>Please correct the marked fields.</div>", indonesian=True))
    assert any("internal notation" in p for p in page_problems("<h1>a</h1><td>user:3</td>", indonesian=False))
    assert page_problems("<h1>a</h1><td>pending</td>", indonesian=False) == []
