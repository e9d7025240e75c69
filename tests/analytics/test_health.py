"""The health endpoint a load balancer polls, and the heartbeat beat keeps fresh."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import tasks
from analytics.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_database_and_cache_answer(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok"}
    assert body["worker"] == {"last_seen": None, "fresh": False}


def test_heartbeat_task_makes_the_worker_fresh(client):
    tasks.worker_heartbeat.delay()
    worker = client.get(reverse("health")).json()["worker"]
    assert worker["fresh"] is True
    assert worker["last_seen"] is not None


def test_a_heartbeat_older_than_three_minutes_is_stale(client):
    WorkerHeartbeat.objects.create(name="default", seen_at=timezone.now() - timedelta(minutes=4))
    assert client.get(reverse("health")).json()["worker"]["fresh"] is False


def test_heartbeat_is_an_upsert(client):
    tasks.worker_heartbeat.delay()
    tasks.worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1


def test_health_reports_503_when_the_cache_fails(client, monkeypatch):
    from analytics.views import health as views

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(views.cache, "set", unreachable)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "error"},
        "worker": {"last_seen": None, "fresh": False},
    }
