"""Each dashboard costs a fixed number of queries, however many responses there are.

The pages read rollups (a query per figure, not per row); the comments list reads one page of
raw answers with one query. Each page is rendered over a small demo and over a demo four times
its size: the count is the same, and under the page's bound.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Response
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db

# Bounds per page, with the session, user and role queries of the request included. A year, so that no
# breakdown is empty at the small size (an empty one skips its label query: one query fewer).
PAGES = {
    "overview": ("dashboard-overview", {}, 18),
    "touchpoints": ("dashboard-touchpoints", {"period": "last_365"}, 18),
    "journeys": ("dashboard-journeys", {}, 19),  # + the funnel, the outcomes, where customers give up
    "drivers": ("dashboard-drivers", {"period": "last_365"}, 20),
    "comments": ("dashboard-comments", {"q": "e"}, 10),
    "overview-csv": ("dashboard-export", {"table": "nps_trend"}, 16),
    "touchpoints-xlsx": ("dashboard-export", {"period": "last_365"}, 16),
    "comments-xlsx": ("dashboard-export", {}, 10),
}
EXPORTS = {
    "overview-csv": {"slug": "overview", "fmt": "csv"},
    "touchpoints-xlsx": {"slug": "touchpoints", "fmt": "xlsx"},
    "comments-xlsx": {"slug": "comments", "fmt": "xlsx"},
}


def seed(customers: int) -> int:
    call_command("seed_demo", "--customers", str(customers), "--seed", "7", "--force", stdout=io.StringIO())
    return Response.objects.count()


def queries(client, name: str, params: dict) -> int:
    url = reverse(PAGES[name][0], kwargs=EXPORTS.get(name))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_costs_the_same_bounded_number_of_queries_at_any_size(
    manager_client, name, django_assert_max_num_queries
):
    _, params, bound = PAGES[name]
    small = seed(20)
    with django_assert_max_num_queries(bound):
        at_small = queries(manager_client, name, params)
    large = seed(80)
    with django_assert_max_num_queries(bound):
        at_large = queries(manager_client, name, params)

    assert large > 3 * small
    assert at_large == at_small


def test_the_touchpoint_drill_down_costs_a_bounded_number_of_queries(
    manager_client, django_assert_max_num_queries
):
    seed(40)
    touchpoint = Touchpoint.objects.get(code="delivery")
    with django_assert_max_num_queries(18):
        response = manager_client.get(reverse("dashboard-touchpoint-detail", args=[touchpoint.id]))
    assert response.status_code == 200
