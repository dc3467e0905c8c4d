"""The README's tour: a pejabat's dashboard with work waiting, at 1280 px and on a 390 px phone.
``SEP_TOUR_DIR=docs/tour make test`` (or pytest on this file) writes the pictures there."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import sign_in
from tests.factories import Factories

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_the_dashboard_pictures(browser, live_server, tmp_path, width, height):
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=clock.WIB))
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        f = Factories(live_server, session)
        pejabat = f.user(roles=("pejabat",), name="Dr. Sri Wahyuni, M.Kom.")
        f.application(stage="recommended")
        f.case(status="substantiated")
        session.refresh(pejabat)
    context = browser.new_context(base_url=live_server.base_url, locale="id-ID",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        sign_in(page, pejabat)
        assert page.locator("section[aria-labelledby='work-applications-decide'] a").count() >= 1
        out = Path(os.environ.get("SEP_TOUR_DIR") or tmp_path)
        out.mkdir(parents=True, exist_ok=True)
        picture = out / f"dasbor-pejabat-{width}.png"
        page.screenshot(path=str(picture), full_page=width > 480)
        assert picture.stat().st_size > 10_000
    finally:
        context.close()
