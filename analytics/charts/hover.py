"""The phrases of the figures' hover text that more than one figure says: a touchpoint named with
what it is, NPS with its interval, answer and journey counts, expectation ratios and their shares.

Each phrase is one whole sentence of the catalogue, its numbers written by ``analytics.display``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from analytics.display import count, duration_text, not_available, percent
from analytics.metrics import JourneyOutcomes, NPSSummary, RatioSummary, ShareInterval, StepTime
from analytics.selectors import FunnelRow, InteractionBreakdownRow
from analytics.selectors.dashboards import HeatmapCell, TouchpointOption

from .base import fmt, stage_label


def nps_answers(n: int) -> str:
    return ngettext("%(count)s NPS answer", "%(count)s NPS answers", n) % {"count": count(n)}


def nps_with_interval(summary: NPSSummary) -> str:
    """ "NPS +30.0 (95 % CI −0.6 to +55.2)"."""
    return _("NPS %(nps)s (95 %% CI %(low)s to %(high)s)") % {
        "nps": fmt(summary.nps, signed=True),
        "low": fmt(summary.ci_low, signed=True),
        "high": fmt(summary.ci_high, signed=True),
    }


def nps_categories(summary: NPSSummary) -> str:
    """ "30 NPS answers: 16 promoters, 7 passives, 7 detractors"."""
    return ngettext(
        "%(n)s NPS answer: %(promoters)s promoters, %(passives)s passives, %(detractors)s detractors",
        "%(n)s NPS answers: %(promoters)s promoters, %(passives)s passives, %(detractors)s detractors",
        summary.n,
    ) % {
        "n": count(summary.n),
        "promoters": count(summary.promoters),
        "passives": count(summary.passives),
        "detractors": count(summary.detractors),
    }


def named(name: str, detail: str) -> str:
    """A touchpoint's name in bold, and what it is: "<b>Delivery</b> (Post-sale)"."""
    return pgettext("a name and what it is", "%(name)s (%(detail)s)") % {
        "name": f"<b>{name}</b>",
        "detail": detail,
    }


def source_name(source: str) -> str:
    """How a hover names a source of expectation ratios."""
    return _("survey pairs") if source == "survey" else pgettext("source of expectation ratios", "measure")


def ratio_count(summary: RatioSummary, source: str) -> str:
    """ "geometric mean 0.93 of 84 answers": what one of the ratios is (a customer's answer, or an
    interaction whose measure was recorded)."""
    values = {"mean": fmt(summary.geometric_mean, 2), "n": count(summary.n)}
    if source == "survey":
        return (
            ngettext(
                "geometric mean %(mean)s of %(n)s answer",
                "geometric mean %(mean)s of %(n)s answers",
                summary.n,
            )
            % values
        )
    return (
        ngettext(
            "geometric mean %(mean)s of %(n)s measured interaction",
            "geometric mean %(mean)s of %(n)s measured interactions",
            summary.n,
        )
        % values
    )


def ratio_shares(summary: RatioSummary) -> str:
    """ "38 % of them below expectation, 45 % met, 17 % above"."""
    return _("%(below)s of them below expectation, %(met)s met, %(above)s above") % {
        "below": percent(100 * summary.share_below),
        "met": percent(100 * summary.share_met),
        "above": percent(100 * summary.share_above),
    }


def share(part: int, whole: int) -> str:
    return percent(100.0 * part / whole if whole else None)


def of_journeys(part: int, whole: int) -> str:
    """ "3 of 4 journeys, 75 %"."""
    return ngettext(
        "%(count)s of %(n)s journey, %(share)s", "%(count)s of %(n)s journeys, %(share)s", whole
    ) % {"count": count(part), "n": count(whole), "share": share(part, whole)}


def named_at_stage(name: str, stage: str | None) -> str:
    """ "<b>Checkout</b> (Purchase)"."""
    return named(name, stage_label(stage))


def heatmap_hover(label: str, touchpoint: TouchpointOption, month: str, cell: HeatmapCell) -> str:
    """ "<b>Delivery</b> (Post-sale), Mar 2025<br>geometric mean 0.50 of 5 ratios (2 answers, 3
    measured)<br>100 % of them below expectation, 0 % met, 0 % above"."""
    where = pgettext("touchpoint, stage, month", "%(name)s (%(stage)s), %(month)s") % {
        "name": f"<b>{label}</b>",
        "stage": stage_label(touchpoint.stage),
        "month": month,
    }
    pooled = ngettext(
        "geometric mean %(mean)s of %(n)s ratio (%(answers)s answers, %(measured)s measured)",
        "geometric mean %(mean)s of %(n)s ratios (%(answers)s answers, %(measured)s measured)",
        cell.ratio.n,
    ) % {
        "mean": fmt(cell.ratio.geometric_mean, 2),
        "n": count(cell.ratio.n),
        "answers": count(cell.survey_n),
        "measured": count(cell.measure_n),
    }
    return "<br>".join((where, pooled, ratio_shares(cell.ratio)))


