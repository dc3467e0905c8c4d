"""The rate limits of the public forms, with the limiter switched on (the suite otherwise runs
without it). One limiter serves every app in the process: it is switched off again afterwards."""
from __future__ import annotations

from typing import Any

import pytest

from config import TestConfig
from sep_portal import create_app
from sep_portal.extensions import limiter


@pytest.fixture
def limited_app(app: Any, connection: Any) -> Any:
    # A moving window: a fixed one would start afresh at a minute boundary in the middle of a test.
    limited = create_app(TestConfig, {"DATABASE_URL": app.config["DATABASE_URL"],
                                      "UPLOAD_DIR": app.config["UPLOAD_DIR"], "RATELIMIT_ENABLED": True,
                                      "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STRATEGY": "moving-window",
                                      "SEP_PUBLIC_TICKET_RATE_LIMIT": "3 per hour",
                                      "SEP_SUGGEST_RATE_LIMIT": "4 per minute"})
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = False


def test_the_public_ticket_form_and_suggestions_are_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/tiket/publik", data={"name": "", "email": "x"}).status_code for _ in range(4)]
    assert codes[:3] == [422, 422, 422] and codes[3] == 429
    other = limited_app.test_client()  # the limit is per client address: another one is not let in
    assert other.post("/tiket/publik", data={}, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 422
    assert client.get("/tiket/publik").status_code == 200  # reading the form is not limited
    codes = [client.get("/bantuan/artikel/saran?q=akun").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_a_rate_limited_api_client_gets_json(app, connection):
    limited = create_app(TestConfig, {"DATABASE_URL": app.config["DATABASE_URL"],
                                      "UPLOAD_DIR": app.config["UPLOAD_DIR"], "RATELIMIT_ENABLED": True,
                                      "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STRATEGY": "moving-window",
                                      "SEP_API_RATE_LIMIT": "2 per minute"})
    limiter.reset()
    try:
        client = limited.test_client()
        responses = [client.get("/api/v1/openapi.json") for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        assert responses[2].mimetype == "application/json"
        assert responses[2].get_json()["error"]["code"] == "rate_limited"
        assert client.get("/").status_code == 200  # the portal's own pages keep their HTML error page
    finally:
        limiter.reset()
        limiter.enabled = False
