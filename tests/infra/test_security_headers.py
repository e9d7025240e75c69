"""Every response carries the security headers: pages, the API, the admin, errors, static files.

The public survey pages keep their own stricter policy and ``no-referrer``.
"""

import importlib
import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from exports.models import ExportJob
from infra.security import DEFAULT_POLICY
from surveys.tokens import token_for
from tests.conftest import PASSWORD
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)

# The customers' pages, reached from an email: they send their own policy.
# The staff preview shows the survey page exactly as customers get it, headers included.
PUBLIC_PAGES = ("survey-answer", "survey-unsubscribe", "survey-thanks", "survey-preview")

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_site_headers(response, label: str = "") -> None:
    for name, value in COMMON.items():
        assert response.get(name) == value, (label, name, response.get(name))
    assert response.get("Referrer-Policy") == "same-origin", label
    assert response.get("Content-Security-Policy") == DEFAULT_POLICY, label
    assert "camera=()" in response.get("Permissions-Policy", ""), label


def assert_public_headers(response, label: str = "") -> None:
    """The survey pages' own policy: no script at all, no referrer (the token is in the URL)."""
    for name, value in COMMON.items():
        assert response.get(name) == value, (label, name, response.get(name))
    assert response["Referrer-Policy"] == "no-referrer", label
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"] and "script-src" not in policy, label
    assert policy["frame-ancestors"] == ["'none'"], label
    assert "camera=()" in response["Permissions-Policy"], label


def named_urls(patterns, prefix: str = ""):
    """(name, pattern) of every named URL, namespaces included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from named_urls(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.pattern


def argument_names(pattern) -> list[str]:
    return list(getattr(pattern, "converters", {}) or {}) or re.findall(r"\(\?P<(\w+)>", str(pattern))


@pytest.fixture
def world(db):
    customer = CustomerFactory(external_id="C-1")
    touchpoint = TouchpointFactory(code="delivery")
    survey = SurveyFactory(languages=["en"], titles={"en": "How was it?"})
    question = QuestionFactory(survey=survey, order=1, texts={"en": "Recommend us?"})
    invitation = InvitationFactory(survey=survey, customer=customer, language="en")
    superuser = UserFactory(username="root-sam", password=PASSWORD, is_superuser=True, is_staff=True)
    export_job = ExportJob.objects.create(kind="customers", file_format="csv", requested_by=superuser)
    return {
        "job_id": export_job.pk,
        "customer_id": customer.pk,
        "external_id": customer.external_id,
        "touchpoint_id": touchpoint.pk,
        "code": touchpoint.code,
        "survey_id": survey.pk,
        "question_id": question.pk,
        "token": token_for(invitation.token_nonce),
        "slug": "overview",
        "fmt": "csv",
        "app_label": "auth",
        "object_id": superuser.pk,
        "user": superuser,
    }


def url_for(name: str, pattern, world: dict) -> str:
    kwargs = {argument: world.get(argument, 1) for argument in argument_names(pattern)}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a DRF format suffix or another optional group: try without arguments
        return reverse(name)


def test_every_named_url_carries_the_headers(world, client):
    client.force_login(world["user"])  # a superuser holds every role: pages render, not 403
    checked = 0
    for name, pattern in named_urls(get_resolver().url_patterns):
        url = url_for(name, pattern, world)
        response = client.get(url)
        assert response.status_code < 500, (name, url, response.status_code)
        if name in PUBLIC_PAGES:
            assert_public_headers(response, name)
        else:
            assert_site_headers(response, f"{name} {url} {response.status_code}")
        checked += 1
    assert checked > 150  # the admin's pages among them


@pytest.mark.parametrize("path", ["/login/", "/", "/nowhere/", "/api/v1/customers/", "/api/docs/", "/admin/"])
def test_anonymous_visitors_get_the_headers_on_pages_redirects_errors_and_the_api(client, db, path):
    assert_site_headers(client.get(path), path)


def test_static_files_carry_the_headers_but_x_frame_options(client, db, settings):
    """whitenoise answers before the clickjacking middleware; the policy's frame-ancestors covers it."""
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source folders: no collectstatic in tests
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/css/cem.css")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Security-Policy"] == DEFAULT_POLICY
    assert "camera=()" in response["Permissions-Policy"]


def test_a_server_error_page_carries_the_headers(db, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        importlib.import_module("workspace.views.home").selectors, "interaction_recent", explode
    )
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True))
    response = client.get("/")
    assert response.status_code == 500
    assert_site_headers(response)


def test_the_policy_allows_no_inline_script_no_plugins_no_framing_and_posts_only_here():
    policy = directives(DEFAULT_POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


def test_public_survey_pages_keep_their_own_strict_policy_and_no_referrer(world, client):
    for path in (f"/s/{world['token']}/", f"/u/{world['token']}/", "/s/not-a-token/", "/s/thanks/"):
        assert_public_headers(client.get(path), path)


def test_the_api_docs_load_their_start_up_script_from_this_site(client, db):
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_debug_error_pages_may_run_their_inline_script(client, db, settings):
    """Django's yellow pages in DEBUG style and script inline; production pages never get that."""
    settings.DEBUG = True
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "'unsafe-inline'" in directives(response["Content-Security-Policy"])["script-src"]
