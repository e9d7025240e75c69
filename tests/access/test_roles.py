"""The two roles and their permissions, from both sides."""

import pytest
from django.contrib.auth.models import Group

from access.roles import AGENT, MANAGER, has_role, user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
