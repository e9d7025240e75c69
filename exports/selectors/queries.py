"""The SQL of every raw export, narrowed by the dashboards' filters (``MetricFilters``).

A response is cut the way the survey rollups cut it (``analytics.services.rollup_rows.survey_slice``):
its day is the submission's calendar day in the platform's time zone; its touchpoint, stage and
channel are those of the interaction its invitation followed, else those the invitation kept
when that link was cut, else the survey's own touchpoint's; its segment and value tier are the
customer's now. So a filtered export holds exactly the responses the dashboard counts with the
same filters. An interaction is cut as the interaction rollups cut it.

Customers and interactions are written in the columns the CSV import reads back, so an exported
file imports back unchanged.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from analytics.selectors import MetricFilters
from infra.copy import Column, ExportQuery
from infra.days import day_start
from surveys.models import Question, QuestionType
from touchpoints.csv import customers as customer_columns
from touchpoints.csv import interactions as interaction_columns

RESPONSE_FROM = """
FROM surveys_response r
JOIN surveys_survey s ON s.id = r.survey_id
JOIN surveys_invitation i ON i.id = r.invitation_id
JOIN touchpoints_customer c ON c.id = r.customer_id
LEFT JOIN touchpoints_interaction ix ON ix.id = i.interaction_id
LEFT JOIN touchpoints_touchpoint stp ON stp.id = s.touchpoint_id
LEFT JOIN touchpoints_touchpoint tp
  ON tp.id = COALESCE(ix.touchpoint_id, i.interaction_touchpoint_id, s.touchpoint_id)
"""
RESPONSE_CHANNEL = "COALESCE(ix.channel, NULLIF(i.interaction_channel, ''), stp.channel, '')"
RESPONSE_COLUMNS = (
    Column("response_id", "r.id", "number"),
    Column("submitted_at", "r.submitted_at", "local_time"),
    Column("survey_id", "r.survey_id", "number"),
    Column("survey", "s.name"),
    Column("language", "r.language"),
    Column("customer_external_id", "c.external_id"),
    Column("segment", "c.segment"),
    Column("value_tier", "c.value_tier"),
    Column("touchpoint_code", "tp.code"),
    Column("stage", "COALESCE(tp.stage, '')"),
    Column("channel", RESPONSE_CHANNEL),
)
CHOICES_TEXT = "array_to_string(ARRAY(SELECT jsonb_array_elements_text({0}.choices)), '; ')"
QUESTION_TEXT = "COALESCE(q.texts ->> (s.languages ->> 0), q.texts ->> 'en', '')"


class ExportUnavailable(ValueError):
    """The export cannot be made as asked (e.g. one row per response across several surveys)."""


@dataclass(frozen=True)
class _Where:
    clauses: list[str]
    params: list

    def add(self, clause: str, value) -> None:
        self.clauses.append(clause)
        self.params.append(value)

    @property
    def sql(self) -> str:
        return f"WHERE {' AND '.join(self.clauses)}" if self.clauses else ""


def _time_zone() -> str:
    return settings.TIME_ZONE


def _period(where: _Where, column: str, filters: MetricFilters) -> None:
    """Rows whose ``column`` falls on the filter's days (index-friendly bounds)."""
    if filters.start:
        where.add(f"{column} >= %s", day_start(filters.start))
    if filters.end:
        where.add(f"{column} < %s", day_start(filters.end + timedelta(days=1)))


def _customer(where: _Where, filters: MetricFilters) -> None:
    if filters.segment is not None:
        where.add("c.segment = %s", filters.segment)
    if filters.value_tier:
        where.add("c.value_tier = %s", filters.value_tier)


def response_where(filters: MetricFilters) -> _Where:
    where = _Where([], [])
    _period(where, "r.submitted_at", filters)
    if filters.survey_id is not None:
        where.add("r.survey_id = %s", filters.survey_id)
    if filters.touchpoint_id is not None:
        where.add("tp.id = %s", filters.touchpoint_id)
    if filters.stage:
        where.add("tp.stage = %s", filters.stage)
    if filters.channel:
        where.add(f"{RESPONSE_CHANNEL} = %s", filters.channel)
    _customer(where, filters)
    return where


