"""What the audit log records: sign-ins, failures, sign-outs, exports, role changes, API keys."""

import io
from uuid import uuid4

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from access.roles import AGENT, MANAGER
from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from tests.conftest import PASSWORD
from tests.factories import InteractionFactory, UserFactory

ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: sign-in failure counts must not leak between tests."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def only(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def root(db):
    return UserFactory(username="root-sam", password=PASSWORD, is_superuser=True, is_staff=True)


# --- the service ---------------------------------------------------------------------------------


def test_a_request_gives_the_actor_and_the_address(rf, manager):
    request = rf.get("/", REMOTE_ADDR=ADDRESS)
    request.user = manager
    event = audit_record(action=AuditAction.CUSTOMER_EXPORT, request=request, target="customer C-1")
    assert (event.actor, event.actor_label, event.ip, event.target) == (
        manager,
        "maya",
        ADDRESS,
        "customer C-1",
    )


def test_an_actor_given_wins_over_the_requests_user(rf, manager, agent):
    request = rf.get("/")
    request.user = agent
    assert audit_record(action=AuditAction.ERASURE, actor=manager, request=request).actor == manager


def test_without_actor_or_request_the_event_is_the_systems(db):
    event = audit_record(action=AuditAction.RETENTION, details={"anonymised": 12})
    assert (event.actor, event.actor_label, event.ip, event.details) == (None, "", None, {"anonymised": 12})


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(action="made_coffee")
    assert not AuditEvent.objects.exists()


def test_a_long_target_is_cut_and_an_odd_address_left_out(rf, db):
    request = rf.get("/", REMOTE_ADDR="not-an-address")
    event = audit_record(action=AuditAction.EXPORT, request=request, target="x" * 500)
    assert len(event.target) == 200 and event.ip is None


# --- sign-in, failure, sign-out --------------------------------------------------------------------


