"""Reads from a real streaming replica (``infra.replica``, ``infra.db_router``).

The pair is a private primary and its hot standby (``tests.replica_cluster``), and Django's
``default`` and ``replica`` point at them for this module. A row the replica cannot have yet is
made by pausing its replay (``pg_wal_replay_pause()``) and writing on the primary: a read that
does not see it was served by the replica, one that does by the primary.
"""

import contextvars
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, get_unique_databases_and_mirrors
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.roles import MANAGER
from analytics.models import RollupBucket, StaleKind
from analytics.selectors.freshness import rollups_stamp
from api.keys import api_key_create
from infra import replica
from infra.db_router import ReplicaRouter
from infra.replica import ON_PRIMARY, PIN_COOKIE, PRIMARY, REPLICA, replica_reads, replica_state

from ..conftest import PASSWORD
from ..factories import TouchpointFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pair(replica_databases, settings, monkeypatch):
    """The pair, replaying and caught up, with a lag measured afresh for every scope; left so."""
    settings.REPLICA_LAG_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_PIN_SECONDS = 5
    monkeypatch.setattr(replica, "_lag_check", replica._LagCheck(replica._measure))
    replica_databases.wait_replayed()
    yield replica_databases
    if not replica_databases.replica.accepting():
        replica_databases.replica.start()
        replica_databases.wait_streaming()
    if replica_databases.replay_paused():
        replica_databases.resume_replay()
    replica_databases.wait_replayed()


def _new_group(pair) -> str:
    """A row someone else wrote on the primary, streamed to the replica (which has it only once it
    replayed it); its name."""
    name = f"group-{uuid.uuid4().hex[:12]}"
    pair.primary.sql("INSERT INTO auth_group (name) VALUES (%s)", (name,))
    pair.wait_received()
    return name


def _seen(name: str) -> bool:
    return Group.objects.filter(name=name).exists()


