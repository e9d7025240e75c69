"""Outages of the database, cache or broker: 503 with Retry-After, limits that lapse instead of
failing, and enqueues after a commit that never fail the request that committed."""

from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.decorators import api_view, authentication_classes, permission_classes

from analytics import tasks
from analytics.models import StaleMark
from analytics.services import metrics_mark_stale
from infra.counters import counter_add, counter_value
from tests.factories import InteractionFactory


def _boom(kind: str):
    if kind == "database":
        raise OperationalError("server closed the connection unexpectedly")
    if kind == "cache":
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    raise ValueError("a plain bug")


def page(request, kind):
    _boom(kind)
    return HttpResponse("unreachable")


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def api_call(request, kind):
    _boom(kind)


urlpatterns = [path("page/<str:kind>/", page), path("api/v1/boom/<str:kind>/", api_call)]
handler500 = "infra.outages.server_error"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("kind", ["database", "cache"])
def test_a_page_that_loses_a_service_answers_503_with_retry_after(client, kind):
    response = client.get(f"/page/{kind}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Temporarily unavailable" in response.content


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("kind", ["database", "cache"])
def test_an_api_call_that_loses_a_service_answers_503_in_the_error_shape(client, kind):
    response = client.get(f"/api/v1/boom/{kind}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    (error,) = response.json()["errors"]
    assert error["code"] == "service_unavailable" and error["field"] is None


@override_settings(ROOT_URLCONF=__name__)
def test_a_bug_is_still_a_500(client):
    assert client.get("/page/bug/").status_code == 500
    response = client.get("/api/v1/boom/bug/")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "server_error"


def _cache_down():
    down = RedisConnectionError("Connection refused")
    return mock.patch.multiple(
        "infra.counters.cache",
        add=mock.Mock(side_effect=down),
        get=mock.Mock(side_effect=down),
        incr=mock.Mock(side_effect=down),
        set=mock.Mock(side_effect=down),
        delete=mock.Mock(side_effect=down),
    )


def test_counters_read_zero_and_count_nothing_while_the_cache_is_away():
    with _cache_down():
        counter_add("k", window=60)
        assert counter_value("k") == 0


@pytest.mark.django_db
def test_survey_links_and_sign_in_keep_working_while_the_cache_is_away(client, django_user_model):
    django_user_model.objects.create_user(username="maya", password="a-long-password-1")
    with _cache_down():
        assert client.get("/s/not-a-token/").status_code == 404  # the neutral page, counted as nothing
        refused = client.post("/login/", {"username": "maya", "password": "wrong"})
        assert refused.status_code == 200 and b"correct" in refused.content
        signed_in = client.post("/login/", {"username": "maya", "password": "a-long-password-1"})
        assert signed_in.status_code == 302


@pytest.fixture
def with_a_broker():
    """Celery as with a broker (not eager) for the test's duration."""
    conf = tasks.metrics_refresh_stale.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_after_the_commit_does_not_fail_the_writer(with_a_broker, caplog):
    interaction = InteractionFactory()
    down = BrokerError("Error 111 connecting to localhost:6379")
    task_class = type(tasks.metrics_refresh_stale._get_current_object())
    with mock.patch.object(task_class, "delay", side_effect=down) as delay, transaction.atomic():
        metrics_mark_stale(interaction_ids=[interaction.id])
    assert delay.called
    # Committed and kept: beat's refresh picks the marks up once the broker is back.
    assert StaleMark.objects.filter(day__isnull=False).exists()
    assert "analytics.tasks.metrics_refresh_stale.delay" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_a_failing_task_still_fails_loudly():
    interaction = InteractionFactory()
    with (
        mock.patch.object(
            type(tasks.metrics_refresh_stale._get_current_object()), "delay", side_effect=RuntimeError("bug")
        ),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        metrics_mark_stale(interaction_ids=[interaction.id])
