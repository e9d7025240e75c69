"""Logging a contact from the customer page: through ``interaction_log``, by the signed-in user,
with clear messages when something is wrong."""

import re

import pytest
from django.urls import reverse

from analytics.models import StaleKind, StaleMark
from surveys.models import Invitation, SurveyRule
from tests.factories import (
    CustomerFactory,
    JourneyFactory,
    JourneyMapStepFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel, Interaction, InteractionSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(name="Grace Hopper")


@pytest.fixture
def delivery():
    return TouchpointFactory(
        name="Delivery",
        channel=Channel.PHONE,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction="lower_is_better",
    )


def log(client, customer, *, follow=False, **data):
    return client.post(reverse("customer-interaction-create", args=[customer.id]), data, follow=follow)


def test_agent_logs_a_contact_as_themselves_and_returns_to_the_customer(
    agent_client, agent, customer, delivery
):
    response = log(
        agent_client,
        customer,
        touchpoint=delivery.id,
        channel="",
        category="Late parcel",
        outcome="escalated",
        notes="Parcel stuck in depot",
        experience_score="3",
    )

    interaction = Interaction.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("customer-detail", args=[customer.id]) + f"#interaction-{interaction.id}"
    )
    assert (interaction.customer, interaction.touchpoint, interaction.agent) == (customer, delivery, agent)
    assert interaction.channel == Channel.PHONE  # the touchpoint's, as none was chosen
    assert (interaction.category, interaction.outcome, interaction.notes) == (
        "Late parcel",
        "escalated",
        "Parcel stuck in depot",
    )
    assert interaction.experience_score == 3.0
    assert interaction.source == InteractionSource.AGENT


def test_the_logged_contact_appears_on_the_customer_page(agent_client, customer, delivery):
    response = log(agent_client, customer, touchpoint=delivery.id, notes="Promised a call back", follow=True)

    html = response.content.decode()
    assert "Logged: Delivery · Phone." in html
    assert "Promised a call back" in html


def test_a_chosen_channel_wins_over_the_touchpoints(agent_client, customer, delivery):
    log(agent_client, customer, touchpoint=delivery.id, channel=Channel.CHAT)

    assert Interaction.objects.get().channel == Channel.CHAT


def test_logging_goes_through_the_service_marking_metrics_and_applying_survey_rules(
    agent_client, customer, delivery
):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)

    log(agent_client, customer, touchpoint=delivery.id)

    interaction = Interaction.objects.get()
    assert Invitation.objects.filter(customer=customer, interaction=interaction).count() == 1
    assert StaleMark.objects.filter(kind=StaleKind.INTERACTION_ROW).exists()


def test_expected_and_actual_values_are_kept_for_a_touchpoint_with_a_measure(
    agent_client, customer, delivery
):
    log(agent_client, customer, touchpoint=delivery.id, expected_value="2", actual_value="5")

    interaction = Interaction.objects.get()
    assert (interaction.expected_value, interaction.actual_value) == (2.0, 5.0)


