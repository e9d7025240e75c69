"""OpenAPI: /api/schema/ describes every call (security, scopes, examples, errors), /api/docs/ works
offline, and schemathesis finds no 5xx and no answer that breaks the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cem.wsgi import application

from .conftest import path_parameters_of
from .endpoints import ENDPOINTS

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
SEED = 20250302
POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 6
GENERATED_ID_EXAMPLES = 2


@pytest.fixture
def openapi(client):
    return client.get("/api/schema/?format=json").json()


def operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def test_schema_is_openapi_3_and_declares_bearer_auth(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "cem_<prefix>_<secret>",
        "description": "An API key created by an admin (shown once). Each call needs one scope.",
    }


def test_every_operation_needs_the_bearer_key_and_names_its_scope(openapi):
    for method, path, operation in operations(openapi):
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        assert "**Scope:**" in operation["description"], (method, path)


def _examples(*bodies) -> list:
    return [
        name
        for body in bodies
        for media in body.get("content", {}).values()
        for name in media.get("examples", {})
    ]


def test_every_operation_has_a_summary_and_examples_of_what_it_takes_and_gives(openapi):
    for method, path, operation in operations(openapi):
        assert operation.get("summary"), (method, path)
        if method != "delete":  # a 204 has no body to show
            success = [body for status, body in operation["responses"].items() if status.startswith("2")]
            assert _examples(operation.get("requestBody", {}), *success), (method, path)
        assert _examples(operation["responses"]["404"]), (method, path)


def test_every_operation_documents_the_error_shape(openapi):
    for method, path, operation in operations(openapi):
        for status in ("400", "401", "403", "404", "429"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)
        if method == "post":
            assert {"409", "422"} <= set(operation["responses"]), path
            assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path


def test_docs_are_served_without_any_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_schema_and_docs_need_no_key(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.fixture
def some_data(api_rows):
    return api_rows


# Bulk calls answer 200 with an error per bad item (never stopping the others), so a schema-invalid
# item is not a refused call; test_bulk holds them to the single calls' rules instead.
PER_ITEM_ERRORS = {"POST /api/v1/customers/bulk/", "POST /api/v1/interactions/bulk/"}
NEGATIVE_PENDING: set[str] = set()


def _run(operation, strategy, checks, examples: int) -> None:
    @seed(SEED)
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        case.call_and_validate(checks=checks)

    check()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(settings, make_key, some_data):
    """Every operation, on real rows and on generated ids, with positive and negative data (a fixed
    seed, an all-scopes key): no 5xx, every status, content type, header and body as the schema
    says, and every schema-invalid request refused."""
    settings.API_THROTTLE_RATE = "none"
    _, key = make_key()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = {"Authorization": f"Bearer {key}"}
    tested = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        real = path_parameters_of(some_data, operation.method, operation.path)
        negative_checks = [*CHECKS, negative_data_rejection]
        if operation.label in PER_ITEM_ERRORS | NEGATIVE_PENDING:
            negative_checks = CHECKS
        runs = [
            (GenerationMode.POSITIVE, real, CHECKS, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, real, negative_checks, NEGATIVE_EXAMPLES),
        ]
        if real is not None:  # generated ids too: unknown rows answer 404 as documented
            runs.append((GenerationMode.POSITIVE, None, CHECKS, GENERATED_ID_EXAMPLES))
            runs.append((GenerationMode.NEGATIVE, None, negative_checks, GENERATED_ID_EXAMPLES))
        for mode, path_parameters, checks, examples in runs:
            fixed = {"path_parameters": path_parameters} if path_parameters else {}
            strategy = operation.as_strategy(generation_mode=mode, headers=headers, **fixed)
            try:
                _run(operation, strategy, checks, examples)
            except Unsatisfiable:
                # Nothing of this operation can be made invalid in this mode (no body, no typed
                # parameter): the positive run covered it.
                assert mode == GenerationMode.NEGATIVE, operation.label
                assert not len(operation.query) and not len(operation.body), operation.label
        tested.add(operation.label)
    assert len(tested) == len(ENDPOINTS)
