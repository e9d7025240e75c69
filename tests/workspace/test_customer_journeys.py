"""The customer 360 opens on the customer's journeys: where they are now in each journey in progress
(the step reached of the map's steps, and the low point so far), then the journeys that ended with
their peak–end. The journeys here come from the live path: interactions logged, then assembled."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.services import metrics_refresh_stale
from journeys.models import Journey
from journeys.services import journeys_assemble_pending
from tests.factories import (
    CustomerFactory,
    JourneyFactory,
    JourneyMapFactory,
    JourneyMapStepFactory,
    TouchpointFactory,
)
from tests.workspace.test_i18n import english_words
from touchpoints.services import interaction_log

pytestmark = pytest.mark.django_db

NOW = timezone.now()
ONLINE = ("Website browse", "Online checkout", "Delivery", "Support call", "Billing", "Returns", "Review")


def ago(**delta):
    return NOW - timedelta(**delta)


def published_map(name, touchpoint_names, **rules):
    """A published map with these steps in order (the first starts journeys, the last ends them)."""
    journey_map = JourneyMapFactory(name=name, status="published", **rules)
    touchpoints = [TouchpointFactory(name=touchpoint_name) for touchpoint_name in touchpoint_names]
    for position, touchpoint in enumerate(touchpoints, start=1):
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=position)
    return journey_map, touchpoints


def logged(customer, moments):
    """Log (touchpoint, score, occurred_at) contacts, then assemble and score the journeys as the
    workers do after the commit."""
    for touchpoint, score, at in moments:
        interaction_log(customer=customer, touchpoint=touchpoint, experience_score=score, occurred_at=at)
    journeys_assemble_pending()
    metrics_refresh_stale()


def section(html: str) -> str:
    """The page's journeys section."""
    return re.search(r'<section[^>]*id="customer-journeys".*?</section>', html, re.S).group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page(client, customer) -> str:
    return client.get(reverse("customer-detail", args=[customer.id])).content.decode()


@pytest.fixture
def online():
    return published_map("Online purchase", ONLINE)


def test_an_open_journey_says_where_the_customer_is_and_the_low_point_so_far(agent_client, online):
    _map, (browse, checkout, delivery, support, *_) = online
    customer = CustomerFactory()
    logged(
        customer,
        [
            (browse, 8, ago(days=9)),
            (checkout, 7, ago(days=8)),
            (delivery, 2, ago(days=4)),
            (support, 6, ago(days=1)),
        ],
    )

    shown = text(section(page(agent_client, customer)))

    assert (
        "This customer is in the middle of Online purchase, step 4 of 7 (Support call), "
        "low point so far: Delivery 2/10." in shown
    )
    assert "Low point: the journey's lowest-scored moment so far" in shown


def test_the_step_is_the_furthest_reached_and_the_latest_of_equal_lows_is_the_low_point(agent_client, online):
    _map, (browse, _checkout, delivery, support, billing, *_) = online
    customer = CustomerFactory()
    # Billing (step 5) comes before the support call (step 4): the furthest step is still 5.
    logged(
        customer,
        [
            (browse, 3, ago(days=9)),
            (delivery, 6, ago(days=5)),
            (billing, 7, ago(days=3)),
            (support, 3, ago(days=2)),
        ],
    )

    shown = text(section(page(agent_client, customer)))

    assert "step 5 of 7 (Billing), low point so far: Support call 3/10." in shown


def test_a_journey_with_no_scored_moment_says_so(agent_client, online):
    _map, (browse, *_) = online
    customer = CustomerFactory()
    logged(customer, [(browse, None, ago(days=1))])

    shown = text(section(page(agent_client, customer)))

    assert (
        "This customer is in the middle of Online purchase, step 1 of 7 (Website browse), "
        "no scored moment yet." in shown
    )


def test_an_unmapped_journey_in_progress_reads_as_one(agent_client):
    customer = CustomerFactory()
    journey = JourneyFactory(customer=customer, journey_map=None, external_id="TICKET-1")
    interaction_log(
        customer=customer,
        touchpoint=TouchpointFactory(name="Social care"),
        experience_score=4.5,
        journey_ref="TICKET-1",
    )
    metrics_refresh_stale()

    shown = text(section(page(agent_client, customer)))

    assert journey.interactions.count() == 1
    assert (
        "This customer is in the middle of an unmapped journey, low point so far: Social care 4.5/10."
        in shown
    )


