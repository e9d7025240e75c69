"""Each staff user reads the product in the language they chose: from the header, remembered
across sessions and devices, the browser's Accept-Language until they choose."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from access.languages import SESSION_KEY, set_user_language, user_language
from access.models import StaffPreference

pytestmark = pytest.mark.django_db

HOME = "/"


def _switch(client: Client, language: str, next_url: str = HOME):
    return client.post(reverse("language-set"), {"language": language, "next": next_url})


def test_without_a_choice_the_browser_language_is_used(manager):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans,zh;q=0.9,en;q=0.5")
    client.force_login(manager)
    response = client.get(HOME)
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()


def test_switching_keeps_the_choice_and_the_pages_follow_it(manager_client, manager):
    response = _switch(manager_client, "zh-hans", "/customers/?q=li")
    assert response.status_code == 302 and response["Location"] == "/customers/?q=li"
    assert StaffPreference.objects.get(user=manager).language == "zh-hans"
    page = manager_client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hans"
    assert "退出登录" in page.content.decode()


def test_the_choice_follows_the_user_to_a_new_session(manager):
    set_user_language(manager, "zh-hans")
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en")
    elsewhere.force_login(manager)
    assert elsewhere.session[SESSION_KEY] == "zh-hans"
    assert elsewhere.get(HOME)["Content-Language"] == "zh-hans"


def test_the_choice_costs_no_query_per_page(manager):
    set_user_language(manager, "zh-hans")
    client = Client()
    client.force_login(manager)
    client.get(HOME)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME)["Content-Language"] == "zh-hans"
    assert captured.captured_queries
    assert not [query for query in captured.captured_queries if "access_staffpreference" in query["sql"]]


def test_following_the_browser_again(manager_client, manager):
    _switch(manager_client, "zh-hans")
    response = _switch(manager_client, "")
    assert StaffPreference.objects.get(user=manager).language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert manager_client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_signed_out_the_cookie_keeps_the_sign_in_page_in_the_chosen_language(client):
    response = _switch(client, "zh-hans", reverse("login"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hans"


def test_an_unknown_language_is_a_400_naming_the_field(manager_client, manager):
    response = _switch(manager_client, "klingon")
    assert response.status_code == 400
    assert "language" in response.json()["errors"]
    assert not StaffPreference.objects.filter(user=manager).exists()


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/x"])
def test_the_switch_never_redirects_off_site(manager_client, target):
    assert _switch(manager_client, "en", target)["Location"] == "/"


def test_the_switch_takes_post_only(manager_client):
    assert manager_client.get(reverse("language-set")).status_code == 405


def test_user_language_for_emails(manager, agent):
    set_user_language(manager, "zh-hans")
    assert user_language(manager) == "zh-hans"
    assert user_language(agent) == settings.LANGUAGE_CODE
    with translation.override(user_language(manager)):
        assert translation.gettext("Sign out") == "退出登录"
