"""Every application status reads as words, on the Sekretaris' own list too."""
from sep_portal.applications.labels import STATUS_LABELS, status_label
from sep_portal.applications.models import STATUSES
from tests.factories import sign_in


def test_every_status_has_words():
    assert set(STATUS_LABELS) == set(STATUSES)


def test_my_applications_lists_each_with_its_status_in_words(client, factories):
    """/permohonan once answered 500 as soon as one application existed."""
    applicant = factories.user(roles=("sekretaris",))
    factories.application(stage="draft", applicant=applicant)
    factories.application(stage="submitted", applicant=applicant)
    sign_in(client, applicant)
    page = client.get("/permohonan")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Draf" in text and "Diajukan" in text, text
    assert status_label("submitted") == "Submitted"  # outside a request: the English source


def test_every_automatic_check_has_words():
    """Each finding operations.submission_checks can write is named in applications.labels.CHECK_LABELS
    (the verifier's page and the audit log read it there)."""
    import re
    from pathlib import Path

    from sep_portal.applications import operations
    from sep_portal.applications.labels import CHECK_LABELS, check_text

    written = set(re.findall(r'"code": "(\w+)"', Path(operations.__file__).read_text(encoding="utf-8")))
    assert written and written <= set(CHECK_LABELS)
    assert check_text({"code": "nip_invalid", "detail": "18 digit"}).endswith("18 digit")