def breach_hover(label: str, floor: float, row: InteractionBreakdownRow) -> str:
    """ "<b>Delivery</b> (floor 5.0 of 10)<br>2 of 8 scored interactions below the floor (25.0 %)"."""
    experience = row.figures.experience
    detail = _("floor %(floor)s of 10") % {"floor": fmt(floor)}
    below = ngettext(
        "%(breaches)s of %(n)s scored interaction below the floor (%(share)s)",
        "%(breaches)s of %(n)s scored interactions below the floor (%(share)s)",
        experience.n,
    ) % {
        "breaches": count(experience.floor_breaches),
        "n": count(experience.n),
        "share": percent(100 * experience.breach_share, 1),
    }
    return f"{named(label, detail)}<br>{below}"


# --- Journey funnel and outcomes ----------------------------------------------------------------


def share_with_interval(interval: ShareInterval) -> str:
    """ "60 % (95 % CI 51 % to 68 %)"; "n/a" without a denominator."""
    if interval.share is None:
        return not_available()
    return _("%(share)s (95 %% CI %(low)s to %(high)s)") % {
        "share": percent(100 * interval.share),
        "low": percent(100 * interval.ci_low),
        "high": percent(100 * interval.ci_high),
    }


def step_time(time: StepTime) -> str:
    """ "2.3 days (median of 48 journeys)"."""
    return ngettext(
        "%(duration)s (median of %(n)s journey)", "%(duration)s (median of %(n)s journeys)", time.n
    ) % {"duration": duration_text(time.median, at_least=time.beyond), "n": count(time.n)}


def funnel_step_hover(row: FunnelRow, *, next_label: str | None, journeys: int) -> str:
    """What the funnel tells of one step: how many journeys reached it, how many did not go on to
    the next step and how those stand, and the median time to the next step."""
    figures = row.figures
    lines = [named_at_stage(row.step.label, row.step.stage)]
    lines.append(
        ngettext(
            "reached by %(count)s of %(n)s journey started (%(share)s)",
            "reached by %(count)s of %(n)s journeys started (%(share)s)",
            journeys,
        )
        % {"count": count(figures.reached), "n": count(journeys), "share": share(figures.reached, journeys)}
    )
    if figures.drop is not None and next_label is not None:
        dropped = share_with_interval(figures.drop)
        values = {"count": count(figures.dropped), "next": next_label, "share": dropped}
        lines.append(_("%(count)s did not go on to %(next)s: %(share)s") % values)
        lines.append(
            _("of them %(abandoned)s abandoned, %(open)s still in progress, %(completed)s completed")
            % {
                "abandoned": count(figures.dropped_abandoned),
                "open": count(figures.dropped_in_progress),
                "completed": count(figures.dropped_completed),
            }
        )
        if figures.to_next and figures.to_next.n:
            time = step_time(figures.to_next)
            lines.append(_("time to %(next)s: %(time)s") % {"next": next_label, "time": time})
    return "<br>".join(lines)


def outcome_hover(period: str, outcomes: JourneyOutcomes) -> str:
    """ "Week of 6 Jan 2025: 40 journeys started<br>completed 24: 60 % (95 % CI …)<br>…"."""
    heading = ngettext(
        "%(period)s: %(n)s journey started", "%(period)s: %(n)s journeys started", outcomes.journeys
    ) % {"period": period, "n": count(outcomes.journeys)}
    parts = (
        (pgettext("journey status", "Completed"), outcomes.completed, outcomes.completion),
        (pgettext("journey status", "Abandoned"), outcomes.abandoned, outcomes.abandonment),
        (pgettext("journey status", "In progress"), outcomes.in_progress, outcomes.open_share),
    )
    lines = [
        pgettext("a status, its count and share", "%(status)s %(count)s: %(share)s")
        % {"status": name, "count": count(value), "share": share_with_interval(interval)}
        for name, value, interval in parts
    ]
    return "<br>".join((heading, *lines))