def _in_recovery(alias: str) -> bool:
    """Whether the server behind ``alias``'s connection is a standby."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _lag_checks(queries: CaptureQueriesContext) -> int:
    return sum("pg_last_wal_replay_lsn" in query["sql"] for query in queries.captured_queries)


def test_reads_inside_the_scope_are_served_by_the_replica(pair):
    pair.pause_replay()
    name = _new_group(pair)
    with replica_reads() as state:
        assert state.alias == REPLICA
        assert Group.objects.all().db == REPLICA and _in_recovery(REPLICA)
        assert not _seen(name)  # the replica has not replayed it; the primary has it


def test_reads_outside_any_scope_are_served_by_the_primary(pair):
    pair.pause_replay()
    name = _new_group(pair)
    assert replica_state() == ON_PRIMARY
    assert Group.objects.all().db == PRIMARY and not _in_recovery(PRIMARY)
    assert _seen(name)


def test_a_write_in_the_scope_goes_to_the_primary_and_the_scopes_reads_follow_it(pair):
    pair.pause_replay()
    name = f"group-{uuid.uuid4().hex[:12]}"
    with replica_reads() as state:
        assert state.alias == REPLICA
        Group.objects.create(name=name)  # a standby refuses writes: this one reached the primary
        assert replica_state() == ON_PRIMARY
        assert _seen(name)
    assert pair.primary.sql("SELECT count(*) FROM auth_group WHERE name = %s", (name,)) == [(1,)]


def test_a_replica_with_wal_left_to_replay_past_the_limit_is_passed_over_until_it_caught_up(pair, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0
    pair.pause_replay()
    name = _new_group(pair)
    with replica_reads() as state:
        assert state == ON_PRIMARY
        assert _seen(name)
    pair.resume_replay()
    pair.wait_replayed()
    with replica_reads() as state:
        assert state == (REPLICA, 0.0)
        assert _seen(name)


def test_a_replica_with_nothing_left_to_replay_is_current_however_old_its_last_transaction(pair, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0
    (age,) = pair.replica.sql("SELECT now() - pg_last_xact_replay_timestamp() > interval '0'")[0]
    assert age  # measured by its last transaction's age, it would be "behind"
    with replica_reads() as state:
        assert state == (REPLICA, 0.0)


def test_a_scope_keeps_the_server_it_chose_when_it_opened(pair, settings):
    with replica_reads():
        settings.REPLICA_MAX_LAG_SECONDS = 0
        pair.pause_replay()
        name = _new_group(pair)
        assert replica_state().alias == REPLICA
        assert not _seen(name)


def test_reads_inside_a_transaction_of_the_primary_stay_there(pair):
    pair.pause_replay()
    name = f"group-{uuid.uuid4().hex[:12]}"
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        with transaction.atomic(), replica_reads() as state:
            Group.objects.create(name=name)
            assert state == ON_PRIMARY and _seen(name)
        with replica_reads() as state, transaction.atomic():
            assert state.alias == REPLICA
            assert Group.objects.all().db == PRIMARY and _seen(name)
    assert _lag_checks(on_replica) == 1  # the first scope did not even look at the replica


def test_the_rollups_stamp_in_the_scope_is_the_one_of_the_server_its_figures_come_from(pair):
    pair.pause_replay()
    RollupBucket.objects.create(
        kind=StaleKind.RESPONSE_DAY, day=date(2001, 1, 1), refreshed_at=timezone.now()
    )
    newest = rollups_stamp()
    with replica_reads():
        behind = rollups_stamp()
    # A page computed on the lagging replica is kept under the replica's older stamp, never under
    # the primary's newer one, whose entry only a read at least that new can fill.
    assert behind != newest
    pair.resume_replay()
    pair.wait_replayed()
    with replica_reads() as state:
        assert state.alias == REPLICA
        assert rollups_stamp() == newest


def test_an_unreachable_replica_is_passed_over_with_one_warning_until_it_is_back(pair, caplog):
    pair.replica.stop()
    with caplog.at_level(logging.WARNING, logger="infra.replica"):
        for _ in range(3):
            with replica_reads() as state:
                assert state == ON_PRIMARY
                assert Group.objects.filter(name=MANAGER).exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unreachable" in warnings[0]
    pair.replica.start()
    pair.wait_streaming()
    with replica_reads() as state:
        assert state.alias == REPLICA and _in_recovery(REPLICA)


def test_the_lag_is_measured_once_per_interval_per_process(pair, settings):
    settings.REPLICA_LAG_CHECK_SECONDS = 3600
    with CaptureQueriesContext(connections[REPLICA]) as queries:
        for _ in range(3):
            with replica_reads() as state:
                assert state.alias == REPLICA
    assert _lag_checks(queries) == 1


def test_the_decorator_opens_a_scope_per_call_and_a_new_thread_starts_outside_it(pair):
    seen = {}

    @replica_reads()
    def read() -> None:
        seen["call"] = replica_state().alias
        thread = threading.Thread(target=lambda: seen.update(thread=replica_state().alias))
        thread.start()
        thread.join()
        copied = contextvars.copy_context()
        in_copy = lambda: seen.update(copied=replica_state().alias)  # noqa: E731
        thread = threading.Thread(target=copied.run, args=(in_copy,))
        thread.start()
        thread.join()

    read()
    assert seen == {"call": REPLICA, "thread": PRIMARY, "copied": REPLICA}
    assert replica_state() == ON_PRIMARY


def test_migrations_are_allowed_on_the_primary_only_and_the_test_runner_mirrors_the_replica(pair):
    router = ReplicaRouter()
    models = apps.get_models()
    assert all(router.allow_migrate(PRIMARY, m._meta.app_label, m._meta.model_name) for m in models)
    assert not any(router.allow_migrate(REPLICA, m._meta.app_label, m._meta.model_name) for m in models)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        call_command("migrate", interactive=False, verbosity=0)
    assert on_replica.captured_queries == []
    test_databases, mirrored = get_unique_databases_and_mirrors()
    assert mirrored == {REPLICA: PRIMARY} and len(test_databases) == 1


# --- Pages: the sticky primary after a write, and which pages read the replica ---------------


def _manager():
    user = UserFactory(username=f"manager-{uuid.uuid4().hex[:8]}", password=PASSWORD)
    user.groups.add(Group.objects.get(name=MANAGER))
    return user


@pytest.fixture
def manager_client(pair, client):
    client.force_login(_manager())
    pair.wait_replayed()
    return client


def _queries_on_each(client, url: str) -> tuple[list[str], list[str]]:
    with (
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [q["sql"] for q in on_primary.captured_queries], [q["sql"] for q in on_replica.captured_queries]


def test_a_dashboard_reads_its_stamp_and_figures_on_the_replica(manager_client):
    on_primary, on_replica = _queries_on_each(manager_client, reverse("dashboard-overview"))
    assert any("analytics_rollupbucket" in sql for sql in on_replica)
    # The sign-in and role checks before the scope read the primary; nothing of the page does.
    assert not any("analytics_" in sql for sql in on_primary)


def test_a_post_pins_the_visitor_to_the_primary_for_a_few_seconds(pair, client):
    username = _manager().username
    pair.wait_replayed()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[PIN_COOKIE]["max-age"] == 5
    on_primary, on_replica = _queries_on_each(client, reverse("dashboard-overview"))
    assert on_replica == []
    assert any("analytics_rollupbucket" in sql for sql in on_primary)


def test_a_refused_post_does_not_pin(manager_client):
    response = manager_client.post(reverse("dashboard-overview"))
    assert response.status_code == 405
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("offset", "pinned"),
    [(2, True), (-1, False), (3600, False)],
    ids=["within-its-time", "past-its-time", "longer-than-a-pin-lasts"],
)
def test_a_pin_holds_only_for_its_time(manager_client, offset, pinned):
    manager_client.cookies[PIN_COOKIE] = f"{time.time() + offset:.3f}"
    _, on_replica = _queries_on_each(manager_client, reverse("dashboard-overview"))
    assert (on_replica == []) is pinned


TOUCHPOINT = object()  # the id of a touchpoint made for the test
DASHBOARDS = {
    "overview": ("dashboard-overview", {}),
    "touchpoints": ("dashboard-touchpoints", {}),
    "touchpoint-detail": ("dashboard-touchpoint-detail", {"touchpoint_id": TOUCHPOINT}),
    "journeys": ("dashboard-journeys", {}),
    "drivers": ("dashboard-drivers", {}),
    "comments": ("dashboard-comments", {}),
    "export-csv": ("dashboard-export", {"slug": "overview", "fmt": "csv"}),
    "export-xlsx": ("dashboard-export", {"slug": "touchpoints", "fmt": "xlsx"}),
}


@pytest.mark.parametrize(("name", "kwargs"), DASHBOARDS.values(), ids=DASHBOARDS.keys())
def test_every_dashboard_page_and_download_reads_the_replica(manager_client, pair, name, kwargs):
    if kwargs.get("touchpoint_id") is TOUCHPOINT:
        kwargs = {"touchpoint_id": TouchpointFactory(code=f"tp-{uuid.uuid4().hex[:8]}").id}
        pair.wait_replayed()
    _, on_replica = _queries_on_each(manager_client, reverse(name, kwargs=kwargs))
    assert sum("pg_last_wal_replay_lsn" not in sql for sql in on_replica) > 0


@pytest.mark.parametrize("metric", ["nps", "csat", "ces", "expectation", "peak-end", "drivers"])
def test_every_metrics_call_reads_the_replica(pair, metric):
    _, key = api_key_create(name=f"replica-{metric}", scopes=["metrics:read"])
    pair.wait_replayed()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    params = {"journey_map": 1} if metric == "peak-end" else {}
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(f"/api/v1/metrics/{metric}/", params)
    assert response.status_code in (200, 400), response.content[:500]
    assert len(on_replica.captured_queries) > _lag_checks(on_replica)


def _customers_exported(client) -> set[str]:
    response = client.post(reverse("export-new"), {"kind": "customers", "file_format": "csv"})
    assert response.status_code == 200, response.content[:300]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    return {line.split(",")[0] for line in lines[1:]}


def test_a_raw_export_streams_from_the_replica_and_from_the_primary_once_it_lags(pair, settings):
    manager = UserFactory(username=f"m-{uuid.uuid4().hex[:8]}", password=PASSWORD)
    manager.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    pair.wait_replayed()
    client = Client()
    client.force_login(manager)
    pair.pause_replay()
    external_id = f"NEW-{uuid.uuid4().hex[:8]}"
    pair.primary.sql(
        "INSERT INTO touchpoints_customer (external_id, name, email, phone, locale, segment, value_tier, "
        "email_opt_out, attributes, created_at, updated_at) "
        "VALUES (%s, 'New', '', '', 'en', '', 'standard', false, '{}', now(), now())",
        (external_id,),
    )
    pair.wait_received()

    assert external_id not in _customers_exported(client)  # the replica has not replayed it

    settings.REPLICA_MAX_LAG_SECONDS = 0  # now it is too far behind: the primary serves
    assert external_id in _customers_exported(client)


# --- Settings ------------------------------------------------------------------------------

SETTINGS_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import Group
from django.test.utils import get_unique_databases_and_mirrors
from infra.db_router import ReplicaRouter
from infra.replica import replica_reads, replica_state
with replica_reads() as state:
    in_scope = [list(state), Group.objects.all().db, ReplicaRouter().db_for_read(Group)]
print(json.dumps({
    "databases": {alias: {k: db.get(k) for k in ("HOST", "PORT", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS",
                 "TEST", "OPTIONS")} for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "pin_middleware": "infra.replica.ReplicaPinMiddleware" in settings.MIDDLEWARE,
    "mirrored": get_unique_databases_and_mirrors()[1],
    "in_scope": in_scope,
}))
"""


