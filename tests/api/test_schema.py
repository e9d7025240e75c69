"""OpenAPI: /api/schema/ describes every call (security, scopes, examples, errors), /api/docs/ works
offline, and schemathesis finds no 5xx and no answer that breaks the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cem.wsgi import application
from followups.models import FollowUp, FollowUpReason
from tests.factories import (
    InteractionFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
SEED = 20250302
POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 4


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
def some_data():
    """A little of everything, so reads return rows and not only empty pages."""
    touchpoint = TouchpointFactory(code="delivery")
    journey = JourneyFactory()
    InteractionFactory(customer=journey.customer, journey=journey, touchpoint=touchpoint, experience_score=3)
    survey = SurveyFactory()
    response = ResponseFactory(invitation__survey=survey, invitation__customer=journey.customer)
    QuestionFactory(survey=survey)
    FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=2,
        opened_at=response.submitted_at,
        due_at=response.submitted_at,
    )


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(settings, make_key, some_data):
    """Every operation, positive and negative data, a fixed seed, an all-scopes key."""
    settings.API_THROTTLE_RATE = "none"
    _, key = make_key()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = {"Authorization": f"Bearer {key}"}
    tested, unsatisfiable = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in (
            (schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):

            @seed(SEED)
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            def check(case):
                case.call_and_validate(checks=CHECKS, headers=headers)

            try:
                check()
            except Unsatisfiable:
                # Nothing of this operation can be made invalid in this mode (no body, no typed
                # parameter): the positive run covered it.
                assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
                unsatisfiable.append(operation.label)
        tested += 1
    assert tested == 33
    assert len(unsatisfiable) < 10, unsatisfiable
