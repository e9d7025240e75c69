"""The audit log page is for CX managers; the admin shows the log and changes nothing."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from tests.conftest import PASSWORD
from tests.factories import UserFactory

URL = reverse("audit-log")


@pytest.fixture
def logged(db):
    audit_record(action=AuditAction.EXPORT, target="customers.csv", details={"file": "customers"})
    audit_record(action=AuditAction.API_KEY_CREATED, target="CRM production · cem_1a2b3c4d_…")


def test_a_manager_sees_recent_events_newest_first(manager_client, logged):
    response = manager_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("CRM production") < page.index("customers.csv")
    assert "API key created" in page and "Exported data" in page


def test_the_page_filters_by_action(manager_client, logged):
    response = manager_client.get(URL, {"action": AuditAction.EXPORT})
    assert [e.action for e in response.context["events"]] == [AuditAction.EXPORT]
    assert b"CRM production" not in response.content


def test_an_unknown_action_filter_shows_every_event(manager_client, logged):
    response = manager_client.get(URL, {"action": "nonsense"})
    assert response.status_code == 200
    assert {e.action for e in response.context["events"]} >= {AuditAction.EXPORT, AuditAction.API_KEY_CREATED}


def test_the_page_is_paged_with_a_fixed_number_of_queries(manager_client, db, django_assert_max_num_queries):
    for n in range(120):
        audit_record(action=AuditAction.EXPORT, target=f"file {n}")
    with django_assert_max_num_queries(8):
        response = manager_client.get(URL, {"page": 2})
    assert len(response.context["events"]) == 50


def test_managers_find_the_page_in_the_navigation_and_agents_do_not(manager_client, agent):
    assert b'href="/audit/"' in manager_client.get(reverse("home")).content
    manager_client.force_login(agent)
    assert b'href="/audit/"' not in manager_client.get(reverse("home")).content


def test_agents_and_users_without_a_role_get_403(client, agent, outsider):
    for user in (agent, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_admin_lists_events_but_offers_no_add_change_or_delete(client, logged):
    client.force_login(UserFactory(username="root-sam", password=PASSWORD, is_superuser=True, is_staff=True))
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"target": "forged", "action": "export"}
    )
    assert response.status_code == 403
    bulk = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).target == "customers.csv"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_managers_may_read_the_log_in_the_admin(manager):
    manager.is_staff = True
    manager.save()
    assert manager.has_perm("audit.view_auditevent")
    assert not manager.has_perm("audit.change_auditevent") and not manager.has_perm("audit.delete_auditevent")