def test_signing_in_is_recorded_with_the_address(client, manager):
    response = client.post(
        reverse("login"), {"username": manager.username, "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    event = only(AuditAction.SIGN_IN)
    assert (event.actor, event.target, event.ip) == (manager, manager.username, ADDRESS)


def test_a_failed_sign_in_is_recorded_with_the_name_tried_and_never_the_password(client, manager):
    client.post(reverse("login"), {"username": "maya", "password": "hunter2-guess"}, REMOTE_ADDR=ADDRESS)
    event = only(AuditAction.SIGN_IN_FAILED)
    assert (event.actor, event.target, event.ip) == (None, "maya", ADDRESS)
    assert "hunter2" not in str(event.details)
    assert not events(AuditAction.SIGN_IN)


def test_a_failed_admin_sign_in_is_recorded_too(client, manager):
    client.post("/admin/login/", {"username": "nobody", "password": "x"})
    assert only(AuditAction.SIGN_IN_FAILED).target == "nobody"


def test_signing_out_is_recorded(client, manager):
    client.force_login(manager)
    client.post(reverse("logout"))
    event = only(AuditAction.SIGN_OUT)
    assert (event.actor, event.target) == (manager, manager.username)


def test_signing_out_when_not_signed_in_records_nothing(client, db):
    client.post(reverse("logout"))
    assert not events(AuditAction.SIGN_OUT)


# --- exports ----------------------------------------------------------------------------------------


def test_a_dashboard_csv_download_is_recorded_with_its_filters(manager_client, manager):
    url = reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"})
    response = manager_client.get(url, {"period": "last_90", "table": "summary"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    event = only(AuditAction.EXPORT)
    assert (event.actor, event.ip, event.target) == (manager, ADDRESS, "dashboard overview (csv)")
    assert event.details["format"] == "csv" and event.details["tables"] == ["summary"]
    assert event.details["filters"] == {"period": "last_90"}


def test_a_dashboard_workbook_download_is_recorded(manager_client):
    response = manager_client.get(reverse("dashboard-export", kwargs={"slug": "touchpoints", "fmt": "xlsx"}))
    assert response.status_code == 200
    event = only(AuditAction.EXPORT)
    assert event.details["dashboard"] == "touchpoints" and event.details["format"] == "xlsx"
    assert len(event.details["tables"]) >= 1


def test_a_refused_download_records_nothing(manager_client, agent):
    url = reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"})
    assert manager_client.get(url, {"table": "no-such-table"}).status_code == 400
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(url).status_code == 403
    assert not events(AuditAction.EXPORT)


@pytest.mark.parametrize("name", ["csv-export-customers", "csv-export-interactions"])
def test_a_workspace_csv_download_is_recorded(manager_client, manager, name):
    InteractionFactory()
    response = manager_client.get(reverse(name))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = only(AuditAction.EXPORT)
    assert event.actor == manager and event.target.endswith(".csv")


# --- role changes -----------------------------------------------------------------------------------


def test_groups_added_and_removed_are_recorded(agent):
    manager_group = Group.objects.get_or_create(name=MANAGER)[0]
    # The agent fixture's own grant is recorded too: count from here.
    before = AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).count()
    agent.groups.add(manager_group)
    agent.groups.remove(manager_group)
    changes = events(AuditAction.ROLE_CHANGE)[before:]
    assert [(e.target, e.details) for e in changes] == [
        ("alex", {"groups": {"added": [MANAGER]}}),
        ("alex", {"groups": {"removed": [MANAGER]}}),
    ]


def test_groups_cleared_or_changed_from_the_groups_side_are_recorded(agent, outsider):
    agent_group = Group.objects.get(name=AGENT)
    agent_group.user_set.add(outsider)
    outsider.groups.clear()
    details = [(e.target, e.details) for e in events(AuditAction.ROLE_CHANGE) if e.target == "olga"]
    assert details == [
        ("olga", {"groups": {"added": [AGENT]}}),
        ("olga", {"groups": {"removed": [AGENT]}}),
    ]


def test_staff_and_superuser_flags_changing_are_recorded(outsider):
    outsider.is_staff = True
    outsider.is_superuser = True
    outsider.save()
    event = only(AuditAction.ROLE_CHANGE)
    assert event.target == "olga"
    assert event.details == {
        "is_staff": {"from": False, "to": True},
        "is_superuser": {"from": False, "to": True},
    }


def test_saving_a_user_without_a_role_change_records_nothing(outsider, client):
    outsider.first_name = "Olga"
    outsider.save()
    client.post(reverse("login"), {"username": outsider.username, "password": PASSWORD})  # saves last_login
    assert not events(AuditAction.ROLE_CHANGE)


def test_a_new_superuser_is_recorded(db):
    UserFactory(username="root-new", is_superuser=True, is_staff=True)
    assert only(AuditAction.ROLE_CHANGE).details["is_superuser"] == {"from": False, "to": True}


def test_a_role_change_in_the_admin_is_attributed_to_whoever_made_it(client, root, outsider):
    client.force_login(root)
    agent_group = Group.objects.get_or_create(name=AGENT)[0]
    response = client.post(
        reverse("admin:auth_user_change", args=[outsider.pk]),
        {
            "username": outsider.username,
            "password": outsider.password,
            "is_active": "on",
            "is_staff": "on",
            "groups": [agent_group.pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2025-01-01",
            "initial-date_joined_1": "00:00:00",
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content[:2000]
    changes = [e for e in events(AuditAction.ROLE_CHANGE) if e.target == "olga"]
    assert {tuple(e.details) for e in changes} == {("is_staff",), ("groups",)}
    assert all(e.actor == root and e.ip == ADDRESS for e in changes)


# --- API keys ---------------------------------------------------------------------------------------


def test_creating_a_key_is_recorded_without_the_key(manager):
    api_key, key = api_key_create(name="CRM production", scopes=["customers:read"], created_by=manager)
    event = only(AuditAction.API_KEY_CREATED)
    assert event.actor == manager and "CRM production" in event.target
    assert event.details == {"name": "CRM production", "prefix": api_key.prefix, "scopes": ["customers:read"]}
    assert key not in str(event.details) + event.target


def test_a_key_made_with_the_command_is_recorded_as_the_systems(db):
    call_command("create_api_key", "--name", "Warehouse", stdout=io.StringIO())
    event = only(AuditAction.API_KEY_CREATED)
    assert event.actor is None and event.details["name"] == "Warehouse"


def test_a_key_added_in_the_admin_is_recorded_with_who_and_where(client, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:api_apikey_add"), {"name": "CRM", "scopes": ["customers:read"]}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200 and b"API key created" in response.content
    event = only(AuditAction.API_KEY_CREATED)
    assert (event.actor, event.ip) == (root, ADDRESS)


def test_revoking_a_key_in_the_admin_is_recorded_once(client, root):
    api_key, _ = api_key_create(name="Old CRM")
    client.force_login(root)
    for _ in range(2):
        client.post(
            reverse("admin:api_apikey_changelist"),
            {"action": "revoke", "_selected_action": [api_key.pk]},
            REMOTE_ADDR=ADDRESS,
        )
    assert ApiKey.objects.get().revoked_at is not None
    event = only(AuditAction.API_KEY_REVOKED)
    assert (event.actor, event.ip, event.details["prefix"]) == (root, ADDRESS, api_key.prefix)


def test_revoking_a_revoked_key_records_nothing_more(db):
    api_key, _ = api_key_create(name="Old CRM")
    api_key_revoke(api_key=api_key)
    api_key_revoke(api_key=api_key)
    assert len(events(AuditAction.API_KEY_REVOKED)) == 1
