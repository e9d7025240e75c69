"""One error shape for every kind of error: {"errors": [{"field", "code", "message"}]}."""

import pytest
from django.db import IntegrityError

from tests.factories import CustomerFactory

from .conftest import assert_error, client_with

pytestmark = pytest.mark.django_db


def test_validation_errors_name_the_field(api):
    errors = assert_error(api.post("/api/v1/customers/", {"external_id": "C-1"}), 400, "required", "name")
    assert errors == [{"field": "name", "code": "required", "message": "This field is required."}]


def test_several_invalid_fields_give_one_entry_each(api):
    response = api.post(
        "/api/v1/customers/", {"external_id": "", "name": "A", "email": "x", "value_tier": "zinc"}
    )
    fields = {entry["field"]: entry["code"] for entry in assert_error(response, 400)}
    assert fields == {"external_id": "blank", "email": "invalid", "value_tier": "invalid_choice"}


def test_model_constraint_errors_are_400_without_a_field(api):
    response = api.post(
        "/api/v1/touchpoints/",
        {"code": "tp", "name": "Tp", "stage": "pre_sale", "channel": "web", "measure_name": "Wait"},
    )
    assert_error(response, 400)


def test_unauthenticated(client):
    assert_error(client.get("/api/v1/customers/"), 401, "not_authenticated", None)


def test_missing_scope(scoped):
    assert_error(scoped("metrics:read").get("/api/v1/customers/"), 403, "missing_scope", None)


def test_unknown_object_is_404(api):
    assert_error(api.get("/api/v1/customers/NOPE/"), 404, "not_found", None)


def test_unknown_path_under_api_is_404_json(api):
    assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found", None)
    assert_error(api.post("/api/nothing", {}), 404, "not_found", None)


def test_missing_trailing_slash_says_so(api):
    errors = assert_error(api.get("/api/v1/customers"), 404, "not_found")
    assert "/api/v1/customers/" in errors[0]["message"]


def test_method_not_allowed_is_405(api):
    response = api.delete("/api/v1/customers/")
    assert_error(response, 405, "method_not_allowed", None)
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    ("method", "path"), [("delete", "/api/v1/journeys/1/"), ("delete", "/api/v1/responses/")]
)
@pytest.mark.parametrize("scopes", [(), ("responses:read",), ("metrics:read",)])
def test_a_method_the_resource_does_not_offer_is_405_whatever_the_key_scopes(make_key, method, path, scopes):
    response = getattr(client_with(make_key(*scopes)[1]), method)(path, {}, format="json")
    assert_error(response, 405, "method_not_allowed", None)
    assert "GET" in response["Allow"] and method.upper() not in response["Allow"]


def test_a_method_offered_still_needs_its_scope(scoped):
    assert_error(scoped("metrics:read").get("/api/v1/journeys/"), 403, "missing_scope", None)


def test_malformed_json_is_400_parse_error(api):
    response = api.post("/api/v1/customers/", '{"name": ', content_type="application/json")
    assert_error(response, 400, "parse_error", None)


def test_a_body_that_is_not_json_is_415(api):
    response = api.post("/api/v1/customers/", "name=x", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type", None)


def test_an_invalid_cursor_is_404(api):
    assert_error(api.get("/api/v1/customers/?cursor=bz14"), 404, "not_found")


def test_an_invalid_filter_is_400(api):
    assert_error(api.get("/api/v1/customers/?value_tier=zinc"), 400, "invalid_choice", "value_tier")
    assert_error(api.get("/api/v1/interactions/?occurred_after=yesterday"), 400, "invalid", "occurred_after")


def test_an_id_filter_beyond_the_id_range_is_400_not_500(api):
    assert_error(api.get(f"/api/v1/responses/?survey={2**70}"), 400, field="survey")


def test_an_id_in_the_path_beyond_the_id_range_is_404(api):
    assert_error(api.get(f"/api/v1/journeys/{2**70}/"), 404, "not_found")
    assert_error(api.post(f"/api/v1/surveys/{2**70}/invitations/", {"customer": "C"}), 404, "not_found")


def test_throttled_is_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "1/min"
    api.get("/api/v1/touchpoints/")
    response = api.get("/api/v1/touchpoints/")
    errors = assert_error(response, 429, "throttled", None)
    assert int(response["Retry-After"]) >= 1
    assert response["Retry-After"] in errors[0]["message"]


def test_a_concurrent_unique_write_is_409(api, monkeypatch):
    def lose_the_race(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("touchpoints.api.customers.customer_create", lose_the_race)
    assert_error(api.post("/api/v1/customers/", {"external_id": "C-1", "name": "A"}), 409, "conflict", None)


def test_an_unexpected_error_is_500_in_the_same_shape_and_logged(api, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("touchpoints.api.customers.customer_create", broken)
    assert_error(
        api.post("/api/v1/customers/", {"external_id": "C-1", "name": "A"}), 500, "server_error", None
    )
    assert "boom" in caplog.text


def test_nested_bulk_errors_are_not_the_call_error_shape_but_per_item(api):
    CustomerFactory(external_id="C-1")
    body = api.post("/api/v1/customers/bulk/", {"items": [{"external_id": "C-1", "email": "bad"}]}).json()
    assert body["results"][0]["errors"] == [
        {"field": "email", "code": "invalid", "message": "Enter a valid email address."}
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/%00/",
        "/api/v1/customers/?segment=%00",
        "/api/v1/interactions/?customer=a%00b",
        "/api/v1/metrics/nps/?touchpoint=%00",
        "/api/v1/touchpoints/?stage=%00",
    ],
)
def test_nul_characters_in_paths_and_filters_are_4xx_not_500(api, url):
    assert 400 <= api.get(url).status_code < 500


def test_nul_characters_in_a_body_are_400(api):
    assert_error(
        api.post("/api/v1/customers/", {"external_id": "a\x00", "name": "x"}), 400, field="external_id"
    )
    put = api.put("/api/v1/customers/a%00/", {"name": "x"})
    assert 400 <= put.status_code < 500


def test_nul_characters_inside_json_attributes_are_400(api):
    body = {"external_id": "C-1", "name": "x", "attributes": {"note": "a\x00b"}}
    assert_error(api.post("/api/v1/customers/", body), 400, "null_characters_not_allowed", "attributes")
    result = api.post("/api/v1/customers/bulk/", {"items": [body]}).json()["results"][0]
    assert result["errors"][0]["code"] == "null_characters_not_allowed"


def test_a_database_data_error_is_400(api, monkeypatch):
    from django.db import DataError

    def out_of_range(**kwargs):
        raise DataError("value out of range")

    monkeypatch.setattr("touchpoints.api.customers.customer_create", out_of_range)
    assert_error(api.post("/api/v1/customers/", {"external_id": "C-1", "name": "A"}), 400, "invalid", None)
