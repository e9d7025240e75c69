"""The filter bar: GET parameters validated by a form, kept in the URL, bad values a form error."""

from dataclasses import replace
from datetime import date
from urllib.parse import parse_qsl

import pytest
from django.http import QueryDict
from django.urls import reverse

from analytics.forms import DashboardFilterForm
from analytics.selectors import MetricFilters
from analytics.selectors.dashboards import FilterOptions, TouchpointOption

TODAY = date(2025, 5, 20)
OPTIONS = FilterOptions(
    surveys=[(3, "Relationship NPS")],
    touchpoints=[
        TouchpointOption(7, "Web advert", "pre_sale", "Pre-sale", "social", None, True),
        TouchpointOption(9, "Delivery", "post_sale", "Post-sale", "phone", 4.0, True),
    ],
    journey_maps=[(2, "Online purchase")],
    segments=["consumer", "smb"],
)


def form_for(query: str = "", **flags) -> DashboardFilterForm:
    return DashboardFilterForm(QueryDict(query), options=OPTIONS, today=TODAY, **flags)


def filters_for(query: str = "", **flags) -> MetricFilters:
    form = form_for(query, **flags)
    assert form.is_valid(), form.errors
    return form.metric_filters()


def test_no_parameters_mean_the_last_90_days_ending_today():
    filters = filters_for()
    assert (filters.start, filters.end, filters.days) == (date(2025, 2, 20), TODAY, 90)
    assert filters == MetricFilters(start=date(2025, 2, 20), end=TODAY)


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("last_30", date(2025, 4, 21)),
        ("last_90", date(2025, 2, 20)),
        ("last_365", date(2024, 5, 21)),
        ("this_year", date(2025, 1, 1)),
    ],
)
def test_a_preset_ends_today(period, start):
    filters = filters_for(f"period={period}")
    assert (filters.start, filters.end) == (start, TODAY)


def test_a_preset_wins_over_dates_left_in_the_bar():
    filters = filters_for("period=last_30&start=2020-01-01&end=2020-02-01")
    assert (filters.start, filters.end) == (date(2025, 4, 21), TODAY)


def test_dates_make_a_custom_range():
    assert filters_for("period=custom&start=2025-01-01&end=2025-01-31").days == 31
    # A bookmark with dates only is a custom range too; a missing end is today.
    filters = filters_for("start=2025-03-01")
    assert (filters.start, filters.end) == (date(2025, 3, 1), TODAY)
    filters = filters_for("end=2025-03-31")
    assert (filters.start, filters.end) == (date(2025, 1, 1), date(2025, 3, 31))


def test_every_filter_reaches_the_metric_filters():
    filters = filters_for(
        "survey=3&stage=post_sale&touchpoint=9&channel=phone&segment=smb&value_tier=gold&journey_map=2",
        journey_map=True,
    )
    assert (filters.survey_id, filters.stage, filters.touchpoint_id, filters.channel) == (
        3,
        "post_sale",
        9,
        "phone",
    )
    assert (filters.segment, filters.value_tier, filters.journey_map_id) == ("smb", "gold", 2)


def test_no_segment_selects_customers_without_one():
    assert filters_for("segment=-").segment == ""
    assert filters_for("segment=").segment is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2025-02-30", "From: Enter a valid date."),
        (
            "period=custom&start=2025-03-01&end=2025-01-01",
            "The start date (2025-03-01) is after the end date",
        ),
        ("period=custom&start=2015-01-01&end=2025-01-01", "A period can cover at most 1830 days"),
        (
            "period=custom&start=0001-01-01&end=0001-01-31",
            "Dates must fall between 1970-01-01 and 2100-12-31.",
        ),
        ("end=9999-12-31", "Dates must fall between 1970-01-01 and 2100-12-31."),
        ("period=fortnight", "Period: Select a valid choice. fortnight is not one of the available choices."),
        ("survey=999", "Survey: Select a valid choice. 999 is not one of the available choices."),
        ("survey=abc", "Survey: Select a valid choice."),
        ("touchpoint=1e9", "Touchpoint: Select a valid choice."),
        ("stage=during", "Stage: Select a valid choice."),
        ("channel=pigeon", "Channel: Select a valid choice."),
        ("segment=unknown", "Segment: Select a valid choice."),
        ("value_tier=diamond", "Value tier: Select a valid choice."),
    ],
)
def test_a_bad_value_is_a_named_form_error(query, message):
    form = form_for(query)
    assert not form.is_valid()
    assert any(line.startswith(message) for line in form.error_messages()), form.error_messages()