def test_values_for_a_touchpoint_without_a_measure_are_refused(agent_client, customer):
    shop = TouchpointFactory(name="Shop visit")

    response = log(agent_client, customer, touchpoint=shop.id, expected_value="2")

    assert response.status_code == 200
    assert "Shop visit has no measure: leave this empty." in response.content.decode()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the touchpoint this contact was at."),
        ({"experience_score": "11"}, "The experience is on a 0–10 scale."),
        ({"experience_score": "seven"}, "Enter a whole number from 0 to 10."),
        ({"expected_value": "0"}, "The expected value must be greater than 0."),
        ({"actual_value": "-1"}, "The actual value cannot be negative."),
    ],
)
def test_invalid_input_gets_a_clear_message_and_stores_nothing(
    agent_client, customer, delivery, data, message
):
    if data:
        data = {"touchpoint": delivery.id, **data}

    response = log(agent_client, customer, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Interaction.objects.exists()


def test_the_agent_picks_no_journey_but_may_type_a_journey_reference(agent_client, customer):
    html = agent_client.get(reverse("customer-detail", args=[customer.id])).content.decode()

    assert 'name="journey"' not in html
    assert re.search(r'<input type="text" name="journey_ref"[^>]* maxlength="100"', html)
    assert "Optional: the order or ticket number this contact is about." in html


def test_a_journey_reference_puts_the_contact_on_that_journey_and_says_so(agent_client, customer, delivery):
    journey = JourneyFactory(customer=customer, external_id="ORDER-1", journey_map__name="Online purchase")

    response = log(agent_client, customer, touchpoint=delivery.id, journey_ref="  ORDER-1 ", follow=True)

    interaction = Interaction.objects.get()
    assert (interaction.journey_ref, interaction.journey) == ("ORDER-1", journey)
    assert "Logged: Delivery · Phone. It joined the journey Online purchase." in response.content.decode()


def test_a_new_journey_reference_starts_a_journey_of_it(agent_client, customer, delivery):
    log(agent_client, customer, touchpoint=delivery.id, journey_ref="TICKET-7")

    journey = Interaction.objects.get().journey
    assert (journey.external_id, journey.customer, journey.origin) == ("TICKET-7", customer, "explicit")


def test_another_customers_journey_reference_is_refused(agent_client, customer, delivery):
    JourneyFactory(external_id="ORDER-9")

    response = log(agent_client, customer, touchpoint=delivery.id, journey_ref="ORDER-9")

    assert response.status_code == 200
    assert "This reference belongs to another customer&#x27;s journey." in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_journey_reference_over_100_characters_is_refused(agent_client, customer, delivery):
    response = log(agent_client, customer, touchpoint=delivery.id, journey_ref="R" * 101)

    assert response.status_code == 200
    assert "A journey reference has at most 100 characters (this one has 101)." in response.content.decode()
    assert not Interaction.objects.exists()


@pytest.fixture
def online_purchase(delivery):
    """A published map whose first step (it starts journeys) is the delivery touchpoint."""
    step = JourneyMapStepFactory(
        journey_map__name="Online purchase", journey_map__status="published", touchpoint=delivery, position=1
    )
    JourneyMapStepFactory(journey_map=step.journey_map, position=2)
    return step.journey_map


@pytest.mark.django_db(transaction=True)  # the log really commits: on commit, assembly runs inline
def test_assembly_places_the_contact_once_logged_and_the_agent_reads_which_journey(
    agent_client, customer, delivery, online_purchase
):
    response = log(agent_client, customer, touchpoint=delivery.id)

    journey = Interaction.objects.get().journey
    assert (journey.journey_map, journey.origin, journey.status) == (
        online_purchase,
        "assembled",
        "in_progress",
    )
    page = agent_client.get(response["Location"]).content.decode()
    assert "Logged: Delivery · Phone. It joined the journey Online purchase." in page
    assert "This customer is in the middle of Online purchase, step 1 of 2 (Delivery)" in page


def test_while_assembly_is_pending_the_agent_is_told_it_comes_in_a_moment(
    agent_client, customer, delivery, online_purchase
):
    response = log(agent_client, customer, touchpoint=delivery.id, follow=True)  # on_commit never runs here

    assert Interaction.objects.get().journey is None
    assert (
        "Logged: Delivery · Phone. The journey maps place it in a moment: reload the page to see which "
        "journey it joined." in response.content.decode()
    )


def test_touchpoint_options_carry_their_channel_and_measure(agent_client, customer, delivery):
    TouchpointFactory(name="Retired", active=False)

    html = agent_client.get(reverse("customer-detail", args=[customer.id])).content.decode()

    assert f'value="{delivery.id}" data-channel="phone" data-measure="Delivery time" data-unit="days"' in html
    assert "Retired" not in html


def test_logging_for_an_unknown_customer_is_404(agent_client, delivery):
    response = agent_client.post(
        reverse("customer-interaction-create", args=[424242]), {"touchpoint": delivery.id}
    )

    assert response.status_code == 404


def test_the_log_form_is_a_post_only_endpoint(agent_client, customer):
    response = agent_client.get(reverse("customer-interaction-create", args=[customer.id]))

    assert response.status_code == 405
