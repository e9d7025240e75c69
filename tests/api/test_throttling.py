"""Per-key throttling (API_THROTTLE_RATE): 429 with Retry-After in the error shape."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from api.throttling import ApiKeyThrottle, parse_rate

from .conftest import assert_error, client_with

pytestmark = pytest.mark.django_db


def test_over_the_rate_is_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "3/min"
    assert [api.get("/api/v1/touchpoints/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/touchpoints/")
    assert_error(response, 429, "throttled", None)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_each_key_has_its_own_budget(api, make_key, settings):
    settings.API_THROTTLE_RATE = "1/min"
    api.get("/api/v1/touchpoints/")
    assert api.get("/api/v1/touchpoints/").status_code == 429
    assert client_with(make_key(name="other")[1]).get("/api/v1/touchpoints/").status_code == 200


def test_the_budget_comes_back_in_the_next_window(api, settings, monkeypatch):
    settings.API_THROTTLE_RATE = "1/min"
    now = [1_000_040.0]  # 20 s into a minute window
    monkeypatch.setattr(ApiKeyThrottle, "timer", staticmethod(lambda: now[0]))
    api.get("/api/v1/touchpoints/")
    response = api.get("/api/v1/touchpoints/")
    assert response.status_code == 429 and response["Retry-After"] == "40"
    now[0] += 40
    assert api.get("/api/v1/touchpoints/").status_code == 200


def test_none_turns_throttling_off(api, settings):
    settings.API_THROTTLE_RATE = "none"
    assert {api.get("/api/v1/touchpoints/").status_code for _ in range(5)} == {200}


def test_requests_without_a_valid_key_do_not_use_a_budget(api, settings):
    settings.API_THROTTLE_RATE = "1/min"
    for _ in range(3):
        assert client_with(None).get("/api/v1/touchpoints/").status_code == 401
    assert api.get("/api/v1/touchpoints/").status_code == 200


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("600/min", (600, 60)),
        ("10/s", (10, 1)),
        ("5/hour", (5, 3600)),
        ("1/day", (1, 86400)),
        ("none", None),
        ("", None),
    ],
)
def test_rates_parse(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["fast", "0/min", "10/fortnight", "x/min"])
def test_a_bad_rate_is_a_configuration_error(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)
