"""The journey-map editor in a real browser: a CX manager builds a map with the keyboard, previews
and publishes it, and the re-assembly runs to its end; an agent then logs a customer's contacts at
the map's touchpoints, and the journey shows on the customer's page and in the map's funnel.

Tasks run eagerly (``tests/conftest.py``): the live server runs each one when its transaction
commits, so the re-assembly and the journey's assembly are done by the time the page answers.
"""

import re

import pytest

from journeys.models import AssemblyRun, Journey, JourneyMap
from tests.conftest import PASSWORD
from tests.factories import CustomerFactory, TouchpointFactory
from touchpoints.models import Channel, Stage, Touchpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")


def add_step(page, option_label: str) -> None:
    """Choose a touchpoint in the "add" control, then Tab to "Add step" and press Enter."""
    select = page.get_by_label("Add a touchpoint as a step")
    select.select_option(label=option_label)
    select.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Add step"
    page.keyboard.press("Enter")


def step_names(page) -> list[str]:
    return [name.strip() for name in page.locator("[data-steps] [data-step-name]").all_inner_texts()]


def build_the_map(page, live_server, screenshot) -> None:
    page.get_by_role("link", name="Journey maps").click()
    page.get_by_role("link", name="New journey map").click()
    page.get_by_label("Name").fill("Online purchase")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/journey-maps/\d+/$"))
    assert page.get_by_text("No steps yet").is_visible()

    add_step(page, "Browse the shop · Web")
    add_step(page, "Delivery · Phone")
    add_step(page, "Checkout · Web")
    assert step_names(page) == ["Browse the shop", "Delivery", "Checkout"]
    # The focus went back to the "add" control after each one: ready for the next.
    assert page.evaluate("document.activeElement.id") == "add-touchpoint"
    assert page.locator("[data-unsaved]").is_visible()

    move_up = page.get_by_role("button", name="Move Checkout up")
    move_up.focus()
    page.keyboard.press("Enter")
    assert step_names(page) == ["Browse the shop", "Checkout", "Delivery"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move Checkout up"
    announced = "() => document.querySelector('[data-announce]').textContent === 'Checkout is now step 2.'"
    page.wait_for_function(announced)

    ends = page.get_by_label("Ends a journey (Delivery)")
    ends.focus()
    page.keyboard.press("Space")
    assert ends.is_checked()
    timeout = page.get_by_label("Inactivity timeout (days)")
    timeout.fill("30")
    page.get_by_label("Floor (0–10) (Delivery)").fill("6")

    page.get_by_role("button", name="Preview matches").click()
    page.locator("[data-preview-matched]").wait_for()
    assert page.locator("[data-preview-matched]").inner_text() == "0"
    screenshot(page, "-editor")

    page.get_by_label("Floor (0–10) (Delivery)").press("Enter")  # Enter saves
    page.get_by_text("Journey map saved.").wait_for()
    assert step_names(page) == ["Browse the shop", "Checkout", "Delivery"]


def test_manager_builds_and_publishes_a_map_then_an_agent_walks_a_customer_along_it(
    live_server, browser, page, manager, agent, screenshot
):
    TouchpointFactory(code="browse", name="Browse the shop", stage=Stage.PRE_SALE, channel=Channel.WEB)
    TouchpointFactory(code="checkout", name="Checkout", stage=Stage.MID_SALE, channel=Channel.WEB)
    TouchpointFactory(code="delivery", name="Delivery", stage=Stage.POST_SALE, channel=Channel.PHONE)
    TouchpointFactory(code="returns", name="Returns", stage=Stage.POST_SALE, channel=Channel.PHONE)
    grace = CustomerFactory(name="Grace Hopper", external_id="CRM-1906")

    sign_in(page, live_server, manager)
    build_the_map(page, live_server, screenshot)
    journey_map = JourneyMap.objects.get(name="Online purchase")
    steps = list(journey_map.steps.order_by("position").values_list("touchpoint__code", "starts", "ends"))
    assert steps == [("browse", False, False), ("checkout", False, False), ("delivery", False, True)]
    assert Touchpoint.objects.get(code="delivery").floor_score == 6

    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r".*/journey-maps/\d+/runs/\d+/$"))
    page.locator("[data-run-done]").wait_for(state="visible")
    assert page.locator("[data-run-progress]").get_attribute("value") == "100"
    assert AssemblyRun.objects.get(journey_map=journey_map).status == "done"
    screenshot(page, "-run")
    page.get_by_role("link", name="Back to the map").click()
    assert page.locator("[data-map-status]").inner_text() == "Published"
    assert page.console_errors == []

    agent_context = browser.new_context(viewport={"width": 1280, "height": 800})
    agent_page = agent_context.new_page()
    sign_in(agent_page, live_server, agent)
    agent_page.goto(f"{live_server.url}/customers/{grace.id}/")
    for touchpoint, score in (("Browse the shop · Pre-sale", "8"), ("Checkout · Purchase", "4")):
        form = agent_page.locator("[data-log-form]")
        form.get_by_label("Touchpoint").select_option(label=touchpoint)
        form.get_by_label("Experience (0–10)").fill(score)
        notes = form.get_by_label("Notes")
        notes.fill(f"{touchpoint}: called")
        notes.press("Control+Enter")
        agent_page.wait_for_url(re.compile(r".*/customers/\d+/#interaction-\d+$"))

    journey = Journey.objects.get(customer=grace)
    assert (journey.journey_map_id, journey.status, journey.furthest_step) == (
        journey_map.id,
        "in_progress",
        2,
    )

    agent_page.goto(f"{live_server.url}/customers/{grace.id}/")
    journeys = agent_page.locator("#customer-journeys")
    journeys.wait_for(timeout=5000)
    text = journeys.inner_text()
    screenshot(agent_page, "-customer")
    assert "Online purchase" in text
    assert re.search(r"step 2 of 3", text, re.IGNORECASE), text
    agent_context.close()

    page.goto(f"{live_server.url}/dashboards/journeys/?journey_map={journey_map.id}&period=last_30")
    funnel = page.locator("#journey-funnel")
    funnel.wait_for(timeout=10000)
    page.locator("#journey-funnel .main-svg").first.wait_for(timeout=10000)  # drawn by plotly.js
    assert funnel.is_visible() and "Checkout" in funnel.text_content()
    # The journey reached the map's second step and has not gone on (yet).
    checkout = page.locator(".journey-funnel-steps tr[data-step='2']")
    assert (checkout.get_attribute("data-reached"), checkout.get_attribute("data-dropped")) == ("1", "1")
    screenshot(page, "-funnel")
    assert page.console_errors == []
