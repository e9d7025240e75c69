"""A CX manager whose language is zh-hans walks the product in Chromium and reads no English.

The Chinese demo company (``seed_demo --language zh-hans``) is behind a live server; its manager
chose zh-hans (the seed keeps the choice with the account), the browser asks for English, and the
account's choice wins on every page: overview, touchpoints, journeys, drivers, comments, survey
builder, follow-ups and the customer 360. On each, once the charts are drawn, the text a reader
sees (the page's text, the charts' SVG text, tooltips, labels and Plotly's own button titles)
holds no English word that is not data or a name kept in Latin letters; a screenshot of each is
saved under test-output/.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from access.roles import ROLES
from demo.services import DEMO_MANAGER, DEMO_PASSWORD
from surveys.models import Survey
from tests.i18n.english import data_words, english_words
from touchpoints.models import Customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOWN_TEXT = """() => [
  document.title,
  document.body.innerText,
  ...[...document.querySelectorAll('svg text')].map(e => e.textContent),
  ...[...document.querySelectorAll('[title],[aria-label],[placeholder],[alt],[data-title]')].flatMap(
    e => ['title', 'aria-label', 'placeholder', 'alt', 'data-title'].map(a => e.getAttribute(a) || '')),
]"""


@pytest.fixture
def chinese_demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    arguments = ["--customers", "150", "--seed", "7", "--language", "zh-hans"]
    call_command("seed_demo", *arguments, stdout=io.StringIO())


@pytest.fixture
def english_browser_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def _sign_in(page, live_server) -> None:
    page.goto(live_server.url + "/login/")
    page.locator("input[name=username]").fill(DEMO_MANAGER)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(live_server.url + "/")


def _charts_drawn(page) -> None:
    expected = page.locator("[data-figure]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
        arg=expected,
        timeout=15_000,
    )


def test_a_chinese_manager_reads_no_english(live_server, english_browser_page, chinese_demo, screenshot):
    page = english_browser_page
    customer = Customer.objects.filter(interactions__isnull=False).order_by("pk").first()
    survey = Survey.objects.order_by("pk").first()
    walk = [
        ("overview", "/dashboards/"),
        ("touchpoints", "/dashboards/touchpoints/"),
        ("journeys", "/dashboards/journeys/"),
        ("drivers", "/dashboards/drivers/?period=last_365"),
        ("comments", "/dashboards/comments/"),
        ("survey-builder", "/surveys/"),
        ("survey", f"/surveys/{survey.pk}/"),
        ("follow-ups", "/follow-ups/"),
        ("customer-360", f"/customers/{customer.pk}/"),
    ]
    words = data_words()
    _sign_in(page, live_server)
    left = {}
    for name, path in walk:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "zh-hans", name
        _charts_drawn(page)
        screenshot(page, f"-{name}")
        english = english_words(page.evaluate(SHOWN_TEXT), words)
        if english:
            left[name] = sorted(set(english))
    assert not left, f"English words visible in zh-hans: {left}"
    assert page.console_errors == []
