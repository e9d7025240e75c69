"""Error messages follow the request's Accept-Language; each ``code`` stays the same in every language.

DRF's own messages come from its zh_Hans catalogue, the API's own from the project's."""

import re
import socket

import pytest

from api.keys import api_key_revoke

from .conftest import assert_error, client_with

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
HAN = re.compile("[\u4e00-\u9fff]")


def _only(response, status: int, code: str, field: str | None) -> str:
    """The message of the one error of ``response``, checked to be Chinese."""
    (error,) = assert_error(response, status, code, field)
    assert HAN.search(error["message"]), error
    return error["message"]


def test_a_validation_error_is_in_chinese_with_the_same_code_and_field(api):
    message = _only(
        api.post("/api/v1/customers/", {"external_id": "C-1"}, **CHINESE), 400, "required", "name"
    )
    assert message != "This field is required."


def test_the_same_call_in_english_keeps_its_english_words(api):
    english = api.post("/api/v1/customers/", {"external_id": "C-1"}, HTTP_ACCEPT_LANGUAGE="en")
    (error,) = assert_error(english, 400, "required", "name")
    assert error["message"] == "This field is required."


def test_an_unknown_object_is_a_chinese_404(api):
    message = _only(api.get("/api/v1/customers/NOPE/", **CHINESE), 404, "not_found", None)
    assert "matches the given query" not in message


def test_an_unknown_path_is_a_chinese_404_that_still_names_the_path(api):
    message = _only(api.get("/api/v1/customers", **CHINESE), 404, "not_found", None)
    assert "/api/v1/customers/" in message


def test_a_missing_scope_is_a_chinese_403_naming_the_scope(scoped):
    response = scoped("metrics:read").get("/api/v1/customers/", **CHINESE)
    assert "customers:read" in _only(response, 403, "missing_scope", None)


def test_no_key_is_a_chinese_401(client):
    _only(client.get("/api/v1/customers/", **CHINESE), 401, "not_authenticated", None)


def test_a_revoked_key_is_a_chinese_401(make_key):
    api_key, key = make_key()
    api_key_revoke(api_key=api_key)
    _only(client_with(key).get("/api/v1/customers/", **CHINESE), 401, "revoked", None)


def test_throttling_is_a_chinese_429_that_says_how_long_to_wait(api, settings):
    settings.API_THROTTLE_RATE = "1/min"
    api.get("/api/v1/touchpoints/", **CHINESE)
    response = api.get("/api/v1/touchpoints/", **CHINESE)
    assert response["Retry-After"] in _only(response, 429, "throttled", None)


def test_malformed_json_is_a_chinese_parse_error(api):
    response = api.post("/api/v1/customers/", '{"name": ', content_type="application/json", **CHINESE)
    assert _only(response, 400, "parse_error", None).startswith("JSON 解析错误：")


def test_a_bad_page_size_is_chinese(api):
    _only(api.get("/api/v1/customers/?page_size=0", **CHINESE), 400, "invalid", "page_size")


def test_a_refused_webhook_url_is_chinese(api, monkeypatch):
    monkeypatch.setattr(
        "webhooks.targets.socket.getaddrinfo",
        lambda host, port, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )
    body = {"url": "https://crm.example.com/hooks", "events": ["response.created"]}
    message = _only(api.post("/api/v1/webhooks/", body, format="json", **CHINESE), 400, "invalid", "url")
    assert "10.0.0.7" in message and "crm.example.com" in message