def test_ended_journeys_follow_the_open_ones_with_their_peak_end(agent_client, online):
    _map, touchpoints = online
    browse, checkout, delivery, *_rest, review = touchpoints
    customer = CustomerFactory()
    logged(
        customer,
        [
            # Completed: from the first step to the last (which ends journeys).
            (browse, 9, ago(days=200)),
            (delivery, 2, ago(days=195)),
            (review, 6, ago(days=190)),
            # Abandoned: nothing for longer than the 30-day timeout.
            (browse, 5, ago(days=120)),
            (checkout, 3, ago(days=119)),
            # In progress.
            (browse, 7, ago(days=2)),
        ],
    )
    statuses = sorted(Journey.objects.values_list("status", flat=True))
    assert statuses == ["abandoned", "completed", "in_progress"]

    shown = text(section(page(agent_client, customer)))

    html = section(page(agent_client, customer))
    open_at = html.index("This customer is in the middle of Online purchase, step 1 of 7 (Website browse)")
    ended_at = html.index("Completed and abandoned journeys")
    abandoned_at, completed_at = (
        html.index("status-journey-abandoned"),
        html.index("status-journey-completed"),
    )
    assert open_at < ended_at < abandoned_at < completed_at  # the open one first, then latest start first
    # Completed: peak 9 (further from neutral than 2), end 6 → (9 + 6) / 2.
    assert "Peak–end 7.5" in shown
    assert "Moments of truth: peak Website browse (9), end Review (6)" in shown
    # Abandoned: its negative peak and its end are the checkout (3): (3 + 3) / 2.
    assert "Peak–end 3.0" in shown and "end Online checkout (3)" in shown
    assert shown.count("This customer is in the middle of") == 1


def test_the_journeys_come_first_on_the_page(agent_client, online):
    _map, (browse, *_) = online
    customer = CustomerFactory()
    logged(customer, [(browse, 7, ago(days=1))])

    html = page(agent_client, customer)

    assert (
        html.index('id="customer-journeys"') < html.index('id="history-title"') < html.index('id="log-title"')
    )


def test_each_contact_in_the_history_names_the_journey_it_joined(agent_client, online):
    _map, (browse, *_) = online
    customer = CustomerFactory()
    logged(customer, [(browse, 7, ago(days=1))])
    journey = Journey.objects.get()

    html = page(agent_client, customer)

    assert f'<a href="#journey-{journey.id}" class="journey-link">in Online purchase</a>' in html
    assert f'id="journey-{journey.id}"' in section(html)


def test_no_journey_at_all_reads_no_journeys(agent_client):
    assert "No journeys." in text(section(page(agent_client, CustomerFactory())))


def test_the_page_costs_the_same_queries_with_one_open_journey_or_eight(
    agent_client, django_assert_num_queries
):
    def customer_with_open_journeys(count):
        customer = CustomerFactory()
        for n in range(count):
            _map, touchpoints = published_map(f"Map {count}-{n}", ("First", "Second", "Third"))
            logged(
                customer,
                [(touchpoints[0], 4, ago(days=3, hours=n)), (touchpoints[1], 6, ago(days=2, hours=n))],
            )
        return customer

    one, eight = customer_with_open_journeys(1), customer_with_open_journeys(8)
    assert Journey.objects.filter(customer=eight, status="in_progress").count() == 8
    with CaptureQueriesContext(connection) as with_one:
        page(agent_client, one)
    with django_assert_num_queries(len(with_one.captured_queries)):
        html = page(agent_client, eight)

    assert text(section(html)).count("This customer is in the middle of") == 8


def test_the_journeys_read_in_chinese(agent, online):
    _map, touchpoints = online
    browse, _checkout, delivery, *_rest, review = touchpoints
    customer = CustomerFactory()
    logged(
        customer,
        [
            (browse, 9, ago(days=200)),
            (review, 6, ago(days=190)),
            (browse, 5, ago(days=120)),
            (browse, 7, ago(days=3)),
            (delivery, 2, ago(days=2)),
        ],
    )
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(agent)

    shown = section(page(chinese, customer))

    assert "Online purchase" in shown and "Delivery" in shown and "2/10" in shown
    assert english_words(shown, ("Online purchase", *ONLINE)) == []
