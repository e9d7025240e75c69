"""In production settings Django's deployment check is clean and the cookies are locked down.

Each case loads the settings in a fresh process with its own environment, as
``test_settings.py`` does.
"""

import json
import os
import subprocess
import sys

from .test_settings import ROOT, VARIABLES

PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "production-" + "k3y-with-enough-entropy-" * 3,
    "DJANGO_ALLOWED_HOSTS": "cx.example.com",
    "DJANGO_HTTPS": "True",
}
CLEARED = (
    *VARIABLES,
    "DJANGO_HSTS_PRELOAD",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    # Set by the browser tests' conftest for their own process; a deployment never sets it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run(arguments: list[str], **variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(variables, DJANGO_SETTINGS_MODULE="cem.settings")
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def deploy_check(**variables: str) -> subprocess.CompletedProcess:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables)


def cookie_settings(**variables: str) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "n: getattr(s, n) for n in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT')}))"
    )
    result = run(["-c", code], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_deployment_check_is_clean_in_production_settings():
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_still_speaks_up_when_a_production_guard_is_turned_off():
    """The check really runs: without HTTPS, insecure cookies and no HSTS are reported."""
    result = deploy_check(**{**PRODUCTION, "DJANGO_HTTPS": "False"})
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_opting_in_to_hsts_preload_is_checked_clean_too():
    result = deploy_check(**PRODUCTION, DJANGO_HSTS_PRELOAD="True")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_httponly_for_the_session_and_same_site_lax():
    loaded = cookie_settings(**PRODUCTION)
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["SESSION_COOKIE_HTTPONLY"] is True
    assert loaded["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 30


def test_the_cookies_a_sign_in_sets_carry_those_attributes(client, manager, settings):
    """What the settings promise reaches the browser: the Set-Cookie lines of a real sign-in."""
    from tests.conftest import PASSWORD

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client.get("/login/", secure=True)
    csrf = client.cookies["csrftoken"]
    response = client.post(
        "/login/",
        {"username": manager.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["samesite"] == "Lax"
