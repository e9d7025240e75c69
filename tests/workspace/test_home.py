"""Sign-in, the staff landing page and who may open it."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_served_with_the_stylesheet(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"/static/css/cem.css" in response.content
    assert b'name="username"' in response.content


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_shows_a_form_error(client, manager):
    response = client.post(reverse("login"), {"username": manager.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_manager_signs_in_and_lands_on_home(client, manager):
    response = client.post(
        reverse("login"), {"username": manager.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"CX manager" in response.content


def test_user_without_a_role_gets_403_and_sees_no_data(outsider_client):
    InteractionFactory(notes="secret note", customer__name="Private Person")
    response = outsider_client.get(reverse("home"))
    assert response.status_code == 403
    assert b"You cannot open this page" in response.content
    assert b"Private Person" not in response.content


def test_agent_sees_latest_interactions_but_not_survey_figures(agent_client):
    InteractionFactory(customer__name="Ada Lovelace", touchpoint__name="Delivery")
    response = agent_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Ada Lovelace" in response.content
    assert b"Delivery" in response.content
    assert b"Live surveys" not in response.content


def test_each_latest_contact_opens_its_customer_360(agent_client):
    interaction = InteractionFactory(customer__name="Ada Lovelace")
    response = agent_client.get(reverse("home"))
    assert reverse("customer-detail", args=[interaction.customer_id]).encode() in response.content


def test_manager_sees_survey_figures(manager_client):
    response = manager_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Live surveys" in response.content


def test_interaction_text_is_escaped(agent_client):
    InteractionFactory(customer__name="<script>alert(1)</script>")
    response = agent_client.get(reverse("home"))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_logout_is_a_post_and_ends_the_session(manager_client):
    response = manager_client.post(reverse("logout"))
    assert response.status_code == 302
    assert manager_client.get(reverse("home")).status_code == 302


def test_home_query_count_does_not_grow_with_the_interactions_listed(
    agent_client, django_assert_max_num_queries
):
    InteractionFactory.create_batch(15)
    with django_assert_max_num_queries(8):
        agent_client.get(reverse("home"))


def test_home_counts_are_the_platform_totals(manager_client):
    InteractionFactory.create_batch(3)
    response = manager_client.get(reverse("home"))
    assert response.context["counts"] == {"customers": 3, "touchpoints": 3, "interactions": 3}
    assert response.context["survey_counts"] == {"live_surveys": 0, "awaiting": 0, "responses": 0}
