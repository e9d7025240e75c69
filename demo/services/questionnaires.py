"""The three live demo surveys and their questions, in English and Simplified Chinese.

Both demos ask the same questions in both languages; the demo's own language comes first (the
survey's default) and names the surveys in the staff pages.
"""

from dataclasses import dataclass

from surveys.models import Question, Survey
from surveys.scale_labels import STANDARD_SCALE_LABELS
from touchpoints.models import Direction

from . import content_zh
from .languages import SURVEY_LANGUAGES

LANGUAGES = ["en", "zh-hans"]
# demo language → survey kind → the survey's name
SURVEY_NAMES = {
    "en": {
        "relationship": "Relationship NPS",
        "transactional": "After your visit",
        "csat": "Customer satisfaction",
    },
    "zh-hans": content_zh.SURVEY_NAMES,
}

QType = Question.Type
Driver = Question.Driver

RATING_LABELS = {"en": ["Very poor", "Excellent"], "zh-hans": ["非常差", "非常好"]}

# (driver, English, Chinese) for the relationship survey's rating questions.
DRIVER_QUESTIONS = (
    (Driver.PRODUCT, "How do you rate the quality of our products?", "您如何评价我们产品的质量？"),
    (Driver.SERVICE, "How do you rate our customer service?", "您如何评价我们的客户服务？"),
    (Driver.RELATIONSHIP, "How well do we know you and your needs?", "我们对您和您的需求了解得如何？"),
    (Driver.CONVENIENCE, "How easy is it to buy from us and get help?", "向我们购买和获得帮助有多方便？"),
    (Driver.BRAND, "How do you rate our brand and reputation?", "您如何评价我们的品牌和声誉？"),
    (Driver.PRICE, "How do you rate our prices for what you get?", "您如何评价我们的性价比？"),
)


def _standard_labels(question_type: str) -> dict[str, list[str]]:
    """The standard end labels the survey builder gives a new question of ``question_type``."""
    return {code: list(STANDARD_SCALE_LABELS[question_type][code]) for code in LANGUAGES}


@dataclass
class DemoSurveys:
    """The created surveys and their questions, keyed the way the simulation asks them."""

    relationship: Survey
    transactional: Survey
    csat: Survey
    questions: dict[str, Question]  # e.g. "relationship.nps", "relationship.driver.service"


def _comment(survey: Survey, order: int) -> Question:
    return Question(
        survey=survey,
        order=order,
        type=QType.TEXT,
        texts={"en": "What is the main reason for your answer?", "zh-hans": "您作答的主要原因是什么？"},
        required=False,
    )


def _surveys_insert(*, created_by, language: str) -> list[Survey]:
    """Insert the relationship NPS, the after-visit and the CSAT survey, all live, in that order."""
    names, languages = SURVEY_NAMES[language], SURVEY_LANGUAGES[language]
    return Survey.objects.bulk_create(
        [
            Survey(
                name=names["relationship"],
                kind=Survey.Kind.RELATIONSHIP,
                languages=languages,
                titles={"en": "How are we doing?", "zh-hans": "我们做得怎么样？"},
                intros={
                    "en": "Two minutes to tell us how we are doing overall.",
                    "zh-hans": "请花两分钟告诉我们您对我们的整体评价。",
                },
                status=Survey.Status.LIVE,
                created_by=created_by,
            ),
            Survey(
                name=names["transactional"],
                kind=Survey.Kind.TRANSACTIONAL,
                languages=languages,
                titles={
                    "en": "How was your recent contact with us?",
                    "zh-hans": "您最近一次与我们的接触体验如何？",
                },
                intros={
                    "en": "A few questions about the contact you just had with us.",
                    "zh-hans": "关于您刚刚与我们的接触，有几个简短的问题。",
                },
                status=Survey.Status.LIVE,
                created_by=created_by,
            ),
            Survey(
                name=names["csat"],
                kind=Survey.Kind.CSAT,
                languages=languages,
                titles={"en": "Were you satisfied?", "zh-hans": "您满意吗？"},
                intros={"en": "One question, one click.", "zh-hans": "一个问题，一次点击。"},
                status=Survey.Status.LIVE,
                created_by=created_by,
            ),
        ]
    )


