"""The 404, 500 and 503 pages speak the request's language, the last two without a request context."""

import pytest
from django.db import OperationalError
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

from tests.i18n.english import english_in_page


def _broken(request, kind):
    if kind == "database":
        raise OperationalError("server closed the connection unexpectedly")
    raise RuntimeError("a plain bug")


urlpatterns = [path("broken/<str:kind>/", _broken)]
handler500 = "infra.outages.server_error"

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request leaves its language active in the thread: the next test starts from the default."""
    yield
    translation.deactivate()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_the_404_page_in_chinese_has_no_english_left(client):
    response = client.get("/no-such-page/", **CHINESE)
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="zh-hans"' in page and "页面未找到" in page
    assert english_in_page(page) == []


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_the_server_error_pages_render_with_an_empty_context_in_the_active_language(template):
    with translation.override("zh-hans"):
        page = get_template(template).render()
    assert '<html lang="zh-hans"' in page
    assert english_in_page(page) == []
    with translation.override("en"):
        assert '<html lang="en"' in get_template(template).render()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_in_the_language_of_the_request(client):
    response = client.get("/broken/bug/", **CHINESE)
    assert response.status_code == 500
    assert "出错了" in response.content.decode()
    assert english_in_page(response.content.decode()) == []


@override_settings(ROOT_URLCONF=__name__)
def test_an_outage_answers_in_the_language_of_the_request(client):
    response = client.get("/broken/database/", **CHINESE)
    assert response.status_code == 503
    assert "暂时无法使用" in response.content.decode()
    assert english_in_page(response.content.decode()) == []