def _settings_with(**env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    # A primary nobody listens on: any query the probe made would fail it.
    environment.update(DJANGO_SETTINGS_MODULE="cem.settings", DATABASE_URL="postgres://x@127.0.0.1:9/x")
    environment.update(env)
    probe = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout)


def test_a_replica_url_adds_the_replica_with_the_primarys_connection_options_and_the_router():
    found = _settings_with(DATABASE_REPLICA_URL="postgres://reader@127.0.0.1:9/cem", DJANGO_CONN_MAX_AGE="17")
    replica_db = found["databases"]["replica"]
    assert (replica_db["HOST"], replica_db["PORT"]) == ("127.0.0.1", 9)
    assert (replica_db["CONN_MAX_AGE"], replica_db["CONN_HEALTH_CHECKS"]) == (17, True)
    assert replica_db["TEST"]["MIRROR"] == "default" and found["mirrored"] == {"replica": "default"}
    assert found["routers"] == ["infra.db_router.ReplicaRouter"] and found["pin_middleware"]
    # Nobody answers there: the scope falls back to the primary.
    assert found["in_scope"] == [["default", None], "default", "default"]


def test_without_a_replica_url_there_is_no_router_and_a_scope_reads_the_primary():
    found = _settings_with()
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == [] and not found["pin_middleware"]
    assert found["in_scope"] == [["default", None], "default", "default"]
