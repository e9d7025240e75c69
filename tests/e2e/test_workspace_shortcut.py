"""The "/" shortcut in a real browser: it jumps to the customer search and is never typed into it,
while in every other field (and inside a query) "/" is an ordinary character."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_workspace import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hopper():
    CustomerFactory(name="Kamala Harris", external_id="CRM-4401")
    return CustomerFactory(name="Grace Hopper", external_id="CRM-1906")


def test_slash_then_a_name_searches_for_the_name_not_for_a_slash(live_server, page, agent, hopper):
    sign_in(page, live_server, agent)
    page.goto(live_server.url + "/customers/")
    search = page.get_by_label("Find a customer")
    # The box has autofocus: the agent is in it already when they press "/" out of habit.
    assert page.evaluate("document.activeElement.hasAttribute('data-search-input')")
    page.keyboard.press("/")
    page.keyboard.type("harris", delay=30)
    assert search.input_value() == "harris"
    page.locator("a.result-link", has_text="Kamala Harris").wait_for()
    assert page.locator("a.result-link", has_text="Grace Hopper").count() == 0
    assert page.console_errors == []


def test_slash_from_the_page_focuses_the_box_and_selects_the_old_query(live_server, page, agent, hopper):
    sign_in(page, live_server, agent)
    page.goto(live_server.url + "/customers/?q=hopper")
    search = page.get_by_label("Find a customer")
    page.locator("h1").click()  # focus leaves the box
    page.keyboard.press("/")
    page.keyboard.type("harris", delay=30)
    assert search.input_value() == "harris"
    page.locator("a.result-link", has_text="Kamala Harris").wait_for()


def test_slash_inside_a_query_and_in_other_fields_is_typed(live_server, page, agent, hopper):
    sign_in(page, live_server, agent)
    page.goto(live_server.url + "/customers/")
    search = page.get_by_label("Find a customer")
    search.press_sequentially("CRM/44", delay=30)
    assert search.input_value() == "CRM/44"

    page.goto(f"{live_server.url}/customers/{hopper.id}/")
    notes = page.locator("[data-log-form]").get_by_label("Notes")
    notes.click()
    page.keyboard.type("24/7 line", delay=30)
    assert notes.input_value() == "24/7 line"
    assert re.search(rf"/customers/{hopper.id}/$", page.url)  # "/" did not leave for the search page


def test_slash_on_the_customer_page_goes_to_the_search(live_server, page, agent, hopper):
    sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/customers/{hopper.id}/")
    page.locator("h1").first.click()
    page.keyboard.press("/")
    page.wait_for_url(live_server.url + "/customers/")
    # The search page focuses its field once loaded: typing before that would lose keys.
    expect(page.get_by_label("Find a customer")).to_be_focused()
    page.keyboard.type("harris", delay=30)
    assert page.get_by_label("Find a customer").input_value() == "harris"
