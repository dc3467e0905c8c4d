"""The dashboard, read through the features' own queries."""
from __future__ import annotations

from datetime import timedelta

from sep_portal.core import clock
from tests.abuse.test_pages import _case_with_warning
from tests.factories import sign_in


def test_the_dashboard_shows_a_warning_until_it_is_answered(client, app, factories, session):
    _body, _sekretaris, target, warning = _case_with_warning(client, app, factories, session)
    clock.advance(timedelta(seconds=30))
    sign_in(client, target, advance=False)
    page = client.get("/dasbor").get_data(as_text=True)
    assert warning.letter.number in page and f"/peringatan/{warning.id}" in page
    assert client.post(f"/peringatan/{warning.id}", data={"text": "Akun saya diretas."}).status_code == 302
    page = client.get("/dasbor").get_data(as_text=True)
    assert warning.letter.number not in page and 'class="alert alert-danger"' not in page


def test_the_dashboard_of_someone_never_warned(client, factories):
    sign_in(client, factories.user())
    response = client.get("/dasbor")
    assert response.status_code == 200 and 'class="alert alert-danger"' not in response.get_data(as_text=True)
