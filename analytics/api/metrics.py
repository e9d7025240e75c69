"""``/metrics/nps/``, ``/metrics/csat/``, ``/metrics/ces/``, ``/metrics/expectation/``,
``/metrics/peak-end/``, ``/metrics/drivers/``.

Thin: validate the query into ``MetricFilters``, call the selectors the dashboards call, shape the
answer. Figures come from the rollup tables, so a call costs a few small queries however many
responses there are.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.metrics import driver_quadrants
from analytics.models import DriverRollup, JourneyRollup
from analytics.selectors import (
    driver_summary,
    expectation_by_touchpoint,
    interaction_summary,
    journey_summary,
    moments_of_truth,
    response_comparison,
    response_series,
    response_summary,
)
from infra.replica import replica_reads
from surveys.models import QuestionDriver
from touchpoints.models import Touchpoint

from . import metric_examples
from .metric_periods import summaries_by_period
from .metric_serializers import (
    CESAnswerSerializer,
    CSATAnswerSerializer,
    DriversAnswerSerializer,
    ExpectationAnswerSerializer,
    MetricQuerySerializer,
    NPSAnswerSerializer,
    PeakEndAnswerSerializer,
    PeakEndQuerySerializer,
)

SCOPES = {"read": "metrics:read"}
FILTERS_NOTE = (
    "Filters: `start`/`end` (inclusive days), `survey` (id), `touchpoint` (code), `stage`, `channel`, "
    "`segment`, `value_tier`; `interval=day|week|month` adds a series. A survey, touchpoint, segment (or "
    "journey map) that does not exist is a 400 naming the field (`does_not_exist`), never figures of "
    "nothing. Undefined figures are null."
)


def _query(serializer_class, request):
    # A plain dict, not the QueryDict: DRF reads an empty form value of an optional field as "not
    # sent", and `?value_tier=` must be a 400 naming the field, as the schema says, not ignored.
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query, query.filters(), query.validated_data.get("interval")


def _touchpoint_codes(ids) -> dict:
    return dict(Touchpoint.objects.filter(id__in=list(ids)).values_list("id", "code"))


class NPSView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="NPS",
        description="NPS with its 95 % interval, a series with `interval`, and — when `start` and `end` are "
        "given — the comparison with the previous period of equal length (difference and z-test). "
        + FILTERS_NOTE,
        parameters=[MetricQuerySerializer],
        responses={200: NPSAnswerSerializer},
        examples=[metric_examples.NPS],
    )
    @replica_reads()
    def get(self, request):
        query, filters, interval = _query(MetricQuerySerializer, request)
        comparison = response_comparison(filters=filters) if filters.days is not None else None
        summary = comparison.current if comparison else response_summary(filters=filters)
        series = response_series(filters=filters, interval=interval) if interval else None
        answer = {
            "filters": query.echo(),
            "summary": {"responses": summary.responses, "nps": summary.nps},
            "series": None
            if series is None
            else [
                {"period": p.period, "responses": p.figures.responses, "nps": p.figures.nps} for p in series
            ],
            "comparison": None
            if comparison is None
            else {
                "previous_start": comparison.previous_filters.start,
                "previous_end": comparison.previous_filters.end,
                "previous": {"responses": comparison.previous.responses, "nps": comparison.previous.nps},
                "change": comparison.nps_change,
            },
        }
        return Response(NPSAnswerSerializer(answer).data)


def _figures_answer(request, figure: str) -> dict:
    """The summary and (with ``interval``) the series of one survey figure of ``ResponseFigures``."""
    query, filters, interval = _query(MetricQuerySerializer, request)
    summary = response_summary(filters=filters)
    series = response_series(filters=filters, interval=interval) if interval else None
    return {
        "filters": query.echo(),
        "summary": {"responses": summary.responses, figure: getattr(summary, figure)},
        "series": None
        if series is None
        else [
            {"period": p.period, "responses": p.figures.responses, figure: getattr(p.figures, figure)}
            for p in series
        ],
    }


class CSATView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="CSAT",
        description="Customer satisfaction: the percent of 1–5 answers rated 4 or 5, with its 95 % interval "
        "(adjusted Wald), and a series with `interval`. " + FILTERS_NOTE,
        parameters=[MetricQuerySerializer],
        responses={200: CSATAnswerSerializer},
        examples=[metric_examples.CSAT],
    )
    @replica_reads()
    def get(self, request):
        return Response(CSATAnswerSerializer(_figures_answer(request, "csat")).data)


class CESView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="CES",
        description="Customer effort: the mean 1–7 answer (7 = very easy) with its 95 % t interval, and the "
        "percent rated 5–7 (top-3 box) with its adjusted-Wald interval; a series with `interval`. "
        + FILTERS_NOTE,
        parameters=[MetricQuerySerializer],
        responses={200: CESAnswerSerializer},
        examples=[metric_examples.CES],
    )
    @replica_reads()
    def get(self, request):
        return Response(CESAnswerSerializer(_figures_answer(request, "ces")).data)


class ExpectationView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="Expectation ratios",
        description="Experience ÷ expectation (geometric mean; 1 met, below 1 disappointed, above 1 "
        "delighted) from survey pairs and from touchpoint measures, overall and per touchpoint (most "
        "disappointing first); the series is of survey pairs. " + FILTERS_NOTE,
        parameters=[MetricQuerySerializer],
        responses={200: ExpectationAnswerSerializer},
        examples=[metric_examples.EXPECTATION],
    )
    @replica_reads()
    def get(self, request):
        query, filters, interval = _query(MetricQuerySerializer, request)
        by_touchpoint = expectation_by_touchpoint(filters=filters)
        codes = _touchpoint_codes(item.touchpoint_id for item in by_touchpoint)
        series = response_series(filters=filters, interval=interval) if interval else None
        answer = {
            "filters": query.echo(),
            "summary": {
                "survey": response_summary(filters=filters).expectation,
                # As expectation_by_touchpoint: a survey filter selects survey answers only.
                "measure": interaction_summary(filters=filters).measure
                if filters.survey_id is None
                else None,
            },
            "by_touchpoint": [
                {
                    "touchpoint": codes.get(item.touchpoint_id, ""),
                    "name": item.label,
                    "survey": item.survey,
                    "measure": item.measure,
                }
                for item in by_touchpoint
            ],
            "series": None
            if series is None
            else [{"period": p.period, "survey": p.figures.expectation} for p in series],
        }
        return Response(ExpectationAnswerSerializer(answer).data)


class PeakEndView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="Peak–end scores of journeys",
        description="Journeys by the day they started: mean peak–end score (0–10), how far memory drifts "
        "from the average, floor breaches, the distribution, and the touchpoints that are most often the "
        "negative peak or end (moments of truth). `survey` and `channel` do not apply; `journey_map` (id) "
        "narrows to one map; `touchpoint` and `stage` narrow the moments of truth. " + FILTERS_NOTE,
        parameters=[PeakEndQuerySerializer],
        responses={200: PeakEndAnswerSerializer},
        examples=[metric_examples.PEAK_END],
    )
    @replica_reads()
    def get(self, request):
        query, filters, interval = _query(PeakEndQuerySerializer, request)
        moments = moments_of_truth(filters=filters)
        codes = _touchpoint_codes(moment.touchpoint_id for moment in moments)
        series = (
            summaries_by_period(
                model=JourneyRollup,
                rows=filters.for_journeys(),
                filters=filters,
                interval=interval,
                summary=lambda period: journey_summary(filters=period),
            )
            if interval
            else None
        )
        answer = {
            "filters": query.echo(),
            "summary": _journey_figures(journey_summary(filters=filters)),
            "moments_of_truth": [
                {
                    "touchpoint": codes.get(m.touchpoint_id, ""),
                    "name": m.label,
                    "peaks": m.peaks,
                    "negative_peaks": m.negative_peaks,
                    "ends": m.ends,
                    "negative_ends": m.negative_ends,
                }
                for m in moments
            ],
            "series": None
            if series is None
            else [{"period": period, "summary": _journey_figures(figures)} for period, figures in series],
        }
        return Response(PeakEndAnswerSerializer(answer).data)


def _journey_figures(figures) -> dict:
    aggregate = figures.aggregate
    return {
        "journeys": aggregate.journeys,
        "mean_peak_end": aggregate.mean_peak_end,
        "mean_of_means": aggregate.mean_of_means,
        "mean_gap": aggregate.mean_gap,
        "journeys_breached": aggregate.journeys_breached,
        "breached_share": aggregate.breached_share,
        "floor_breaches": figures.floor_breaches,
        "distribution": figures.distribution,
    }


def _drivers(results) -> list[dict]:
    quadrants = driver_quadrants(results)
    labels = dict(QuestionDriver.choices)  # in the request's language
    return [
        {
            "dimension": r.dimension,
            "label": str(labels.get(r.dimension, r.dimension)),
            "n": r.n,
            "importance": r.importance,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "performance": r.performance,
            "enough_data": r.enough_data,
            "quadrant": quadrants.get(r.dimension),
        }
        for r in results
    ]


class DriversView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="Key drivers",
        description="Per experience dimension: importance (Pearson r of its rating with likelihood to "
        "recommend, with a 95 % interval) against performance (mean rating, 0–10), and the quadrant "
        "(cut at the medians). " + FILTERS_NOTE,
        parameters=[MetricQuerySerializer],
        responses={200: DriversAnswerSerializer},
        examples=[metric_examples.DRIVERS],
    )
    @replica_reads()
    def get(self, request):
        query, filters, interval = _query(MetricQuerySerializer, request)
        series = (
            summaries_by_period(
                model=DriverRollup,
                rows=filters.for_responses(),
                filters=filters,
                interval=interval,
                summary=lambda period: driver_summary(filters=period),
            )
            if interval
            else None
        )
        answer = {
            "filters": query.echo(),
            "drivers": _drivers(driver_summary(filters=filters)),
            "series": None if series is None else [{"period": p, "drivers": _drivers(r)} for p, r in series],
        }
        return Response(DriversAnswerSerializer(answer).data)
