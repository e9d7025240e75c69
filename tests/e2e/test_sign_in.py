"""A CX manager signs in with a real browser and lands on a styled home page."""

import pytest

from tests.conftest import PASSWORD
from tests.factories import InteractionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_signs_in_and_sees_the_latest_contacts(live_server, page, manager, screenshot):
    InteractionFactory(customer__name="Grace Hopper", touchpoint__name="Delivery")
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")

    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")

    assert page.get_by_role("heading", name="Latest contacts, every channel").is_visible()
    assert page.get_by_role("cell", name="Grace Hopper").count() == 1
    # The stylesheet was served and applied: the top bar carries the brand colour.
    assert page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor") == "rgb(15, 76, 129)"
    screenshot(page)
    assert page.console_errors == []


def test_wrong_password_keeps_the_user_on_the_login_page(live_server, page, manager):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct username")
