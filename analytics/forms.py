"""The dashboards' filter bar: one GET form, so every view can be bookmarked and shared.

The period is a preset (last 30/90/365 days, this year, each ending today) or a custom
range; with no period and no dates it is the last 90 days ending today. Dates alone
(from a bookmark) mean a custom range; a missing end is today and a missing start makes
a 90-day range. Every other field narrows the figures to one survey, stage, touchpoint,
channel, segment, value tier or (on the journeys page) journey map. Unknown values are
form errors, never a server error.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from analytics.selectors import MetricFilters
from analytics.selectors.dashboards import STAGE_ORDER, FilterOptions
from touchpoints.models import Channel, Stage, ValueTier, segment_label

DEFAULT_PERIOD = "last_90"
CUSTOM = "custom"
PERIOD_DAYS = {"last_30": 30, "last_90": 90, "last_365": 365}
PERIODS = [
    ("last_30", _("Last 30 days")),
    ("last_90", _("Last 90 days")),
    ("last_365", _("Last 365 days")),
    ("this_year", _("This year")),
    (CUSTOM, _("Custom range")),
]
INTERVALS = [
    ("", pgettext_lazy("trend interval", "Automatic")),
    ("day", pgettext_lazy("trend interval", "Day")),
    ("week", pgettext_lazy("trend interval", "Week")),
    ("month", pgettext_lazy("trend interval", "Month")),
]
# Five years: the series and heatmaps stay a readable (and bounded) size.
MAX_DAYS = 5 * 366
# Dates outside these would overflow the previous-period arithmetic (and mean nothing here).
EARLIEST, LATEST = date(1970, 1, 1), date(2100, 12, 31)
# The segment choice standing for "customers without a segment" (stored as "").
NO_SEGMENT = "-"
FILTER_FIELDS = (
    "period",
    "start",
    "end",
    "survey",
    "stage",
    "touchpoint",
    "channel",
    "segment",
    "value_tier",
    "journey_map",
    "interval",
)


def field_error(label, message) -> str:
    """An error naming its field: "To: Enter a valid date."."""
    return gettext("%(field)s: %(error)s") % {"field": label, "error": message}


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=pgettext_lazy("period start", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("period end", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    value_tier = forms.ChoiceField(
        label=_("Value tier"), choices=[("", _("All tiers")), *ValueTier.choices], required=False
    )
    journey_map = forms.TypedChoiceField(label=_("Journey map"), coerce=int, required=False, empty_value=None)
    interval = forms.ChoiceField(label=_("Trend by"), choices=INTERVALS, required=False)

    def __init__(
        self,
        data,
        *,
        options: FilterOptions,
        today: date,
        journey_map: bool = False,
        interval: bool = False,
        touchpoint: bool = True,
    ):
        super().__init__(data)
        self.today = today
        self.fields["survey"].choices = [("", _("All surveys")), *options.surveys]
        stages = sorted(Stage.choices, key=lambda choice: STAGE_ORDER.get(choice[0], 9))
        self.fields["stage"].choices = [("", _("All stages")), *stages]
        grouped: dict[str, list] = {}
        for option in options.touchpoints:
            label = option.name if option.active else gettext("%(name)s (inactive)") % {"name": option.name}
            grouped.setdefault(option.stage_label, []).append((option.id, label))
        self.fields["touchpoint"].choices = [("", _("All touchpoints")), *grouped.items()]
        self.fields["segment"].choices = [
            ("", _("All segments")),
            *((segment, segment_label(segment)) for segment in options.segments),
            (NO_SEGMENT, _("No segment")),
        ]
        if journey_map:
            self.fields["journey_map"].choices = options.journey_maps
        else:
            del self.fields["journey_map"]
        if not interval:
            del self.fields["interval"]
        if not touchpoint:
            del self.fields["touchpoint"]

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in ("period", "start", "end")):
            return cleaned
        period = cleaned.get("period") or ""
        start, end = cleaned.get("start"), cleaned.get("end")
        if not period:
            period = CUSTOM if (start or end) else DEFAULT_PERIOD
        if period == CUSTOM:
            end = end or self.today
            start = start or end - timedelta(days=PERIOD_DAYS[DEFAULT_PERIOD] - 1)
            if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
                raise ValidationError(
                    _("Dates must fall between %(earliest)s and %(latest)s."),
                    code="date_out_of_range",
                    params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
            if start > end:
                raise ValidationError(
                    _("The start date (%(start)s) is after the end date (%(end)s)."),
                    code="start_after_end",
                    params={"start": start.isoformat(), "end": end.isoformat()},
                )
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(
                    _("A period can cover at most %(max)d days; pick a shorter range."),
                    code="period_too_long",
                    params={"max": MAX_DAYS},
                )
        elif period == "this_year":
            start, end = self.today.replace(month=1, day=1), self.today
        else:
            start, end = self.today - timedelta(days=PERIOD_DAYS[period] - 1), self.today
        cleaned.update(period=period, start=start, end=end)
        return cleaned

    def show_resolved(self, **values) -> None:
        """Make the bar show what a valid form resolved to (the period's dates, a default preset,
        ``values`` such as the journey map a page picked) rather than the raw parameters."""
        data = self.data.copy()
        resolved = {
            "period": self.cleaned_data["period"],
            "start": self.cleaned_data["start"].isoformat(),
            "end": self.cleaned_data["end"].isoformat(),
        }
        for name, value in {**resolved, **values}.items():
            data[name] = "" if value is None else str(value)
        self.data = data

    def metric_filters(self) -> MetricFilters:
        """The selectors' filters of a valid form."""
        data = self.cleaned_data
        segment = data.get("segment") or None
        return MetricFilters(
            start=data["start"],
            end=data["end"],
            survey_id=data.get("survey"),
            touchpoint_id=data.get("touchpoint"),
            stage=data.get("stage") or None,
            channel=data.get("channel") or None,
            segment="" if segment == NO_SEGMENT else segment,
            value_tier=data.get("value_tier") or None,
            journey_map_id=data.get("journey_map"),
        )

    def query_items(self, **overrides) -> list[tuple[str, str]]:
        """The canonical GET parameters of a valid form (empty fields left out): the same view
        as a link. A preset keeps its name, not its dates, so a bookmark stays "last 90 days"."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        values = {name: data.get(name) for name in FILTER_FIELDS}
        values.update(overrides)
        if values.get("period") != CUSTOM:
            values["start"] = values["end"] = None
        if values.get("period") == DEFAULT_PERIOD:
            values["period"] = None
        items = []
        for name in FILTER_FIELDS:
            value = values.get(name)
            if value in (None, ""):
                continue
            items.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        return items

    def query_string(self, **overrides) -> str:
        return urlencode(self.query_items(**overrides))

    def error_messages(self) -> list[str]:
        """Every error as one readable line, naming the field it concerns."""
        lines = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                lines.extend(str(message) for message in errors)
            else:
                lines.extend(field_error(self.fields[name].label, message) for message in errors)
        return lines


class CommentSearchForm(forms.Form):
    """The comments page's search box and page number (beside the filter bar)."""

    q = forms.CharField(label=_("Search comments"), required=False, max_length=100, strip=True)
    page = forms.IntegerField(
        label=pgettext_lazy("page number", "Page"), required=False, min_value=1, max_value=10_000
    )

    def error_messages(self) -> list[str]:
        return [
            field_error(self.fields[name].label, message)
            for name, errors in self.errors.items()
            for message in errors
        ]
