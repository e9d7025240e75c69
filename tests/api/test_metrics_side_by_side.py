"""CSAT and CES are the same numbers on the overview page, in its download and in the metrics API."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.analytics.test_dashboard_copy import known_data
from tests.analytics.test_dashboard_numbers import kpis, number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("filters", [{}, {"touchpoint": "delivery"}])
def test_csat_and_ces_agree_on_the_page_the_download_and_the_api(manager_client, api, filters):
    data = known_data()
    page_filters = {"touchpoint": data["touchpoint"].id} if filters else {}
    page = kpis(manager_client.get(reverse("dashboard-overview"), page_filters))
    download = manager_client.get(
        reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"}),
        {**page_filters, "table": "summary"},
    )
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))}
    today = timezone.localdate()  # the page's default period: the last 90 days, ending today
    query = {**filters, "start": str(today - timedelta(days=89)), "end": str(today)}
    csat = api.get("/api/v1/metrics/csat/", query).json()["summary"]["csat"]
    ces = api.get("/api/v1/metrics/ces/", query).json()["summary"]["ces"]

    side_by_side = [
        (page["csat"]["data-value"], rows["CSAT (%)"], csat["csat"]),
        (page["csat"]["data-n"], rows["CSAT answers"], csat["n"]),
        (page["csat"]["data-ci-low"], rows["CSAT 95 % CI low (%)"], csat["ci_low"]),
        (page["csat"]["data-ci-high"], rows["CSAT 95 % CI high (%)"], csat["ci_high"]),
        (page["ces"]["data-value"], rows["CES mean (1-7)"], ces["mean"]),
        (page["ces"]["data-n"], rows["CES answers"], ces["n"]),
        (page["ces"]["data-ci-low"], rows["CES 95 % CI low"], ces["ci_low"]),
        (page["ces"]["data-ci-high"], rows["CES 95 % CI high"], ces["ci_high"]),
        (page["ces"]["data-easy"], rows["CES answers rated 5-7"], ces["easy"]),
        (page["ces"]["data-easy-share"], rows["CES rated 5-7 (%)"], ces["easy_share"]),
        (page["ces"]["data-easy-ci-low"], rows["CES rated 5-7 95 % CI low (%)"], ces["easy_ci_low"]),
        (page["ces"]["data-easy-ci-high"], rows["CES rated 5-7 95 % CI high (%)"], ces["easy_ci_high"]),
    ]
    for shown, exported, answered in side_by_side:
        assert number(shown) == float(exported) == answered
    assert (csat["n"], csat["satisfied"], ces["n"], ces["easy"]) == (30, 22, 5, 3)
