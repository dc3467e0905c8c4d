"""The factories make what they say, in the state asked for."""
import pytest


@pytest.mark.parametrize("status", ["new", "assigned", "in_progress", "waiting", "resolved"])
def test_tickets_in_each_status(factories, status):
    assert factories.ticket(status=status).status == status


@pytest.mark.parametrize("status", ["open", "substantiated", "warned", "replied"])
def test_cases_in_each_status(factories, status):
    case = factories.case(status=status)
    assert case.status == status
    if status in ("warned", "replied"):
        assert case.warnings[-1].status == {"warned": "issued", "replied": "replied"}[status]


def test_articles_sops_services_and_bimtek(factories):
    assert factories.article().status == "published"
    assert factories.article(published=False).status == "draft"
    assert [v.version for v in factories.sop(versions=2).versions] == [2, 1]  # newest first
    assert factories.service().active
    assert factories.bimtek_session(capacity=5).status == "scheduled"
