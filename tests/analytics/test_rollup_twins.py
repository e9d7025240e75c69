"""The coarser rollups (touchpoint-level twins, drivers per segment): written with the fine
rollups, equal to them summed, and read by the selectors only when they give the same figures
as the fine tables."""

import importlib
import math
from dataclasses import fields, is_dataclass
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import transaction

from analytics.models import (
    COARSE_ROLLUPS,
    DriverChannelRollup,
    DriverRollup,
    DriverSegmentRollup,
    DriverSurveySegmentRollup,
    DriverTierRollup,
    DriverTouchpointRollup,
    InteractionRollup,
    InteractionTouchpointRollup,
    InvitationRollup,
    ResponseRollup,
    ResponseTouchpointRollup,
    StaleKind,
)
from analytics.selectors import (
    DIMENSIONS,
    INTERACTION_DIMENSIONS,
    MetricFilters,
    driver_summary,
    expectation_by_touchpoint,
    interaction_breakdown,
    interaction_summary,
    invitation_summary,
    response_breakdown,
    response_comparison,
    response_series,
    response_summary,
    sources,
)
from analytics.selectors.dashboards import expectation_heatmap
from analytics.services import metrics_mark_stale, metrics_refresh_stale, rollup_refresh_days
from tests.analytics.test_selectors import D1, D5, response_dataset
from tests.analytics.twins import twin_differences
from touchpoints.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """The selectors' dataset (two surveys, three touchpoints and segments, every channel)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield response_dataset()
        transaction.set_rollback(True)


def close(a, b) -> bool:
    """Equal, with floats compared to 1e-9 (a sum of sums adds in another order)."""
    if is_dataclass(a) and is_dataclass(b):
        return type(a) is type(b) and all(close(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_rebuild_writes_twins_equal_to_the_fine_rollups_summed(data):
    assert ResponseTouchpointRollup.objects.exists()
    assert InteractionTouchpointRollup.objects.exists()
    # The twins are coarser: fewer rows than the fine tables hold.
    assert ResponseTouchpointRollup.objects.count() < ResponseRollup.objects.count()
    assert twin_differences() == []


def test_a_refresh_after_a_delete_keeps_the_twins_in_step(data):
    from django.db.models import Sum

    from surveys.models import Response

    total = ResponseTouchpointRollup.objects.aggregate(n=Sum("responses"))["n"]
    response = Response.objects.order_by("submitted_at").last()
    metrics_mark_stale(response_ids=[response.id])
    response.delete()
    metrics_refresh_stale()
    assert ResponseTouchpointRollup.objects.aggregate(n=Sum("responses"))["n"] == total - 1
    assert twin_differences() == []


def test_a_refresh_of_a_day_without_rows_leaves_no_twin_rows(data):
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[D1 - timedelta(days=30)], force=True)
    assert not ResponseTouchpointRollup.objects.filter(day=D1 - timedelta(days=30)).exists()
    assert twin_differences() == []


@pytest.mark.parametrize(
    ("filters", "by", "copy"),
    [
        (MetricFilters(), (), "Touchpoint"),
        (MetricFilters(start=D1, end=D5, survey_id=1, touchpoint_id=2, stage="post_sale"), (), "Touchpoint"),
        (MetricFilters(), ("survey_id",), "Touchpoint"),
        (MetricFilters(), ("touchpoint_id",), "Touchpoint"),
        (MetricFilters(), ("stage",), "Touchpoint"),
        (MetricFilters(channel=Channel.WEB), (), "Channel"),
        (MetricFilters(segment=""), (), "Segment"),
        (MetricFilters(value_tier="gold"), (), "Tier"),
        (MetricFilters(), ("channel",), "Channel"),
        (MetricFilters(), ("segment",), "Segment"),
        (MetricFilters(touchpoint_id=2, segment="smb"), ("touchpoint_id",), "Segment"),
        (MetricFilters(channel=Channel.WEB, segment="smb"), (), None),
        (MetricFilters(segment="smb"), ("value_tier",), None),
    ],
)
def test_the_smallest_copy_with_the_columns_is_read_else_the_fine_table(filters, by, copy):
    for fine in (ResponseRollup, InvitationRollup, InteractionRollup):
        if not set(by) <= {field.attname for field in fine._meta.concrete_fields}:
            continue  # interactions have no survey column to group by
        name = fine.__name__.removesuffix("Rollup")
        chosen = sources.rollup_model(fine, filters, by=by)
        assert chosen.__name__ == (f"{name}{copy}Rollup" if copy else fine.__name__)


@pytest.mark.parametrize(
    ("filters", "by", "chosen"),
    [
        (MetricFilters(), ("dimension",), DriverSegmentRollup),
        (MetricFilters(segment="business"), ("dimension",), DriverSegmentRollup),
        (MetricFilters(), ("segment", "dimension"), DriverSegmentRollup),
        (MetricFilters(survey_id=1), ("dimension",), DriverChannelRollup),
        (MetricFilters(survey_id=1), ("segment", "dimension"), DriverSurveySegmentRollup),
        (MetricFilters(channel=Channel.WEB), ("dimension",), DriverChannelRollup),
        (MetricFilters(value_tier="gold"), ("dimension",), DriverTierRollup),
        (MetricFilters(touchpoint_id=2), ("dimension",), DriverTouchpointRollup),
        (MetricFilters(touchpoint_id=2, channel=Channel.WEB), ("dimension",), DriverRollup),
    ],
)
def test_drivers_are_read_from_the_smallest_table_that_has_the_columns(filters, by, chosen):
    assert sources.rollup_model(DriverRollup, filters, by=by) is chosen


def test_the_survey_filter_does_not_keep_interactions_from_their_twin():
    """Interaction rollups have no survey column: the survey filter does not apply to them."""
    chosen = sources.rollup_model(InteractionRollup, MetricFilters(survey_id=1))
    assert chosen is InteractionTouchpointRollup


def test_journeys_are_read_per_journey_map_unless_a_customer_column_is_filtered():
    from analytics.models import JourneyMapRollup, JourneyRollup, MomentMapRollup, MomentOfTruthRollup

    assert sources.rollup_model(JourneyRollup, MetricFilters(journey_map_id=1)) is JourneyMapRollup
    assert sources.rollup_model(MomentOfTruthRollup, MetricFilters(touchpoint_id=3)) is MomentMapRollup
    assert sources.rollup_model(JourneyRollup, MetricFilters(segment="smb")) is JourneyRollup


SELECTORS = {
    "summary": lambda f: response_summary(filters=f),
    "series by day": lambda f: response_series(filters=f, interval="day"),
    "series by week": lambda f: response_series(filters=f, interval="week"),
    "series by month": lambda f: response_series(filters=f, interval="month"),
    "comparison": lambda f: response_comparison(filters=f) if f.start and f.end else None,
    **{f"breakdown by {by}": (lambda f, by=by: response_breakdown(filters=f, by=by)) for by in DIMENSIONS},
    "interaction summary": lambda f: interaction_summary(filters=f),
    **{
        f"interaction breakdown by {by}": (lambda f, by=by: interaction_breakdown(filters=f, by=by))
        for by in INTERACTION_DIMENSIONS
    },
    "expectation by touchpoint": lambda f: expectation_by_touchpoint(filters=f),
    "expectation heatmap": lambda f: expectation_heatmap(filters=f),
    "drivers": lambda f: driver_summary(filters=f),
    "invitations": lambda f: invitation_summary(filters=f),
}


def filter_sets(data) -> list[MetricFilters]:
    web, phone = data.touchpoints["web"], data.touchpoints["phone"]
    return [
        MetricFilters(),
        MetricFilters(start=D1, end=D5),
        MetricFilters(start=D1 + timedelta(days=2), end=D1 + timedelta(days=9)),
        MetricFilters(survey_id=data.surveys["transactional"].id),
        MetricFilters(touchpoint_id=web.id),
        MetricFilters(stage=phone.stage, start=D1, end=D5),
    ]


def test_every_selector_gives_the_same_figures_from_the_twin_and_from_the_fine_table(data, monkeypatch):
    via_twin = {}
    for index, filters in enumerate(filter_sets(data)):
        for name, selector in SELECTORS.items():
            assert sources.rollup_model(ResponseRollup, filters) is ResponseTouchpointRollup
            via_twin[index, name] = selector(filters)
    monkeypatch.setattr(sources, "coarse_models_of", lambda fine: ())
    for index, filters in enumerate(filter_sets(data)):
        for name, selector in SELECTORS.items():
            assert sources.rollup_model(ResponseRollup, filters) is ResponseRollup
            assert close(via_twin[index, name], selector(filters)), (filters, name)


def test_the_coarse_rollups_are_filled_from_existing_fine_rollups_when_they_are_added(data):
    """The migrations that add the coarse rollups fill them from the fine rollups already there."""
    for coarse in COARSE_ROLLUPS:
        coarse.objects.all().delete()
    importlib.import_module("analytics.migrations.0008_rollup_touchpoint_twins").fill_twins(apps, None)
    importlib.import_module("analytics.migrations.0009_driver_segment_rollup").fill(apps, None)
    importlib.import_module("analytics.migrations.0013_rollup_copies_and_row_marks").fill(apps, None)
    assert ResponseTouchpointRollup.objects.exists()
    for coarse, fine in COARSE_ROLLUPS.items():
        assert coarse.objects.exists() is fine.objects.exists(), coarse
    assert twin_differences() == []


def test_a_twin_row_is_never_written_twice_for_one_key(data):
    """The refresh replaces a day's twin rows: refreshing twice leaves the same rows."""
    before = set(
        ResponseTouchpointRollup.objects.values_list("day", "survey_id", "touchpoint_id", "responses")
    )
    days = sorted({day for day, *_ in before})
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=days, force=True)
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=days, force=True)
    after = set(
        ResponseTouchpointRollup.objects.values_list("day", "survey_id", "touchpoint_id", "responses")
    )
    assert after == before
    assert ResponseTouchpointRollup.objects.count() == len(before)
    assert date(2024, 3, 4) in days
