"""Surveys, their questions, the invitations emailed to customers and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from touchpoints.models import Channel, Direction, Stage

from .tokens import token_nonce_new


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", "Relationship (periodic NPS)"
    TRANSACTIONAL = "transactional", "Transactional (after a touchpoint)"
    CSAT = "csat", "Customer satisfaction"
    CES = "ces", "Customer effort"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"


class Survey(models.Model):
    Kind = SurveyKind
    Status = SurveyStatus
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    languages = models.JSONField(
        default=list,
        help_text='Language codes offered to customers, first is the default: ["en", "zh-hans"].',
    )
    titles = models.JSONField(
        default=dict,
        blank=True,
        help_text='Title shown to customers per language: {"en": "…"}.',
    )
    intros = models.JSONField(default=dict, blank=True, help_text="Introduction per language.")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        help_text="For transactional surveys: the touchpoint they ask about.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SurveyKind.values), name="survey_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE


class QuestionType(models.TextChoices):
    NPS = "nps", "Likelihood to recommend (0–10)"
    CSAT = "csat", "Satisfaction (1–5)"
    CES = "ces", "Effort (1–7, 7 = very easy)"
    RATING = "rating", "Rating"
    EXPECTATION_EXPERIENCE = "expectation_experience", "Expectation and experience pair"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    TEXT = "text", "Free text"


# The end labels of the standard questions' scales, (lowest, highest), in every language the
# product has standard wording for. They are survey content in the customer's language, like
# surveys/public_text.py, not staff-facing text, hence a dictionary rather than gettext.
# The builder fills them into a new question; Question.scale_labels_in falls back to them for
# a question stored without labels in a language (questions created before they existed).
STANDARD_SCALE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    QuestionType.NPS: {
        "en": ("Not at all likely", "Extremely likely"),
        "zh-hans": ("完全不可能", "极有可能"),
    },
    QuestionType.CSAT: {"en": ("Very dissatisfied", "Very satisfied"), "zh-hans": ("非常不满意", "非常满意")},
    QuestionType.CES: {"en": ("Very difficult", "Very easy"), "zh-hans": ("非常困难", "非常容易")},
}
NO_SCALE_LABELS = ("", "")


def scale_label_pair(value) -> tuple[str, str]:
    """A stored ``scale_labels`` entry as a (lowest, highest) pair of strings; anything else, no labels."""
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(end, str) for end in value):
        return value[0], value[1]
    return NO_SCALE_LABELS


class QuestionDriver(models.TextChoices):
    PRODUCT = "product", "Product"
    SERVICE = "service", "Service"
    RELATIONSHIP = "relationship", "Relationship"
    CONVENIENCE = "convenience", "Convenience"
    BRAND = "brand", "Brand image"
    PRICE = "price", "Price"


class Question(models.Model):
    Type = QuestionType
    Driver = QuestionDriver

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=24, choices=Type.choices)
    texts = models.JSONField(help_text='Question text per language: {"en": "…", "zh-hans": "…"}.')
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text='For choice questions: [{"value": "price", "labels": {"en": "Price"}}].',
    )
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)
    scale_labels = models.JSONField(
        default=dict,
        blank=True,
        help_text='Labels of the scale ends per language: {"en": ["Not at all likely", "Extremely likely"]}.',
    )
    direction = models.CharField(
        max_length=16,
        choices=Direction.choices,
        default=Direction.HIGHER_IS_BETTER,
        help_text="For expectation/experience pairs: which way is better.",
    )
    required = models.BooleanField(default=True)
    driver = models.CharField(
        max_length=16,
        choices=Driver.choices,
        blank=True,
        help_text="The experience dimension a rating measures, for key-driver analysis.",
    )

    class Meta:
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="question_order_unique"),
            models.CheckConstraint(condition=Q(type__in=QuestionType.values), name="question_type_valid"),
            models.CheckConstraint(
                condition=Q(scale_min__isnull=True)
                | Q(scale_max__isnull=True)
                | Q(scale_min__lt=F("scale_max")),
                name="question_scale_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} Q{self.order}: {self.text_in(self.survey.default_language)}"

    def text_in(self, language: str) -> str:
        """The question's text in ``language``, else in its first language."""
        if language in self.texts:
            return self.texts[language]
        return next(iter(self.texts.values()), "")

    def scale_labels_in(self, language: str) -> tuple[str, str]:
        """The (lowest, highest) end labels customers reading ``language`` see; "" for an unlabelled end.

        The labels stored in ``language`` if there is an entry for it (a pair of blanks is a
        manager's choice of no labels); else, for NPS, CSAT and CES, the standard wording in
        that language (``STANDARD_SCALE_LABELS``); else the labels stored in another language;
        else the standard English wording, or none.
        """
        stored = self.scale_labels if isinstance(self.scale_labels, dict) else {}
        standard = STANDARD_SCALE_LABELS.get(self.type, {})
        if language in stored:
            return scale_label_pair(stored[language])
        if language in standard:
            return standard[language]
        for value in stored.values():
            if any(pair := scale_label_pair(value)):
                return pair
        return standard.get("en", NO_SCALE_LABELS)


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    RESPONDED = "responded", "Responded"
    EXPIRED = "expired", "Expired"
    BOUNCED = "bounced", "Bounced"
    SUPPRESSED = "suppressed", "Suppressed"


