"""The key-figure cards of the survey, response and follow-up figures (the overview's, and a
touchpoint drill-down's). Each card's note says what its figure counts, in numbers from the same
selector result as the figure: "22 of 30 answers rated 4–5", "42 % of 118 answers below
expectation" (a share of answers, not how far the ratio is below 1)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics.display import count, number, percent, signed
from analytics.metrics import CESFigures, CSATFigures, NPSDifference, RatioSummary
from analytics.selectors import Comparison, InvitationFigures, ResponseFigures
from followups.selectors import FollowUpCounts

from .common import Kpi, raw


def _nps_change_verdict(change: NPSDifference) -> tuple[str, str]:
    """The note and tone of the NPS change: significant (good or bad), not significant, or not
    comparable because one period has no NPS answers."""
    if change.diff is None:
        return _("no NPS answers in one of the two periods"), ""
    if change.significant:
        z = "∞" if abs(change.z) == float("inf") else signed(change.z, 2)
        return _("significant (z = %(z)s)") % {"z": z}, "good" if change.diff > 0 else "bad"
    if change.z is None:
        return _("no change"), ""
    return _("not significant (z = %(z)s)") % {"z": signed(change.z, 2)}, ""


def nps_kpis(comparison: Comparison) -> list[Kpi]:
    """This period's NPS with its interval, and its change against the previous period."""
    nps, change = comparison.current.nps, comparison.nps_change
    change_note, change_tone = _nps_change_verdict(change)
    return [
        Kpi(
            "nps",
            pgettext("key figure", "NPS"),
            signed(nps.nps),
            raw(nps.nps),
            note=_("95 %% CI %(low)s to %(high)s · %(n)s NPS answers")
            % {"low": signed(nps.ci_low), "high": signed(nps.ci_high), "n": count(nps.n)}
            if nps.n
            else _("no NPS answers"),
            attrs={"ci-low": raw(nps.ci_low), "ci-high": raw(nps.ci_high), "n": raw(nps.n)},
        ),
        Kpi(
            "nps-change",
            _("Change vs previous period"),
            signed(change.diff),
            raw(change.diff),
            note=change_note,
            tone=change_tone,
            attrs={
                "z": raw(change.z),
                "significant": raw(change.significant),
                "previous": raw(comparison.previous.nps.nps),
            },
        ),
    ]


def response_kpis(
    current: ResponseFigures, previous: ResponseFigures, invitations: InvitationFigures
) -> list[Kpi]:
    """Responses against the previous period, and the response rate of the invitations sent."""
    rate = invitations.response_rate
    return [
        Kpi(
            "responses",
            _("Responses"),
            count(current.responses),
            raw(current.responses),
            note=_("previous period %(count)s") % {"count": count(previous.responses)},
        ),
        Kpi(
            "response-rate",
            _("Response rate"),
            percent(100 * rate if rate is not None else None, 0),
            raw(rate),
            note=_("%(responded)s of %(sent)s invitations sent in the period answered")
            % {"responded": count(invitations.responded), "sent": count(invitations.sent)}
            if invitations.sent
            else _("no invitations sent"),
            attrs={"sent": raw(invitations.sent), "responded": raw(invitations.responded)},
        ),
    ]


def satisfaction_kpis(current: ResponseFigures) -> list[Kpi]:
    """CSAT, CES and the expectation ratio, bad when experience falls short of expectation."""
    return [csat_kpi(current.csat), ces_kpi(current.ces), expectation_kpi(current.expectation)]


def csat_note(csat: CSATFigures) -> str:
    """What a CSAT % counts: "22 of 30 answers rated 4–5 · 95 % CI 55 to 86 %"."""
    if not csat.n:
        return _("no CSAT answers")
    return _("%(satisfied)s of %(n)s answers rated 4–5 · 95 %% CI %(low)s to %(high)s %%") % {
        "satisfied": count(csat.satisfied),
        "n": count(csat.n),
        "low": number(csat.ci_low, 0),
        "high": number(csat.ci_high, 0),
    }


def csat_kpi(csat: CSATFigures) -> Kpi:
    return Kpi(
        "csat",
        _("CSAT"),
        percent(csat.csat, 0),
        raw(csat.csat),
        note=csat_note(csat),
        attrs={
            "n": raw(csat.n),
            "satisfied": raw(csat.satisfied),
            "ci-low": raw(csat.ci_low),
            "ci-high": raw(csat.ci_high),
        },
    )


def ces_note(ces: CESFigures) -> str:
    """What a CES mean counts: "mean of 42 answers, 95 % CI 5.0 to 5.8 · 31 (74 %) rated 5–7"."""
    if not ces.n:
        return _("no CES answers")
    values = {
        "n": count(ces.n),
        "low": number(ces.ci_low, 1),
        "high": number(ces.ci_high, 1),
        "easy": count(ces.easy),
        "share": number(ces.easy_share, 0),
    }
    if ces.ci_low is None:  # sums from before the rollups kept Σx², until their refresh
        return _("mean of %(n)s answers · %(easy)s (%(share)s %%) rated 5–7") % values
    return (
        _("mean of %(n)s answers, 95 %% CI %(low)s to %(high)s · %(easy)s (%(share)s %%) rated 5–7") % values
    )


def ces_kpi(ces: CESFigures) -> Kpi:
    return Kpi(
        "ces",
        _("CES (1–7, 7 = easy)"),
        number(ces.mean, 1),
        raw(ces.mean),
        note=ces_note(ces),
        attrs={
            "n": raw(ces.n),
            "ci-low": raw(ces.ci_low),
            "ci-high": raw(ces.ci_high),
            "easy": raw(ces.easy),
            "easy-share": raw(ces.easy_share),
            "easy-ci-low": raw(ces.easy_ci_low),
            "easy-ci-high": raw(ces.easy_ci_high),
        },
    )


def expectation_note(expectation: RatioSummary) -> str:
    """What the ratio is and what its share counts: "geometric mean · 42 % of 118 answers below
    expectation" (the share of answers, not how far the ratio is below 1)."""
    if not expectation.n:
        return _("no expectation answers")
    return _("geometric mean · %(share)s %% of %(n)s answers below expectation") % {
        "share": number(100 * expectation.share_below, 0),
        "n": count(expectation.n),
    }


def expectation_kpi(expectation: RatioSummary) -> Kpi:
    return Kpi(
        "expectation",
        _("Expectation ratio"),
        number(expectation.geometric_mean, 2),
        raw(expectation.geometric_mean),
        note=expectation_note(expectation),
        tone="bad" if expectation.geometric_mean is not None and expectation.geometric_mean < 1 else "",
        attrs={"share-below": raw(expectation.share_below), "n": raw(expectation.n)},
    )


def follow_up_kpis(follow_ups: FollowUpCounts) -> list[Kpi]:
    """The platform's open and overdue follow-up cases, whatever the filters."""
    return [
        Kpi(
            "follow-ups-open",
            _("Open follow-ups"),
            count(follow_ups.open),
            raw(follow_ups.open),
            note=_("all cases, any date"),
        ),
        Kpi(
            "follow-ups-overdue",
            _("Overdue follow-ups"),
            count(follow_ups.overdue),
            raw(follow_ups.overdue),
            note=_("past their due time"),
            tone="bad" if follow_ups.overdue else "",
        ),
    ]
