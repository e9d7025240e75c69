"""The abstract column sets rollups are built from: additive counts (measures) and the survey slice
(dimensions). Each count is a sum, so any slice of rows adds up to the figures of that slice."""

from django.db import models

from touchpoints.models import Channel, Stage, ValueTier


class RatioCounts(models.Model):
    """Expectation-ratio counts: (n, Σ ln r, below, met, above), additive (metrics.md)."""

    ratio_n = models.PositiveIntegerField(default=0)
    ratio_sum_log = models.FloatField(
        default=0.0, help_text="Σ ln r over the ratios, r clamped to [0.1, 10]."
    )
    ratio_below = models.PositiveIntegerField(default=0)
    ratio_met = models.PositiveIntegerField(default=0)
    ratio_above = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ResponseCounts(RatioCounts):
    """Survey answer counts: responses, NPS (n, P, Pa, D), CSAT, CES and expectation ratios."""

    responses = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_passives = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0, help_text="Answers of 4 or 5.")
    ces_n = models.PositiveIntegerField(default=0)
    ces_total = models.PositiveIntegerField(default=0, help_text="Sum of the 1–7 answers.")
    ces_easy = models.PositiveIntegerField(default=0, help_text="Answers of 5, 6 or 7.")
    ces_sum_squares = models.PositiveIntegerField(
        default=0, help_text="Sum of the squares of the 1–7 answers: the spread of the CES interval."
    )

    class Meta:
        abstract = True


class InteractionCounts(RatioCounts):
    """Interaction counts: experience scores, floor breaches and the measure's expectation ratios."""

    interactions = models.PositiveIntegerField(default=0)
    scored_n = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    floor_breaches = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class SliceColumns(models.Model):
    """The dimensions survey figures are sliced by (as in ``ResponseRollup``)."""

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+", db_index=False)
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        abstract = True


class DriverSums(models.Model):
    """Key-driver sums of one experience dimension: (x, y) pair sums and the ratings' sum."""

    dimension = models.CharField(max_length=16)
    pairs = models.PositiveIntegerField(default=0)
    sum_x = models.FloatField(default=0.0)
    sum_y = models.FloatField(default=0.0)
    sum_xx = models.FloatField(default=0.0)
    sum_yy = models.FloatField(default=0.0)
    sum_xy = models.FloatField(default=0.0)
    ratings = models.PositiveIntegerField(default=0)
    ratings_sum = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class InvitationCounts(models.Model):
    """Invitations sent, answered, and bounced after sending."""

    sent = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