class Invitation(models.Model):
    """A survey invitation to one customer; the emailed token is its only key.

    Only a SHA-256 hash of the token is stored, so a database leak reveals no
    working survey link.
    """

    Status = InvitationStatus
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey("touchpoints.Customer", on_delete=models.CASCADE, related_name="invitations")
    interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_nonce = models.CharField(
        max_length=32,
        editable=False,
        default=token_nonce_new,
        help_text="Random seed the emailed token is derived from with the secret key; not the token.",
    )
    rule = models.ForeignKey(
        "SurveyRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    # Set when the link to the interaction is cut to anonymise an old response: the rollups slice
    # the invitation and its response by these, as they did by the interaction.
    interaction_touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The touchpoint of the interaction it followed, kept once that link is cut.",
    )
    interaction_channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text="The channel of the interaction it followed, kept once that link is cut.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    suppression_reason = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(help_text="Not emailed before this time.")
    send_enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a send task was last enqueued; the sweeper enqueues a stale one again.",
    )
    send_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker last began sending it; a queued invitation whose send began but whose "
        "row no worker holds is re-enqueued at once (the worker died).",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="invitation_status_send_idx"),
            models.Index(fields=["customer", "created_at"], name="invitation_customer_idx"),
            models.Index(fields=["survey", "status"], name="invitation_survey_idx"),
            models.Index(fields=["status", "sent_at"], name="invitation_status_sent_idx"),
            # The invitation rollup reads a day's sent invitations whatever their status.
            models.Index(fields=["sent_at"], name="invitation_sent_idx"),
            # The sweeper looks for sends that began and never finished (a few rows at most).
            models.Index(
                fields=["send_started_at"],
                name="invitation_send_started_idx",
                condition=Q(status="queued", send_started_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(interaction_channel="") | Q(interaction_channel__in=Channel.values),
                name="invitation_interaction_channel_valid",
            ),
            # A rule invites once per interaction, however often it is evaluated.
            models.UniqueConstraint(
                fields=["rule", "interaction"],
                condition=Q(rule__isnull=False, interaction__isnull=False),
                name="invitation_once_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer} ({self.status})"


class Response(models.Model):
    """A customer's submitted answers to one invitation (at most one per invitation)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey("touchpoints.Customer", on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField()
    language = models.CharField(max_length=16)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="response_survey_time_idx"),
            models.Index(fields=["customer", "submitted_at"], name="response_customer_idx"),
            models.Index(fields=["submitted_at"], name="response_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.customer} · {self.submitted_at:%Y-%m-%d}"


def _scale_check(question_type: str, low: int, high: int, *, whole: bool) -> Q:
    """Rows of ``question_type`` carry a score within [low, high] (whole numbers if ``whole``)."""
    in_range = Q(score__in=list(range(low, high + 1))) if whole else Q(score__gte=low, score__lte=high)
    return ~Q(question_type=question_type) | Q(score__isnull=True) | in_range


class Answer(models.Model):
    """One answer. Typed columns keep numbers queryable for the rollups.

    ``score`` holds the numeric answer (NPS 0–10, CSAT 1–5, CES 1–7, a rating, or
    the experience half of an expectation/experience pair); ``expected`` the
    expectation half; ``text`` free text; ``choices`` the chosen values.
    ``question_type`` repeats the question's type so the database itself can
    refuse a score outside its scale.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    question_type = models.CharField(max_length=24, choices=Question.Type.choices)
    score = models.FloatField(null=True, blank=True)
    expected = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["response", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.NPS, 0, 10, whole=True),
                name="answer_nps_score_0_10",
            ),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.CSAT, 1, 5, whole=True),
                name="answer_csat_score_1_5",
            ),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.CES, 1, 7, whole=True),
                name="answer_ces_score_1_7",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="answer_score_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(expected__isnull=True) | Q(expected__gt=0),
                name="answer_expected_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} · Q{self.question_id}"


class SurveyRule(models.Model):
    """A rule: after an interaction at touchpoint T (or any touchpoint of stage S), invite with this
    survey after D hours. Evaluated whenever an interaction is logged, from any source."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, null=True, blank=True, related_name="survey_rules"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    delay_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Hours after the interaction before the invitation may be emailed (0–720)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(touchpoint__isnull=False) & Q(stage=""))
                | (Q(touchpoint__isnull=True) & Q(stage__in=Stage.values)),
                name="survey_rule_touchpoint_or_stage",
            ),
            models.CheckConstraint(condition=Q(delay_hours__lte=720), name="survey_rule_delay_at_most_30d"),
        ]

    def __str__(self) -> str:
        target = self.touchpoint or self.get_stage_display()
        return f"After {target}: {self.survey} (+{self.delay_hours} h)"


class EmailSuppression(models.Model):
    """An address never to email again (it bounced, or its owner complained)."""

    email = models.EmailField(unique=True, help_text="Stored lower-cased.")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"
