"""Surveys and their questions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from surveys.scale_labels import NO_SCALE_LABELS, STANDARD_SCALE_LABELS, scale_label_pair
from touchpoints.models import Direction


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
