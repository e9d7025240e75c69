"""``/metrics/journeys/``: journey analytics along one map — the funnel with drop-off and the median
time between steps, completion and abandonment by start period, peak–end by outcome, and where
customers give up. Thin: validate, call ``selectors.journey_analytics`` (what the journeys dashboard
calls), shape the answer. A few small queries over rollups, however many journeys there are."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.metrics import JourneyOutcomes, ShareInterval
from analytics.selectors import JourneyAnalytics, journey_analytics
from infra.replica import replica_reads
from journeys.models import JourneyMap
from touchpoints.models import Touchpoint

from . import journey_examples
from .journey_serializers import JourneysAnswerSerializer, JourneysQuerySerializer
from .metrics import FILTERS_NOTE, SCOPES


def _share(interval: ShareInterval | None) -> dict | None:
    if interval is None:
        return None
    return {
        "n": interval.n,
        "x": interval.x,
        "share": interval.share,
        "ci_low": interval.ci_low,
        "ci_high": interval.ci_high,
    }


def _outcomes(outcomes: JourneyOutcomes) -> dict:
    return {
        "journeys": outcomes.journeys,
        "completed": outcomes.completed,
        "abandoned": outcomes.abandoned,
        "in_progress": outcomes.in_progress,
        "completion": _share(outcomes.completion),
        "abandonment": _share(outcomes.abandonment),
        "open_share": _share(outcomes.open_share),
        "completed_of_ended": _share(outcomes.completed_of_ended),
    }


def _funnel(analytics: JourneyAnalytics, codes: dict[int, str]) -> list[dict]:
    steps = []
    for row in analytics.funnel.steps:
        figures, to_next = row.figures, row.figures.to_next
        steps.append(
            {
                "position": row.step.position,
                "touchpoint": codes.get(row.step.touchpoint_id, ""),
                "name": row.step.label,
                "stage": row.step.stage,
                "reached": figures.reached,
                "reached_share": figures.reached_share,
                "continued": figures.continued,
                "dropped": figures.dropped,
                "drop": _share(figures.drop),
                "dropped_abandoned": figures.dropped_abandoned,
                "dropped_in_progress": figures.dropped_in_progress,
                "dropped_completed": figures.dropped_completed,
                "to_next": None
                if to_next is None
                else {"n": to_next.n, "median_seconds": to_next.median, "at_least": to_next.beyond},
            }
        )
    return steps


def journeys_answer(analytics: JourneyAnalytics, *, filters: dict, journey_map: dict) -> dict:
    """The answer of ``/metrics/journeys/`` for ``analytics`` (one query for touchpoint codes)."""
    ids = {row.step.touchpoint_id for row in analytics.funnel.steps}
    ids |= {moment.touchpoint_id for moment in analytics.give_up}
    codes = dict(Touchpoint.objects.filter(id__in=ids).values_list("id", "code"))
    outcomes = analytics.outcomes
    return {
        "filters": filters,
        "journey_map": journey_map,
        "interval": analytics.interval,
        "outcomes": _outcomes(outcomes.total),
        "funnel": _funnel(analytics, codes),
        "series": [{"period": p.period, **_outcomes(p.outcomes)} for p in outcomes.series],
        "peak_end_by_outcome": [
            {
                "status": status,
                "scored": distribution.n,
                "mean_peak_end": distribution.mean,
                "distribution": list(distribution.bins),
            }
            for status, distribution in outcomes.peak_end.items()
        ],
        "give_up": [
            {
                "touchpoint": codes.get(m.touchpoint_id, ""),
                "name": m.label,
                "ends": m.ends,
                "negative_ends": m.negative_ends,
                "peaks": m.peaks,
                "negative_peaks": m.negative_peaks,
            }
            for m in analytics.give_up
        ],
    }


class JourneysView(APIView):
    scopes = SCOPES

    @extend_schema(
        summary="Journey analytics of a map",
        description="For one journey map (`journey_map`, required), the journeys started in the period: "
        "the funnel (journeys that reached each step, those that did not go on to the next, split by "
        "abandoned / in progress / completed, with the share and its 95 % interval, and the median time "
        "to the next step), completion and abandonment in total and by start period (`interval`, "
        "default by the period's length: days up to 62 days, weeks up to two years, else months), the "
        "peak–end scores of each outcome, and the touchpoints where customers give up (most often the "
        "end, then the negative peak, of abandoned journeys). `survey` and `channel` do not apply; "
        "`touchpoint` and `stage` narrow where customers give up. " + FILTERS_NOTE,
        parameters=[JourneysQuerySerializer],
        responses={200: JourneysAnswerSerializer},
        examples=[journey_examples.JOURNEYS],
    )
    @replica_reads()
    def get(self, request):
        query = JourneysQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        filters = query.filters()
        analytics = journey_analytics(filters=filters, interval=query.validated_data.get("interval"))
        journey_map = JourneyMap.objects.values("id", "name").get(id=filters.journey_map_id)
        answer = journeys_answer(analytics, filters=query.echo(), journey_map=journey_map)
        return Response(JourneysAnswerSerializer(answer).data)
