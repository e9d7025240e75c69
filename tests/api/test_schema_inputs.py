"""The schema's word on inputs holds, swept from /api/schema/ itself so a new parameter or field is
covered: a typed query parameter sent empty is 400 naming it; boolean filters take true or false;
a boolean in a body is a JSON boolean; a method a path does not offer is 405 with Allow, whatever
the key's scopes."""

import pytest

from .conftest import assert_error, client_with, path_parameters_of

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def openapi(client):
    return client.get("/api/schema/?format=json").json()


def _resolve(openapi: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(openapi, schema["allOf"][0])
    return schema


def _list_parameters(openapi: dict):
    for path, item in openapi["paths"].items():
        if "{" in path or "get" not in item:
            continue
        for parameter in item["get"].get("parameters", []):
            if parameter["in"] == "query":
                yield path, parameter["name"], _resolve(openapi, parameter["schema"])


def _is_typed(schema: dict) -> bool:
    """A value the empty string is not: a number, a boolean, a choice, a date or a date-time."""
    return schema.get("type") != "string" or "enum" in schema or "format" in schema or "oneOf" in schema


def test_every_typed_query_parameter_sent_empty_is_400_naming_it(api, openapi):
    problems, swept = [], 0
    for path, name, schema in _list_parameters(openapi):
        if not _is_typed(schema):
            continue
        swept += 1
        response = api.get(f"{path}?{name}=")
        errors = response.json().get("errors", []) if response.status_code == 400 else []
        if name not in [error["field"] for error in errors]:
            problems.append(f"{path}?{name}= → {response.status_code}")
    assert swept >= 30 and problems == []


def test_boolean_filters_take_true_or_false_only(api, openapi):
    problems, swept = [], 0
    for path, name, schema in _list_parameters(openapi):
        if schema.get("type") != "boolean":
            continue
        swept += 1
        for value in ("1", "0", "True", "yes", "null"):
            response = api.get(f"{path}?{name}={value}")
            if response.status_code != 400 or response.json()["errors"][0]["field"] != name:
                problems.append(f"{path}?{name}={value} → {response.status_code}")
        for value in ("true", "false"):
            if api.get(f"{path}?{name}={value}").status_code != 200:
                problems.append(f"{path}?{name}={value} refused")
    assert swept >= 4 and problems == []


@pytest.mark.parametrize("value", ["0", "-1", "abc", "null", "1.5", ""])
def test_page_size_that_is_no_whole_number_of_1_or_more_is_400(api, value):
    assert_error(api.get(f"/api/v1/customers/?page_size={value}"), 400, "invalid", "page_size")


@pytest.fixture
def rows(api_rows):
    """``url(method, path)``: the path with the parameters of real rows."""

    def url(method: str, path: str) -> str:
        return path.format(**(path_parameters_of(api_rows, method, path) or {}))

    return url


def _boolean_properties(openapi: dict, operation: dict) -> list[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not body:
        return []
    properties = _resolve(openapi, body["schema"]).get("properties", {})
    return [name for name, schema in properties.items() if _resolve(openapi, schema).get("type") == "boolean"]


@pytest.mark.parametrize("value", [0, 1, "true", "false", None])
def test_every_boolean_in_a_request_body_takes_a_json_boolean_only(api, openapi, rows, value):
    problems, swept = [], 0
    for path, item in openapi["paths"].items():
        for method in ("post", "put", "patch"):
            if method not in item:
                continue
            for name in _boolean_properties(openapi, item[method]):
                swept += 1
                url = rows(method, path)
                response = getattr(api, method)(url, {name: value}, format="json")
                errors = response.json().get("errors", []) if response.status_code == 400 else []
                if name not in [error["field"] for error in errors]:
                    problems.append(f"{method.upper()} {url} {name}={value!r} → {response.status_code}")
    assert swept >= 5 and problems == []


# A value of another JSON type than the property's: a number for text, text for a number.
WRONG_TYPE = {"string": 0, "number": "1", "integer": "1", "object": "x", "array": "x"}


def _typed_properties(openapi: dict, schema: dict) -> dict[str, str]:
    properties = _resolve(openapi, schema).get("properties", {})
    typed = {}
    for name, prop in properties.items():
        prop = _resolve(openapi, prop)
        if prop.get("readOnly") or "oneOf" in prop:
            continue
        kind = prop.get("type", "string" if "enum" in prop else None)
        if kind in WRONG_TYPE:
            typed[name] = kind
    return typed


def test_every_property_of_a_single_write_refuses_another_json_type(api, openapi, rows):
    problems, swept = [], 0
    for path, item in openapi["paths"].items():
        for method in ("post", "put", "patch"):
            body = item.get(method, {}).get("requestBody", {}).get("content", {}).get("application/json")
            if not body or path.endswith("/bulk/"):
                continue
            for name, kind in _typed_properties(openapi, body["schema"]).items():
                swept += 1
                url = rows(method, path)
                response = getattr(api, method)(url, {name: WRONG_TYPE[kind]}, format="json")
                errors = response.json().get("errors", []) if response.status_code == 400 else []
                if name not in [error["field"] for error in errors]:
                    problems.append(
                        f"{method.upper()} {url} {name}={WRONG_TYPE[kind]!r} → {response.status_code}"
                    )
    assert swept >= 30 and problems == []


@pytest.mark.parametrize(
    ("path", "base"),
    [
        ("/api/v1/customers/bulk/", {"external_id": "C-9", "name": "Ada"}),
        ("/api/v1/interactions/bulk/", {"customer": "C-1", "touchpoint": "delivery"}),
    ],
)
def test_every_property_of_a_bulk_item_refuses_another_json_type(api, openapi, rows, path, base):
    body = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    item_schema = _resolve(openapi, body)["properties"]["items"]["items"]
    problems = []
    for name, kind in _typed_properties(openapi, item_schema).items():
        item = {**base, name: WRONG_TYPE[kind]}
        (result,) = api.post(path, {"items": [item]}, format="json").json()["results"]
        if result["status"] != "error" or [e["field"] for e in result["errors"]] != [name]:
            problems.append(f"{name}={WRONG_TYPE[kind]!r} → {result}")
        single = api.post(path.removesuffix("bulk/"), item, format="json")
        if single.status_code != 400 or single.json()["errors"] != result.get("errors"):
            problems.append(f"single {name}: {single.json()} vs bulk {result.get('errors')}")
    assert problems == []


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_a_boolean_in_a_bulk_item_takes_a_json_boolean_only(api, value):
    item = {"external_id": "C-9", "name": "Ada", "email_opt_out": value}
    (result,) = api.post("/api/v1/customers/bulk/", {"items": [item]}).json()["results"]
    code = "null" if value is None else "invalid"
    assert result["status"] == "error"
    assert [(error["field"], error["code"]) for error in result["errors"]] == [("email_opt_out", code)]
    single = api.post("/api/v1/customers/", item)
    assert assert_error(single, 400) == result["errors"]  # the same words in both calls


@pytest.mark.parametrize("scopes", [(), ("metrics:read",)], ids=["all scopes", "one other scope"])
def test_a_method_a_path_does_not_offer_is_405_with_allow_whatever_the_scopes(openapi, make_key, scopes):
    client = client_with(make_key(*scopes)[1])
    problems, swept = [], 0
    for path, item in openapi["paths"].items():
        offered = {method.upper() for method in item if method in METHODS}
        url = path.format(external_id="C-1", code="delivery", id="1")
        for method in METHODS:
            if method.upper() in offered:
                continue
            swept += 1
            response = getattr(client, method)(url, {}, format="json")
            allow = {part.strip() for part in response.get("Allow", "").split(",")}
            if response.status_code != 405 or not offered <= allow or method.upper() in allow:
                problems.append(f"{method.upper()} {url} → {response.status_code} Allow: {allow}")
            else:
                assert_error(response, 405, "method_not_allowed", None)
    assert swept >= 60 and problems == []
