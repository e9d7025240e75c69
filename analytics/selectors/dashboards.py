"""Reads the dashboards need beyond the metrics engine's selectors: the choices of the filter bar,
the touchpoint × month expectation heatmap, the experience along a journey map's steps and the key
drivers of every segment at once.

Figures come from the rollup tables only (sums of counts turned into numbers by
``analytics.metrics``), so their cost grows with the buckets shown, not with the
responses. The catalogue reads (touchpoints, surveys, maps, segments) are one
small query each.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from analytics.metrics import (
    DriverResult,
    ExperienceSummary,
    RatioSummary,
    driver_from_sums,
    experience_summary,
    ratio_summary,
)
from analytics.models import DriverRollup, InteractionRollup, MomentOfTruthRollup, ResponseRollup
from journeys.models import JourneyMap, JourneyMapStep
from surveys.models import QuestionDriver, Survey
from touchpoints.models import Customer, Stage, Touchpoint

from .filters import MetricFilters
from .sources import rollup_model

# Stages in the order a customer meets them (their stored values sort otherwise).
STAGE_ORDER: dict[str, int] = {Stage.PRE_SALE: 0, Stage.MID_SALE: 1, Stage.POST_SALE: 2}
SEGMENT_LIMIT = 200
_RATIO = ("ratio_n", "ratio_sum_log", "ratio_below", "ratio_met", "ratio_above")


@dataclass(frozen=True, slots=True)
class TouchpointOption:
    id: int
    name: str
    stage: str
    stage_label: str
    channel: str
    floor_score: float | None
    active: bool


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """What the filter bar offers: ``(id, name)`` pairs, touchpoints in stage order, segment names."""

    surveys: list[tuple[int, str]]
    touchpoints: list[TouchpointOption]
    journey_maps: list[tuple[int, str]]
    segments: list[str]

    def touchpoint(self, touchpoint_id: int | None) -> TouchpointOption | None:
        return next((t for t in self.touchpoints if t.id == touchpoint_id), None)


def touchpoint_catalogue() -> list[TouchpointOption]:
    """Every touchpoint, active or not (history keeps their figures), by stage then name (one query)."""
    stage_labels = {stage: str(label) for stage, label in Stage.choices}  # the active language's
    rows = Touchpoint.objects.values_list("id", "name", "stage", "channel", "floor_score", "active")
    options = [
        TouchpointOption(id, name, stage, stage_labels.get(stage, stage), channel, floor, active)
        for id, name, stage, channel, floor, active in rows
    ]
    return sorted(options, key=lambda t: (STAGE_ORDER.get(t.stage, 9), t.name.casefold(), t.id))


def customer_segments(*, limit: int = SEGMENT_LIMIT) -> list[str]:
    """The distinct non-empty customer segments, alphabetical, at most ``limit``.

    A loose index scan (a recursive CTE hopping along the segment index), so it costs
    one index probe per segment however many customers there are; works on SQLite and
    PostgreSQL alike.
    """
    table = connection.ops.quote_name(Customer._meta.db_table)
    column = connection.ops.quote_name(Customer._meta.get_field("segment").column)
    sql = (
        f"WITH RECURSIVE seg(value, depth) AS ("  # noqa: S608 - names come from the model, not input
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > ''), 1"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > seg.value), depth + 1"
        f" FROM seg WHERE seg.value IS NOT NULL AND depth < %s"
        f") SELECT value FROM seg WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [value for (value,) in cursor.fetchall()]


def filter_options(*, journey_maps: bool = False) -> FilterOptions:
    """The choices of the filter bar: three queries, four with the journey maps."""
    maps = (
        list(JourneyMap.objects.order_by("-active", "name").values_list("id", "name")) if journey_maps else []
    )
    return FilterOptions(
        surveys=list(Survey.objects.order_by("name", "id").values_list("id", "name")),
        touchpoints=touchpoint_catalogue(),
        journey_maps=maps,
        segments=customer_segments(),
    )


# --- Expectation heatmap ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatmapCell:
    """The expectation ratios of one touchpoint in one month: survey pairs and operational
    measures pooled (``ratio``), with how many came from each source."""

    touchpoint_id: int
    month: date
    ratio: RatioSummary
    survey_n: int
    measure_n: int


@dataclass(frozen=True, slots=True)
class ExpectationHeatmap:
    months: list[date]
    touchpoints: list[TouchpointOption]
    cells: dict[tuple[int, date], HeatmapCell]

    def cell(self, touchpoint_id: int, month: date) -> HeatmapCell | None:
        return self.cells.get((touchpoint_id, month))


def _monthly_ratio_sums(queryset) -> dict[tuple[int, date], dict]:
    rows = (
        queryset.filter(ratio_n__gt=0)
        .annotate(month=TruncMonth("day"))
        .values("touchpoint_id", "month")
        .annotate(**{f"total_{name}": Sum(name) for name in _RATIO})
        .order_by()
    )
    return {(row["touchpoint_id"], _as_date(row["month"])): row for row in rows}


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def expectation_heatmap(
    *, filters: MetricFilters, catalogue: list[TouchpointOption] | None = None
) -> ExpectationHeatmap:
    """Expectation ratios per touchpoint and calendar month, from both sources pooled.

    Ratios are additive from (n, Σ ln r, below, met, above), so pooling a touchpoint's survey
    pairs (``ResponseRollup``) with its operational measure (``InteractionRollup``) is a sum;
    as in ``expectation_by_touchpoint``, a survey filter selects survey answers only. Touchpoints
    come in stage order (``catalogue`` saves its query); only those with a ratio are kept.
    Two queries over rollups (one without measures), plus one for the catalogue when not given.
    """
    survey = _monthly_ratio_sums(
        rollup_model(ResponseRollup, filters, by=("touchpoint_id",)).objects.filter(
            filters.for_responses(), touchpoint__isnull=False
        )
    )
    measure = {}
    if filters.survey_id is None:
        measure = _monthly_ratio_sums(
            rollup_model(InteractionRollup, filters, by=("touchpoint_id",)).objects.filter(
                filters.for_interactions()
            )
        )
    cells = {}
    for key in set(survey) | set(measure):
        parts = [part for part in (survey.get(key), measure.get(key)) if part]
        sums = {name: sum(part[f"total_{name}"] or 0 for part in parts) for name in _RATIO}
        cells[key] = HeatmapCell(
            touchpoint_id=key[0],
            month=key[1],
            ratio=ratio_summary(
                n=int(sums["ratio_n"]),
                sum_log=float(sums["ratio_sum_log"]),
                below=int(sums["ratio_below"]),
                met=int(sums["ratio_met"]),
                above=int(sums["ratio_above"]),
            ),
            survey_n=int(survey[key]["total_ratio_n"]) if key in survey else 0,
            measure_n=int(measure[key]["total_ratio_n"]) if key in measure else 0,
        )
    present = {touchpoint_id for touchpoint_id, _ in cells}
    catalogue = touchpoint_catalogue() if catalogue is None else catalogue
    return ExpectationHeatmap(
        months=sorted({month for _, month in cells}),
        touchpoints=[t for t in catalogue if t.id in present],
        cells=cells,
    )


# --- Journey map steps ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JourneyStep:
    """One step of a journey map: the experience at its touchpoint in the period (every scored
    interaction there, 0–10) and how often it was the peak or the end of a journey on this map."""

    position: int
    touchpoint_id: int
    label: str
    stage: str
    experience: ExperienceSummary
    peaks: int
    negative_peaks: int
    ends: int
    negative_ends: int

    @property
    def stage_label(self) -> str:
        return str(dict(Stage.choices).get(self.stage, self.stage))


@dataclass(frozen=True, slots=True)
class JourneyCurve:
    """The steps in map order; the typical peak and end are the steps most often the journey's peak
    (resp. end), ``None`` without journeys. ``journeys`` counts the journeys with a scored moment
    (each has exactly one peak), so ``peak_share`` = peaks / journeys."""

    journey_map_id: int
    steps: list[JourneyStep]
    journeys: int
    typical_peak: JourneyStep | None
    typical_end: JourneyStep | None

    def share(self, count: int) -> float | None:
        return count / self.journeys if self.journeys else None


def journey_curve(*, filters: MetricFilters, journey_map_id: int) -> JourneyCurve:
    """The average experience at each step of a journey map, with its typical peak and end.

    The experience of a step is that of every interaction at the step's touchpoint in the
    period (``InteractionRollup``: the segment, value tier, stage, channel and touchpoint
    filters apply), since rollups do not keep per-map experience. Peak and end counts are those
    of the journeys on this map (``MomentOfTruthRollup``). Three queries.
    """
    steps = list(
        JourneyMapStep.objects.filter(journey_map_id=journey_map_id)
        .order_by("position")
        .values_list("position", "touchpoint_id", "touchpoint__name", "touchpoint__stage")
    )
    experience = _experience_sums_by_touchpoint(
        filters, touchpoint_ids=[touchpoint_id for _, touchpoint_id, _, _ in steps]
    )
    moments = _moment_counts_by_touchpoint(filters, journey_map_id=journey_map_id)
    result = [
        _journey_step(
            position,
            touchpoint_id,
            name,
            stage,
            sums=experience.get(touchpoint_id, {}),
            counts=moments.get(touchpoint_id, {}),
        )
        for position, touchpoint_id, name, stage in steps
    ]
    return JourneyCurve(
        journey_map_id=journey_map_id,
        steps=result,
        journeys=sum(counts["peaks"] for counts in moments.values()),
        typical_peak=_typical_step(result, "peaks"),
        typical_end=_typical_step(result, "ends"),
    )


def _experience_sums_by_touchpoint(filters: MetricFilters, *, touchpoint_ids: list[int]) -> dict[int, dict]:
    """Scored interactions, their score sum and floor breaches per touchpoint, over the period and
    the interaction filters (one query)."""
    return {
        row["touchpoint_id"]: row
        for row in rollup_model(InteractionRollup, filters, by=("touchpoint_id",))
        .objects.filter(filters.for_interactions(), touchpoint_id__in=touchpoint_ids)
        .values("touchpoint_id")
        .annotate(n=Sum("scored_n"), total=Sum("score_sum"), breaches=Sum("floor_breaches"))
        .order_by()
    }


def _moment_counts_by_touchpoint(filters: MetricFilters, *, journey_map_id: int) -> dict[int, dict[str, int]]:
    """How often each touchpoint was the peak, negative peak, end and negative end of a journey on
    the map, over the period, segment and value tier only (one query)."""
    moments: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    map_filters = MetricFilters(
        start=filters.start,
        end=filters.end,
        segment=filters.segment,
        value_tier=filters.value_tier,
        journey_map_id=journey_map_id,
    )
    rows = (
        rollup_model(MomentOfTruthRollup, map_filters, by=("touchpoint_id",))
        .objects.filter(map_filters.for_moments())
        .values("touchpoint_id")
        .annotate(p=Sum("peaks"), np=Sum("negative_peaks"), e=Sum("ends"), ne=Sum("negative_ends"))
        .order_by()
    )
    for row in rows:
        moments[row["touchpoint_id"]].update(
            peaks=row["p"], negative_peaks=row["np"], ends=row["e"], negative_ends=row["ne"]
        )
    return moments


def _journey_step(
    position: int, touchpoint_id: int, name: str, stage: str, *, sums: dict, counts: dict
) -> JourneyStep:
    """One step from its touchpoint's experience sums and moment counts (zero where it has none)."""
    return JourneyStep(
        position=position,
        touchpoint_id=touchpoint_id,
        label=name,
        stage=stage,
        experience=experience_summary(
            n=int(sums.get("n") or 0),
            total=float(sums.get("total") or 0.0),
            floor_breaches=int(sums.get("breaches") or 0),
        ),
        peaks=int(counts.get("peaks", 0)),
        negative_peaks=int(counts.get("negative_peaks", 0)),
        ends=int(counts.get("ends", 0)),
        negative_ends=int(counts.get("negative_ends", 0)),
    )


