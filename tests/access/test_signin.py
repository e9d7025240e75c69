"""Failed sign-ins are limited per username and per client address (access/signin.py)."""

import json
from unittest import mock
from uuid import uuid4

import pytest
from django.contrib.auth import forms as auth_forms
from django.utils import translation

from tests.cem.test_production_settings import run
from tests.conftest import PASSWORD
from tests.i18n.english import data_words, english_in_page

WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request leaves its language active in the thread: the next test starts from the default."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900


def sign_in(client, username: str, password: str, address: str = "203.0.113.7", path: str = "/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, address: str = "203.0.113.7", path: str = "/login/") -> None:
    for _ in range(times):
        assert sign_in(client, username, WRONG, address, path).status_code == 200


def test_failures_below_the_limit_show_the_usual_error(client, manager):
    fail(client, manager.username, 2)
    response = sign_in(client, manager.username, WRONG)
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_past_the_limit_even_the_right_password_is_refused_with_429_and_a_clear_message(client, manager):
    fail(client, manager.username, 3)
    response = sign_in(client, manager.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "Wait 15 minutes" in page
    assert 'role="alert"' in page and 'name="password"' in page  # the form, to try again later
    assert "_auth_user_id" not in client.session


def test_past_the_limit_the_password_is_not_checked(client, manager):
    fail(client, manager.username, 3)
    with mock.patch.object(auth_forms, "authenticate", wraps=auth_forms.authenticate) as authenticate:
        assert sign_in(client, manager.username, PASSWORD).status_code == 429
    authenticate.assert_not_called()


def test_the_limit_holds_whatever_the_case_of_the_username_and_from_any_address(client, manager):
    fail(client, manager.username.upper(), 3, address="198.51.100.1")
    assert sign_in(client, manager.username, PASSWORD, address="192.0.2.9").status_code == 429


def test_a_success_resets_the_usernames_count(client, manager):
    fail(client, manager.username, 2)
    assert sign_in(client, manager.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, manager.username, 2)
    assert sign_in(client, manager.username, PASSWORD).status_code == 302


def test_another_username_is_not_held_back_by_one_under_attack(client, manager, agent):
    fail(client, manager.username, 3, address="198.51.100.1")
    assert sign_in(client, agent.username, PASSWORD, address="192.0.2.9").status_code == 302


def test_one_address_guessing_across_usernames_is_refused_past_the_address_limit(client, agent):
    for n in range(5):
        fail(client, f"guess-{n}", 1)
    assert sign_in(client, agent.username, PASSWORD).status_code == 429
    assert sign_in(client, agent.username, PASSWORD, address="192.0.2.9").status_code == 302


def test_the_count_ends_with_its_window(client, manager, monkeypatch):
    import django.core.cache.backends.locmem as locmem

    fail(client, manager.username, 3)
    later = locmem.time.time() + 901
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    assert sign_in(client, manager.username, PASSWORD).status_code == 302


def test_the_admin_login_shares_the_limit(client, manager):
    manager.is_staff = True
    manager.save()
    fail(client, manager.username, 2, path="/admin/login/")
    fail(client, manager.username, 1)
    response = sign_in(client, manager.username, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_limits_are_read_from_the_environment():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.LOGIN_FAILURE_LIMIT, s.LOGIN_ADDRESS_FAILURE_LIMIT, s.LOGIN_FAILURE_WINDOW_SECONDS]))"
    )
    defaults = run(["-c", code])
    assert json.loads(defaults.stdout.splitlines()[-1]) == [5, 50, 900], defaults.stderr
    chosen = run(
        ["-c", code],
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_ADDRESS_FAILURE_LIMIT="20",
        LOGIN_FAILURE_WINDOW_SECONDS="60",
    )
    assert json.loads(chosen.stdout.splitlines()[-1]) == [3, 20, 60], chosen.stderr


def test_the_sign_in_page_in_chinese_has_no_english_left(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录" in page
    assert english_in_page(page) == []


def test_the_lock_out_in_chinese_says_how_long_to_wait(client, manager):
    fail(client, manager.username, 3)
    response = client.post(
        "/login/",
        {"username": manager.username, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert english_in_page(page, data_words()) == []
