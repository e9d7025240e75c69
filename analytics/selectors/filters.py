"""The filter set every dashboard and metrics API call takes, and how it narrows each rollup."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Q


@dataclass(frozen=True, slots=True)
class MetricFilters:
    """Which rows a figure covers. ``start`` and ``end`` are inclusive calendar days in the
    platform's time zone; ``None`` means no limit on that dimension.

    ``segment=""`` selects customers without a segment (``None`` selects all).
    """

    start: date | None = None
    end: date | None = None
    survey_id: int | None = None
    touchpoint_id: int | None = None
    stage: str | None = None
    channel: str | None = None
    segment: str | None = None
    value_tier: str | None = None
    journey_map_id: int | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError("start must be on or before end")

    @property
    def days(self) -> int | None:
        """The length of the period in days, when both ends are set."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    def previous(self) -> "MetricFilters":
        """The same filters over the period of equal length just before this one."""
        if self.days is None:
            raise ValueError("the previous period needs both start and end")
        length = timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def _period(self) -> Q:
        condition = Q()
        if self.start:
            condition &= Q(day__gte=self.start)
        if self.end:
            condition &= Q(day__lte=self.end)
        return condition

    def _equal(self, **fields) -> Q:
        return Q(**{name: value for name, value in fields.items() if value is not None})

    def for_responses(self) -> Q:
        """``ResponseRollup`` rows: every filter but the journey map."""
        return self._period() & self._equal(
            survey_id=self.survey_id,
            touchpoint_id=self.touchpoint_id,
            stage=self.stage,
            channel=self.channel,
            segment=self.segment,
            value_tier=self.value_tier,
        )

    def for_interactions(self) -> Q:
        """``InteractionRollup`` rows: surveys and journey maps do not apply."""
        return self._period() & self._equal(
            touchpoint_id=self.touchpoint_id,
            stage=self.stage,
            channel=self.channel,
            segment=self.segment,
            value_tier=self.value_tier,
        )

    def for_journeys(self) -> Q:
        """``JourneyRollup`` rows (journeys by start day): period, segment, value tier and journey map."""
        return self._period() & self._equal(
            segment=self.segment, value_tier=self.value_tier, journey_map_id=self.journey_map_id
        )

    def for_moments(self) -> Q:
        """``MomentOfTruthRollup`` rows: as journeys, plus the touchpoint."""
        touchpoint = self._equal(touchpoint_id=self.touchpoint_id)
        stage = self._equal(touchpoint__stage=self.stage)
        return self.for_journeys() & touchpoint & stage
