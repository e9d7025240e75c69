"""Under the Content-Security-Policy, Chromium runs the admin, the API docs and the audit log with no
console error (a blocked script or style would log one)."""

import pytest

from infra.security import DEFAULT_POLICY
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def root(db):
    return UserFactory(username="root-sam", password=PASSWORD, is_superuser=True, is_staff=True)


def open_page(page, url: str):
    response = page.goto(url)
    assert response.headers["content-security-policy"] == DEFAULT_POLICY, url
    return response


def test_the_admin_works_under_the_policy(live_server, page, root, outsider, screenshot):
    open_page(page, live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(root.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")

    # The user form's group picker and date widgets are drawn by the admin's scripts.
    open_page(page, f"{live_server.url}/admin/auth/user/{outsider.pk}/change/")
    page.wait_for_selector("#id_groups_from")  # SelectFilter2 replaced the plain select
    assert page.locator(".datetimeshortcuts").count() >= 1
    open_page(page, live_server.url + "/admin/api/apikey/add/")
    page.get_by_label("Name").fill("CRM production")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.locator("#api-key").inner_text().startswith("cem_")
    open_page(page, live_server.url + "/admin/audit/auditevent/")
    assert page.locator("td.field-action", has_text="API key created").count() == 1
    screenshot(page)
    assert page.console_errors == []


def test_the_api_docs_render_under_the_policy(live_server, page, db, screenshot):
    open_page(page, live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    screenshot(page)
    assert page.console_errors == []


def test_a_manager_reads_the_audit_log(live_server, page, manager, screenshot):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url(live_server.url + "/audit/")
    assert page.get_by_role("heading", level=1, name="Audit log").is_visible()
    assert page.get_by_role("cell", name="Signed in").count() >= 1
    page.get_by_role("link", name="Signed in").click()
    page.wait_for_url(live_server.url + "/audit/?action=sign_in")
    assert page.get_by_role("cell", name="Exported data").count() == 0
    screenshot(page)
    assert page.console_errors == []
