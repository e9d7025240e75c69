"""Surveys and their questions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from surveys.scale_labels import NO_SCALE_LABELS, STANDARD_SCALE_LABELS, scale_label_pair
from touchpoints.models import Direction


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship (periodic NPS)")
    TRANSACTIONAL = "transactional", _("Transactional (after a touchpoint)")
    CSAT = "csat", _("Customer satisfaction")
    CES = "ces", _("Customer effort")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "Draft")
    LIVE = "live", pgettext_lazy("survey status", "Live")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class Survey(models.Model):
    Kind = SurveyKind
    Status = SurveyStatus
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_('Language codes offered to customers, first is the default: ["en", "zh-hans"].'),
    )
    titles = models.JSONField(
        _("titles"),
        default=dict,
        blank=True,
        help_text=_('Title shown to customers per language: {"en": "…"}.'),
    )
    intros = models.JSONField(
        _("introductions"), default=dict, blank=True, help_text=_("Introduction per language.")
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("touchpoint"),
        help_text=_("For transactional surveys: the touchpoint they ask about."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
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
    NPS = "nps", _("Likelihood to recommend (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    CES = "ces", _("Effort (1–7, 7 = very easy)")
    RATING = "rating", pgettext_lazy("question type", "Rating")
    EXPECTATION_EXPERIENCE = "expectation_experience", _("Expectation and experience pair")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    TEXT = "text", _("Free text")


class QuestionDriver(models.TextChoices):
    PRODUCT = "product", pgettext_lazy("driver", "Product")
    SERVICE = "service", pgettext_lazy("driver", "Service")
    RELATIONSHIP = "relationship", pgettext_lazy("driver", "Relationship")
    CONVENIENCE = "convenience", pgettext_lazy("driver", "Convenience")
    BRAND = "brand", pgettext_lazy("driver", "Brand image")
    PRICE = "price", pgettext_lazy("driver", "Price")


class Question(models.Model):
    Type = QuestionType
    Driver = QuestionDriver

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    type = models.CharField(_("question type"), max_length=24, choices=Type.choices)
    texts = models.JSONField(
        _("texts"), help_text=_('Question text per language: {"en": "…", "zh-hans": "…"}.')
    )
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choice questions: [{"value": "price", "labels": {"en": "Price"}}].'),
    )
    scale_min = models.SmallIntegerField(_("lowest point of the scale"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest point of the scale"), null=True, blank=True)
    scale_labels = models.JSONField(
        _("scale end labels"),
        default=dict,
        blank=True,
        help_text=_(
            'Labels of the scale ends per language: {"en": ["Not at all likely", "Extremely likely"]}.'
        ),
    )
    direction = models.CharField(
        _("direction"),
        max_length=16,
        choices=Direction.choices,
        default=Direction.HIGHER_IS_BETTER,
        help_text=_("For expectation/experience pairs: which way is better."),
    )
    required = models.BooleanField(_("required"), default=True)
    driver = models.CharField(
        _("driver dimension"),
        max_length=16,
        choices=Driver.choices,
        blank=True,
        help_text=_("The experience dimension a rating measures, for key-driver analysis."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
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
        text = self.text_in(self.survey.default_language)
        return gettext("%(survey)s Q%(order)s: %(text)s") % {
            "survey": self.survey,
            "order": self.order,
            "text": text,
        }

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
