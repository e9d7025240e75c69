"""The two roles and their permissions, from both sides."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from access.roles import AGENT, MANAGER, has_role, navigation, user_roles
from tests.factories import UserFactory
from tests.i18n.english import data_words, english_in_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request leaves its language active in the thread: the next test starts from the default."""
    yield
    translation.deactivate()


def test_migration_creates_both_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {MANAGER, AGENT}


@pytest.mark.parametrize(
    "permission",
    [
        "surveys.change_survey",
        "surveys.add_question",
        "touchpoints.change_touchpoint",
        "journeys.add_journeymap",
    ],
)
def test_manager_may_build_surveys_touchpoints_and_maps_but_agent_may_not(manager, agent, permission):
    assert manager.has_perm(permission)
    assert not agent.has_perm(permission)


@pytest.mark.parametrize(
    "permission", ["touchpoints.view_customer", "touchpoints.change_customer", "touchpoints.add_interaction"]
)
def test_agent_may_look_up_customers_and_log_interactions(agent, outsider, permission):
    assert agent.has_perm(permission)
    assert not outsider.has_perm(permission)


def test_agent_may_not_delete_customers_or_responses(agent):
    assert not agent.has_perm("touchpoints.delete_customer")
    assert not agent.has_perm("surveys.delete_response")


def test_user_roles(manager, agent, outsider):
    assert user_roles(manager) == {MANAGER}
    assert user_roles(agent) == {AGENT}
    assert user_roles(outsider) == frozenset()
    assert has_role(agent, MANAGER, AGENT)
    assert not has_role(outsider, MANAGER, AGENT)


def test_superuser_holds_every_role():
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert user_roles(root) == {MANAGER, AGENT}


def test_inactive_user_holds_no_role(manager):
    manager.is_active = False
    assert user_roles(manager) == frozenset()


def _signed_in_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_navigation_and_role_badges_are_in_the_active_language(manager):
    with translation.override("zh-hans"):
        context = navigation(_signed_in_request(manager))
        labels = [str(item["label"]) for item in context["nav_items"]]
        badges = [str(label) for label in context["user_roles"]]
    assert labels == ["首页", "客户", "跟进", "问卷", "旅程地图", "仪表板", "审计日志"]
    assert badges == ["客户体验经理"]


def test_a_superuser_wears_both_badges_in_role_order():
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with translation.override("en"):
        badges = [str(label) for label in navigation(_signed_in_request(root))["user_roles"]]
    assert badges == [MANAGER, AGENT]


def test_the_403_page_in_chinese_has_no_english_left(outsider_client):
    response = outsider_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无法打开此页面" in page and "客户体验经理" in page and "客服专员" in page
    assert english_in_page(page, data_words()) == []
