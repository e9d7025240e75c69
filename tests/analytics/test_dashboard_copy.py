"""Every card, table cell and download says exactly what its figures are, with a known data set.

30 responses to one survey at one touchpoint, yesterday: 22 of the 30 CSAT answers rated 4–5; CES
answered by five (3, 4, 5, 6, 6: mean 4.8, 95 % t interval 3.18 to 6.42, three rated 5–7); twelve
expectation pairs (5 below, 4 met, 3 above); 40 invitations sent, 30 answered. Two journeys on one
map, their interactions at the touchpoint scored 3 and 8, 7 and 6 (floor 5). The sentences are
worked by hand; the numbers behind them are the selectors'.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.selectors import MetricFilters, response_summary
from analytics.services import metrics_rebuild
from surveys.models import Question
from tests.analytics.test_dashboard_numbers import elements, kpis, number
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    JourneyMapFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

CSAT = [5] * 12 + [4] * 10 + [3] * 5 + [1] * 3
CES = [3, 4, 5, 6, 6]
PAIRS = [(5, 4)] * 5 + [(5, 5)] * 4 + [(5, 6)] * 3  # (expected, experienced): 5 below, 4 met, 3 above


@pytest.fixture
def known(db):
    return known_data()


def known_data() -> dict:
    """The data set of the module docstring, rollups rebuilt: the touchpoint, survey and journey map."""
    touchpoint = TouchpointFactory(code="delivery", name="Delivery", stage="post_sale", floor_score=5)
    survey = SurveyFactory(kind="transactional", touchpoint=touchpoint)
    questions = {
        "nps": QuestionFactory(survey=survey, order=1, type=Question.Type.NPS),
        "csat": QuestionFactory(survey=survey, order=2, type=Question.Type.CSAT),
        "ces": QuestionFactory(survey=survey, order=3, type=Question.Type.CES),
        "pair": QuestionFactory(
            survey=survey, order=4, type=Question.Type.EXPECTATION_EXPERIENCE, scale_min=1, scale_max=10
        ),
    }
    now = timezone.now()
    customer = CustomerFactory(segment="smb")
    for index in range(40):
        invitation = InvitationFactory(survey=survey, customer=customer, sent_at=now - timedelta(days=2))
        if index >= 30:
            continue
        response = ResponseFactory(invitation=invitation, submitted_at=now - timedelta(days=1))
        AnswerFactory(response=response, question=questions["nps"], score=[10, 9, 8, 3][index % 4])
        AnswerFactory(response=response, question=questions["csat"], score=CSAT[index])
        if index < len(CES):
            AnswerFactory(response=response, question=questions["ces"], score=CES[index])
        if index < len(PAIRS):
            expected, experienced = PAIRS[index]
            AnswerFactory(response=response, question=questions["pair"], expected=expected, score=experienced)
    journey_map = JourneyMapFactory(name="Delivery journey")
    JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=1)
    for scores in ((3, 8), (7, 6)):
        journey = JourneyFactory(
            customer=customer, journey_map=journey_map, started_at=now - timedelta(days=6)
        )
        for hour, score in enumerate(scores, start=1):
            InteractionFactory(
                customer=customer,
                touchpoint=touchpoint,
                journey=journey,
                occurred_at=now - timedelta(days=6) + timedelta(hours=hour),
                experience_score=score,
            )
    metrics_rebuild()
    return {"touchpoint": touchpoint, "survey": survey, "journey_map": journey_map}


def notes(response) -> dict[str, str]:
    """The text of each card's note, by the card's key."""
    html = response.content.decode()
    found = {}
    for key in kpis(response):
        card = html.split(f'data-metric="{key}"', 1)[1].split("</div>", 1)[0]
        found[key] = (
            card.split('<span class="kpi-note">', 1)[1].split("</span>", 1)[0] if "kpi-note" in card else ""
        )
    return found


def test_overview_cards_say_what_their_figures_count(manager_client, known):
    response = manager_client.get(reverse("dashboard-overview"))
    shown, said = kpis(response), notes(response)

    assert said["csat"] == "22 of 30 answers rated 4–5 · 95 % CI 55 to 86 %"
    assert said["ces"] == "mean of 5 answers, 95 % CI 3.2 to 6.4 · 3 (60 %) rated 5–7"
    assert said["expectation"] == "geometric mean · 42 % of 12 answers below expectation"
    assert said["response-rate"] == "30 of 40 invitations sent in the period answered"
    # 16 promoters, 7 passives, 7 detractors: NPS +30.0, adjusted Wald −0.6 to +55.2.
    assert said["nps"] == "95 % CI −0.6 to +55.2 · 30 NPS answers"
    # The figures themselves: 73 %, 4.8 and the ratio, each the selector's exact value.
    figures = response_summary(filters=MetricFilters(survey_id=known["survey"].id))
    assert number(shown["csat"]["data-value"]) == figures.csat.csat == 100 * 22 / 30
    assert number(shown["ces"]["data-value"]) == figures.ces.mean == 4.8
    assert (
        number(shown["ces"]["data-ci-low"]) == figures.ces.ci_low == pytest.approx(4.8 - 1.618932, abs=1e-6)
    )
    assert number(shown["ces"]["data-easy-share"]) == figures.ces.easy_share == 60.0
    assert number(shown["expectation"]["data-share-below"]) == figures.expectation.share_below == 5 / 12


def test_the_touchpoint_drill_down_counts_its_interactions_and_breaches(manager_client, known):
    response = manager_client.get(reverse("dashboard-touchpoint-detail", args=[known["touchpoint"].id]))
    said = notes(response)

    assert said["ces"] == "mean of 5 answers, 95 % CI 3.2 to 6.4 · 3 (60 %) rated 5–7"
    assert said["experience"] == "mean of 4 scored interactions"
    assert said["floor-breaches"] == "1 of 4 scored interactions (25.0 %) below the floor"


def test_journey_cards_say_of_how_many_journeys(manager_client, known):
    response = manager_client.get(reverse("dashboard-journeys"), {"journey_map": known["journey_map"].id})
    said = notes(response)

    assert said["peak-end"] == "over 2 journeys: what customers remember"
    assert said["mean-experience"] == "mean over 2 journeys of their plain averages"
    assert said["breached"] == "1 of 2 journeys"
    # Peaks: 8 (|8 − 5| = 3 beats |3 − 5| = 2) and 7; ends: 8 and 6. All at the one touchpoint.
    assert said["typical-peak"] == "the peak of 2 of 2 journeys (100 %)"
    assert said["typical-end"] == "the end of 2 of 2 journeys (100 %)"


def test_the_touchpoint_table_shows_csat_and_ces_with_what_they_count(manager_client, known):
    response = manager_client.get(reverse("dashboard-touchpoints"))
    (row,) = [e for e in elements(response) if e["tag"] == "tr" and "data-touchpoint" in e]
    html = response.content.decode()

    assert number(row["data-csat"]) == 100 * 22 / 30 and number(row["data-ces"]) == 4.8
    assert 'title="1 of 4 scored interactions below the floor">1 <span class="muted">(25.0 %)</span>' in html
    assert '<td class="num" title="22 of 30 answers rated 4–5 · 95 % CI 55 to 86 %">73 %</td>' in html
    assert (
        '<td class="num" title="mean of 5 answers, 95 % CI 3.2 to 6.4 · 3 (60 %) rated 5–7">4.8</td>' in html
    )


def test_the_summary_download_names_each_count_and_interval(manager_client, known):
    response = manager_client.get(
        reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"}), {"table": "summary"}
    )
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    figures = response_summary(filters=MetricFilters(survey_id=known["survey"].id))

    assert rows["CSAT answers"] == "30" and rows["CSAT answers rated 4-5"] == "22"
    assert float(rows["CSAT 95 % CI low (%)"]) == pytest.approx(figures.csat.ci_low)
    assert rows["CES answers"] == "5" and float(rows["CES mean (1-7)"]) == 4.8
    assert float(rows["CES 95 % CI high"]) == pytest.approx(figures.ces.ci_high)
    assert rows["CES answers rated 5-7"] == "3" and float(rows["CES rated 5-7 (%)"]) == 60.0
    assert rows["Expectation answers"] == "12"