def _relationship_questions(survey: Survey) -> dict[str, Question]:
    """The relationship survey's NPS, comment and one rating per driver, unsaved."""
    questions: dict[str, Question] = {
        "relationship.nps": Question(
            survey=survey,
            order=1,
            type=QType.NPS,
            texts={
                "en": "How likely are you to recommend us to a friend or colleague?",
                "zh-hans": "您有多大可能向朋友或同事推荐我们？",
            },
            scale_min=0,
            scale_max=10,
            scale_labels=_standard_labels(QType.NPS),
        ),
        "relationship.comment": _comment(survey, 2),
    }
    for order, (driver, english, chinese) in enumerate(DRIVER_QUESTIONS, start=3):
        questions[f"relationship.driver.{driver}"] = Question(
            survey=survey,
            order=order,
            type=QType.RATING,
            texts={"en": english, "zh-hans": chinese},
            scale_min=1,
            scale_max=5,
            scale_labels=RATING_LABELS,
            driver=driver,
        )
    return questions


def _transactional_questions(survey: Survey) -> dict[str, Question]:
    """The after-visit survey's NPS, expectation–experience, CES and comment, unsaved."""
    return {
        "transactional.nps": Question(
            survey=survey,
            order=1,
            type=QType.NPS,
            texts={
                "en": "After this contact, how likely are you to recommend us to a friend or colleague?",
                "zh-hans": "经过这次接触，您有多大可能向朋友或同事推荐我们？",
            },
            scale_min=0,
            scale_max=10,
            scale_labels=_standard_labels(QType.NPS),
        ),
        "transactional.expectation": Question(
            survey=survey,
            order=2,
            type=QType.EXPECTATION_EXPERIENCE,
            texts={
                "en": "What did you expect before, and what did you get? (1 = very poor, 10 = excellent)",
                "zh-hans": "您事先期望如何，实际体验又如何？（1 = 非常差，10 = 非常好）",
            },
            scale_min=1,
            scale_max=10,
            scale_labels={"en": ["Very poor", "Excellent"], "zh-hans": ["非常差", "非常好"]},
            direction=Direction.HIGHER_IS_BETTER,
        ),
        "transactional.ces": Question(
            survey=survey,
            order=3,
            type=QType.CES,
            texts={
                "en": "How easy was it to get what you needed?",
                "zh-hans": "获得您所需要的帮助有多容易？",
            },
            scale_min=1,
            scale_max=7,
            scale_labels=_standard_labels(QType.CES),
        ),
        "transactional.comment": _comment(survey, 4),
    }


def _csat_questions(survey: Survey) -> dict[str, Question]:
    """The CSAT survey's satisfaction question and comment, unsaved."""
    return {
        "csat.csat": Question(
            survey=survey,
            order=1,
            type=QType.CSAT,
            texts={
                "en": "How satisfied were you with the service you received?",
                "zh-hans": "您对所获得的服务满意吗？",
            },
            scale_min=1,
            scale_max=5,
            scale_labels=_standard_labels(QType.CSAT),
        ),
        "csat.comment": _comment(survey, 2),
    }


def surveys_create(*, created_by, language: str = "en") -> DemoSurveys:
    """Insert the relationship NPS, the after-visit and the CSAT survey, all live, for the demo in
    ``language`` (their languages: that one first, then the other)."""
    relationship, transactional, csat = _surveys_insert(created_by=created_by, language=language)
    questions = (
        _relationship_questions(relationship)
        | _transactional_questions(transactional)
        | _csat_questions(csat)
    )
    Question.objects.bulk_create(list(questions.values()))
    return DemoSurveys(relationship, transactional, csat, questions)