def test_the_journey_map_is_only_on_the_journeys_page():
    assert "journey_map" not in form_for().fields
    assert not form_for("journey_map=99", journey_map=True).is_valid()


def test_the_query_string_keeps_a_preset_by_name_and_drops_empty_fields():
    form = form_for("period=last_30&start=2020-01-01&survey=&stage=pre_sale")
    assert form.is_valid()
    assert dict(parse_qsl(form.query_string())) == {"period": "last_30", "stage": "pre_sale"}
    default = form_for("survey=3")
    assert default.is_valid() and default.query_string() == "survey=3"
    custom = form_for("start=2025-01-01&end=2025-01-31")
    assert custom.is_valid()
    assert dict(parse_qsl(custom.query_string())) == {
        "period": "custom",
        "start": "2025-01-01",
        "end": "2025-01-31",
    }


def test_the_bar_shows_the_dates_a_preset_resolved_to():
    form = form_for("period=last_30")
    assert form.is_valid()
    form.show_resolved()
    html = str(form["start"])
    assert 'value="2025-04-21"' in html
    assert 'value="last_30" selected' in str(form["period"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "dashboard-overview",
        "dashboard-touchpoints",
        "dashboard-journeys",
        "dashboard-drivers",
        "dashboard-comments",
    ],
)
def test_a_page_with_bad_filters_answers_400_with_the_errors_and_no_figures(manager_client, name):
    response = manager_client.get(
        reverse(name), {"period": "custom", "start": "2025-03-01", "end": "nonsense"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "These filters cannot be applied" in html and "To: Enter a valid date." in html
    assert "data-figure" not in html


@pytest.mark.django_db
def test_a_bad_comment_page_number_is_a_form_error(manager_client):
    response = manager_client.get(reverse("dashboard-comments"), {"page": "0"})
    assert response.status_code == 400
    assert "Page: Ensure this value is greater than or equal to 1." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"survey": "987654"}, "Survey: Select a valid choice. 987654 is not one of the available choices."),
        ({"touchpoint": "987654"}, "Touchpoint: Select a valid choice."),
        ({"segment": "nobody"}, "Segment: Select a valid choice."),
    ],
)
def test_an_unknown_id_is_a_form_error_on_the_page_not_zeros(manager_client, query, message):
    response = manager_client.get(reverse("dashboard-overview"), query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and "data-metric" not in html


@pytest.mark.django_db
def test_a_download_with_bad_filters_is_400_with_the_errors(manager_client):
    url = reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"})
    response = manager_client.get(url, {"stage": "during"})
    assert response.status_code == 400
    assert response.content.decode().startswith("Stage: Select a valid choice.")


@pytest.mark.django_db
def test_the_tabs_keep_the_filters(manager_client):
    html = manager_client.get(
        reverse("dashboard-overview"), {"period": "last_30", "stage": "pre_sale"}
    ).content.decode()
    assert f'href="{reverse("dashboard-drivers")}?period=last_30&amp;stage=pre_sale"' in html
    assert 'href="/dashboards/overview/export.xlsx?period=last_30&amp;stage=pre_sale"' in html


HOSTILE = [
    "start=2025-13-01",
    "start=0001-01-01&end=0001-01-02&period=custom",
    "end=9999-12-31",
    "survey=%00",
    "touchpoint=-1",
    "journey_map=x",
    "segment=" + "x" * 500,
    "interval=year",
    "page=-1",
    "page=99999999999999999999",
    "q=" + "late" * 100,
    "period=this_year&start=garbage",
    "stage=pre_sale&stage=during",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/",
        "/dashboards/touchpoints/",
        "/dashboards/journeys/",
        "/dashboards/drivers/",
        "/dashboards/comments/",
        "/dashboards/comments/export.csv",
        "/dashboards/journeys/export.xlsx",
    ],
)
def test_no_parameter_makes_a_server_error(manager_client, path, query):
    assert manager_client.get(f"{path}?{query}").status_code in (200, 400)


def test_segments_are_offered_by_label_and_filter_by_code():
    form = DashboardFilterForm(
        QueryDict(""),
        options=replace(OPTIONS, segments=["small_business", "SMB"]),
        today=TODAY,
    )
    assert ("small_business", "Small business") in form.fields["segment"].choices
    assert ("SMB", "SMB") in form.fields["segment"].choices
    assert filters_for_options("segment=small_business").segment == "small_business"


def filters_for_options(query: str) -> MetricFilters:
    options = replace(OPTIONS, segments=["small_business"])
    form = DashboardFilterForm(QueryDict(query), options=options, today=TODAY)
    assert form.is_valid(), form.errors
    return form.metric_filters()