def _question_columns(question: Question) -> list[Column]:
    """The wide layout's column(s) of one question: a pair gives two, every other type one."""
    label = f"q{question.order}_{question.type}"
    if question.type == QuestionType.EXPECTATION_EXPERIENCE:
        return [
            Column(f"{label}_expected", f"ans.q{question.id}_expected", "number"),
            Column(f"{label}_experienced", f"ans.q{question.id}", "number"),
        ]
    if question.type in (QuestionType.TEXT, QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
        return [Column(label, f"ans.q{question.id}")]
    return [Column(label, f"ans.q{question.id}", "number")]


def _question_aggregates(question: Question) -> list[str]:
    only = f"FILTER (WHERE a.question_id = {int(question.id)})"
    name = f"q{question.id}"
    if question.type == QuestionType.EXPECTATION_EXPERIENCE:
        return [f"max(a.expected) {only} AS {name}_expected", f"max(a.score) {only} AS {name}"]
    if question.type == QuestionType.TEXT:
        return [f"max(a.text) {only} AS {name}"]
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
        return [f"max({CHOICES_TEXT.format('a')}) {only} AS {name}"]
    return [f"max(a.score) {only} AS {name}"]


def responses_wide(filters: MetricFilters) -> ExportQuery:
    """One row per response of one survey, its answers as columns (``q<n>_<type>``; a pair as
    ``…_expected`` and ``…_experienced``; several choices joined by "; ")."""
    if filters.survey_id is None:
        raise ExportUnavailable(
            _("One row per response needs a survey: choose one, or export one row per answer.")
        )
    questions = list(Question.objects.filter(survey_id=filters.survey_id).order_by("order", "id"))
    columns = [
        *RESPONSE_COLUMNS,
        *(column for question in questions for column in _question_columns(question)),
    ]
    aggregates = [aggregate for question in questions for aggregate in _question_aggregates(question)]
    lateral = ""
    if aggregates:
        lateral = (
            f"LEFT JOIN LATERAL (SELECT {', '.join(aggregates)} FROM surveys_answer a "  # noqa: S608 - ids
            "WHERE a.response_id = r.id) ans ON true"
        )
    where = response_where(filters)
    body = f"{RESPONSE_FROM} {lateral} {where.sql} ORDER BY r.id"
    return ExportQuery(columns, body, where.params, time_zone=_time_zone())


def responses_long(filters: MetricFilters) -> ExportQuery:
    """One row per answer: the response's columns, then the question and the answer's values."""
    columns = [
        *RESPONSE_COLUMNS,
        Column("question_id", "a.question_id", "number"),
        Column("question_number", 'q."order"', "number"),
        Column("question_type", "a.question_type"),
        Column("question", QUESTION_TEXT),
        Column("score", "a.score", "number"),
        Column("expected", "a.expected", "number"),
        Column("text", "a.text"),
        Column("choices", CHOICES_TEXT.format("a")),
    ]
    where = response_where(filters)
    body = (
        f"{RESPONSE_FROM} JOIN surveys_answer a ON a.response_id = r.id "
        f"JOIN surveys_question q ON q.id = a.question_id {where.sql} ORDER BY r.id, a.question_id"
    )
    return ExportQuery(columns, body, where.params, time_zone=_time_zone())


def interaction_where(filters: MetricFilters) -> _Where:
    where = _Where([], [])
    _period(where, "ix.occurred_at", filters)
    if filters.touchpoint_id is not None:
        where.add("ix.touchpoint_id = %s", filters.touchpoint_id)
    if filters.stage:
        where.add("tp.stage = %s", filters.stage)
    if filters.channel:
        where.add("ix.channel = %s", filters.channel)
    _customer(where, filters)
    return where


def _import_columns(headers, expressions) -> list[Column]:
    """The columns of a file the CSV import reads back: its headers, each with (SQL, kind)."""
    return [Column(header, expr, kind) for header, (expr, kind) in zip(headers, expressions, strict=True)]


def interactions(filters: MetricFilters) -> ExportQuery:
    """One row per interaction in the import's columns (the customer by external id, the touchpoint
    by code, the agent by username, the time in UTC), in id order."""
    users = get_user_model()._meta.db_table
    expressions = (
        ("c.external_id", "text"),
        ("tp.code", "text"),
        ("ix.occurred_at", "utc_time"),
        ("ix.external_id", "text"),
        ("ix.channel", "text"),
        ("u.username", "text"),
        ("ix.category", "text"),
        ("ix.outcome", "text"),
        ("ix.notes", "text"),
        ("ix.experience_score", "number"),
        ("ix.expected_value", "number"),
        ("ix.actual_value", "number"),
        ("ix.journey_ref", "text"),
    )
    columns = _import_columns(interaction_columns.COLUMNS, expressions)
    where = interaction_where(filters)
    body = (
        "FROM touchpoints_interaction ix JOIN touchpoints_customer c ON c.id = ix.customer_id "
        "JOIN touchpoints_touchpoint tp ON tp.id = ix.touchpoint_id "
        f"LEFT JOIN {users} u ON u.id = ix.agent_id {where.sql} ORDER BY ix.id"
    )
    return ExportQuery(columns, body, where.params, time_zone=_time_zone())


def customers(filters: MetricFilters) -> ExportQuery:
    """One row per customer in the import's columns, in id order (the segment and tier filters apply)."""
    expressions = (
        ("c.external_id", "text"),
        ("c.name", "text"),
        ("c.email", "text"),
        ("c.phone", "text"),
        ("c.locale", "text"),
        ("c.segment", "text"),
        ("c.value_tier", "text"),
        ("c.email_opt_out", "bool"),
    )
    columns = _import_columns(customer_columns.COLUMNS, expressions)
    where = _Where([], [])
    _customer(where, filters)
    return ExportQuery(columns, f"FROM touchpoints_customer c {where.sql} ORDER BY c.id", where.params)