def _typical_step(steps: list[JourneyStep], count: str) -> JourneyStep | None:
    """The step most often the journeys' ``count`` ("peaks" or "ends"); None when none was."""
    # Ties go to the more negative, then the later step (pain and endings are remembered).
    ranked = [step for step in steps if getattr(step, count) > 0]
    negative = f"negative_{count}"
    return max(ranked, key=lambda s: (getattr(s, count), getattr(s, negative), s.position), default=None)


# --- Key drivers per segment ---------------------------------------------------------------------

_DRIVER_SUMS = ("pairs", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy", "ratings", "ratings_sum")


def driver_summary_by_segment(*, filters: MetricFilters, limit: int) -> list[tuple[str, list[DriverResult]]]:
    """``driver_summary`` for each customer segment, in one grouped query instead of one per segment.

    The ``limit`` segments with the most paired answers, largest first (``""`` is customers without
    a segment); each segment's results in ``QuestionDriver`` order, as ``driver_summary`` gives
    them. With a segment filter, that segment only.
    """
    rows = (
        rollup_model(DriverRollup, filters, by=("segment", "dimension"))
        .objects.filter(filters.for_responses())
        .values("segment", "dimension")
        .annotate(**{f"total_{name}": Sum(name) for name in _DRIVER_SUMS})
        .order_by()
    )
    by_segment: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        by_segment[row["segment"]][row["dimension"]] = row
    order = {value: index for index, value in enumerate(QuestionDriver.values)}

    def size(item: tuple[str, dict]) -> tuple:
        return (-sum(int(row["total_pairs"]) for row in item[1].values()), item[0])

    result = []
    for segment, dimensions in sorted(by_segment.items(), key=size)[:limit]:
        results = [
            driver_from_sums(
                dimension=dimension,
                n=int(row["total_pairs"]),
                sum_x=float(row["total_sum_x"]),
                sum_y=float(row["total_sum_y"]),
                sum_xx=float(row["total_sum_xx"]),
                sum_yy=float(row["total_sum_yy"]),
                sum_xy=float(row["total_sum_xy"]),
                ratings_n=int(row["total_ratings"]),
                ratings_sum=float(row["total_ratings_sum"]),
            )
            for dimension, row in sorted(
                dimensions.items(), key=lambda item: (order.get(item[0], 99), item[0])
            )
        ]
        result.append((segment, results))
    return result
