"""Hostile input through every form of the web UI: never a 500; a refusal shows a form error
(or a 400 naming the problem) and stores nothing; what is accepted is stored exactly (trimmed).

Forms travel as ``application/x-www-form-urlencoded`` UTF-8, which cannot carry a lone
surrogate or a JSON type: instead of those, a field is sent twice or left out. Each field gets
the core of the corpus, numbers at the edges where it takes a number, the whole corpus in every
text field at once, and undecodable bytes. Query-string forms (search boxes, list and dashboard
filters) and tokens in paths get their own sweeps.
"""

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.test.utils import ContextList
from django.urls import reverse

from followups.models import FollowUp
from journeys.models import JourneyMap
from surveys.models import Answer, Invitation, Question, Response, Survey, SurveyRule
from surveys.tokens import token_for
from tests.factories import InvitationFactory
from touchpoints.models import Customer, Interaction

from . import nasty
from .conftest import db_state, signed_in

pytestmark = pytest.mark.django_db

MISSING = object()
# Instead of JSON's wrong types: a field posted twice, and a field left out.
FORM_SHAPES = {"repeated": ["first", "second"], "missing": MISSING}
_serial = itertools.count(1)


@dataclass(frozen=True)
class Form:
    """One form post: who sends it, where, a valid body, and where an accepted value is stored.

    ``fields`` maps each field to ``(kind, stored)``: ``kind`` is ``text`` (stored trimmed at
    ``stored``), ``note`` (the case's notes end with it), ``number`` or ``other`` (not compared);
    ``stored`` is a dotted path from the record (``titles.en``). ``record`` finds the stored row
    after an accepted post (a redirect)."""

    user: str | None
    path: Callable
    data: Callable
    record: Callable | None
    fields: dict[str, tuple[str, str]]


def latest(model):
    return lambda w: model.objects.order_by("-pk").first()


def _survey_data(w) -> dict:
    return {
        "name": f"Survey {next(_serial)}",
        "kind": "relationship",
        "languages": ["en"],
        "default_language": "en",
        "touchpoint": "",
        "title_en": "How did we do?",
        "intro_en": "Two questions.",
    }


SURVEY_FIELDS = {
    "name": ("text", "name"),
    "kind": ("other", ""),
    "languages": ("other", ""),
    "default_language": ("other", ""),
    "touchpoint": ("other", ""),
    "title_en": ("text", "titles.en"),
    "intro_en": ("text", "intros.en"),
    "title_zh-hans": ("other", ""),
}


def _rating_data(w) -> dict:
    return {
        "type": "rating",
        "required": "on",
        "text_en": "How friendly were the staff?",
        "scale_min": "1",
        "scale_max": "5",
        "scale_low_en": "Not at all",
        "scale_high_en": "Very",
        "direction": "higher_is_better",
        "driver": "",
    }


RATING_FIELDS = {
    "type": ("other", ""),
    "required": ("other", ""),
    "text_en": ("text", "texts.en"),
    "scale_min": ("number", ""),
    "scale_max": ("number", ""),
    "scale_low_en": ("text", "scale_labels.en.0"),
    "scale_high_en": ("text", "scale_labels.en.1"),
    "direction": ("other", ""),
    "driver": ("other", ""),
    "text_zh-hans": ("other", ""),
}


def _choice_data(w) -> dict:
    return {
        "type": "single_choice",
        "required": "on",
        "text_en": "Which channel?",
        "direction": "higher_is_better",
        "choice_0_value": "phone",
        "choice_0_label_en": "Phone",
        "choice_1_value": "store",
        "choice_1_label_en": "Store",
    }


def _answers(w) -> dict:
    q = w.questions
    return {
        f"q{q['nps'].id}": "9",
        f"q{q['csat'].id}": "4",
        f"q{q['ces'].id}": "6",
        f"q{q['rating'].id}": "3",
        f"q{q['pair'].id}-expected": "8",
        f"q{q['pair'].id}": "6",
        f"q{q['single'].id}": "store",
        f"q{q['multi'].id}": ["speed", "price"],
        f"q{q['text'].id}": "Quick and friendly.",
        "lang": "en",
    }


def _fresh_link(w) -> str:
    """A new open invitation each time: an accepted answer uses one up."""
    invitation = InvitationFactory(survey=w.survey, customer=w.customer, status=Invitation.Status.SENT)
    return reverse("survey-answer", args=[token_for(invitation.token_nonce)])


def _latest_text_answer(w):
    """The free-text answer of the latest response ("" when it has none)."""
    response = Response.objects.order_by("-pk").first()
    answer = Answer.objects.filter(response=response, question=w.questions["text"]).first()
    return SimpleNamespace(text=answer.text if answer else "")


# Field names of the survey page hold question ids: "q{nps}" is the NPS question's field.
ANSWER_FIELDS = {
    # One field per kind of scale gets the numbers one by one (a fixed scale, a rating's own, an
    # expectation pair's half); CSAT, CES and the pair's other half are the same field class.
    "q{nps}": ("number", ""),
    "q{csat}": ("other", ""),
    "q{ces}": ("other", ""),
    "q{rating}": ("number", ""),
    "q{pair}-expected": ("number", ""),
    "q{pair}": ("other", ""),
    "q{single}": ("other", ""),
    "q{multi}": ("other", ""),
    "q{text}": ("text", "text"),
    "lang": ("other", ""),
    "q{unknown}": ("other", ""),  # a question the survey does not have
}


def field_name(world, key: str) -> str:
    if "{" not in key:
        return key
    ids = {name: question.id for name, question in world.questions.items()}
    return key.format(**ids, unknown=max(ids.values()) + 1000)


def _journey_map_data(w) -> dict:
    return {
        "name": f"Journey map {next(_serial)}",
        "description": "From the first visit to the delivery.",
        "timeout_days": "30",
        "concurrent": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-touchpoint": str(w.counter.id),
        "steps-0-position": "1",
        "steps-0-starts": "on",
        "steps-0-floor_score": "4",
        "action": "save",
    }


JOURNEY_MAP_FIELDS = {
    "name": ("text", "name"),
    "description": ("text", "description"),
    "timeout_days": ("number", ""),
    "concurrent": ("other", ""),
    "include_outside": ("other", ""),
    "steps-TOTAL_FORMS": ("number", ""),
    "steps-INITIAL_FORMS": ("other", ""),
    "steps-0-touchpoint": ("number", ""),
    "steps-0-position": ("number", ""),
    "steps-0-starts": ("other", ""),
    "steps-0-ends": ("other", ""),
    "steps-0-floor_score": ("number", ""),
    "action": ("other", ""),
}


FORMS: dict[str, Form] = {
    "login": Form(
        None,
        lambda w: reverse("login"),
        lambda w: {"username": "nobody", "password": "wrong"},
        None,
        {"username": ("text", ""), "password": ("text", "")},  # never stored: nothing to compare
    ),
    "log an interaction": Form(
        "agent",
        lambda w: reverse("customer-interaction-create", args=[w.customer.id]),
        lambda w: {
            "touchpoint": w.delivery.id,
            "channel": "phone",
            "category": "Late delivery",
            "outcome": "resolved",
            "notes": "Parcel rerouted.",
            "experience_score": "6",
            "expected_value": "2",
            "actual_value": "3",
            "journey_ref": "ORD-77",
        },
        latest(Interaction),
        {
            "touchpoint": ("other", ""),
            "channel": ("other", ""),
            "category": ("text", "category"),
            "outcome": ("other", ""),
            "notes": ("text", "notes"),
            "experience_score": ("number", ""),
            "expected_value": ("number", ""),
            "actual_value": ("number", ""),
            "journey_ref": ("text", "journey_ref"),
        },
    ),
    "new survey": Form(
        "manager", lambda w: reverse("survey-builder-create"), _survey_data, latest(Survey), SURVEY_FIELDS
    ),
    "edit survey": Form(
        "manager",
        lambda w: reverse("survey-builder-edit", args=[w.draft.id]),
        _survey_data,
        lambda w: Survey.objects.get(pk=w.draft.pk),
        SURVEY_FIELDS,
    ),
    "new rating question": Form(
        "manager",
        lambda w: reverse("survey-builder-question-create", args=[w.draft.id]),
        _rating_data,
        latest(Question),
        RATING_FIELDS,
    ),
    "edit question": Form(
        "manager",
        lambda w: reverse("survey-builder-question-edit", args=[w.draft.id, w.draft_question.id]),
        _rating_data,
        lambda w: Question.objects.get(pk=w.draft_question.pk),
        RATING_FIELDS,
    ),
    "new choice question": Form(
        "manager",
        lambda w: reverse("survey-builder-question-create", args=[w.draft.id]),
        _choice_data,
        latest(Question),
        {
            "choice_0_value": ("text", "choices.0.value"),
            "choice_0_label_en": ("text", "choices.0.labels.en"),
            "choice_1_value": ("text", "choices.1.value"),
            "choice_59_value": ("other", ""),
        },
    ),
    "new rule": Form(
        "manager",
        lambda w: reverse("survey-builder-rule-create", args=[w.survey.id]),
        lambda w: {"touchpoint": w.counter.id, "stage": "", "delay_hours": "24"},
        latest(SurveyRule),
        {"touchpoint": ("other", ""), "stage": ("other", ""), "delay_hours": ("number", "")},
    ),
    "switch a rule": Form(
        "manager",
        lambda w: reverse("survey-builder-rule-active", args=[w.survey.id, w.rule.id]),
        lambda w: {"active": "0"},
        None,
        {"active": ("other", "")},
    ),
    "move a question": Form(
        "manager",
        lambda w: reverse("survey-builder-question-move", args=[w.survey.id, w.questions["csat"].id]),
        lambda w: {"direction": "up"},
        None,
        {"direction": ("other", "")},
    ),
    "work a case": Form(
        "agent",
        lambda w: reverse("follow-up-update", args=[w.agents_case.id]),
        lambda w: {"status": "in_progress", "outcome": "", "note": "Called, left a message."},
        lambda w: FollowUp.objects.get(pk=w.agents_case.pk),
        {"status": ("other", ""), "outcome": ("text", "outcome"), "note": ("note", "notes")},
    ),
    "assign a case": Form(
        "manager",
        lambda w: reverse("follow-up-assign", args=[w.queue_case.id]),
        lambda w: {"assignee": w.agent.id},
        None,
        {"assignee": ("number", "")},
    ),
    "new journey map": Form(
        "manager",
        lambda w: reverse("journey-map-create"),
        lambda w: {"name": f"Journey map {next(_serial)}", "description": "Online orders."},
        latest(JourneyMap),
        {"name": ("text", "name"), "description": ("text", "description")},
    ),
    "edit a journey map": Form(
        "manager",
        lambda w: reverse("journey-map-edit", args=[w.journey_map.id]),
        _journey_map_data,
        lambda w: JourneyMap.objects.get(pk=w.journey_map.pk),
        JOURNEY_MAP_FIELDS,
    ),
    "answer a survey": Form(None, _fresh_link, _answers, _latest_text_answer, ANSWER_FIELDS),
    "import a file": Form(
        "manager",
        lambda w: reverse("csv-import"),
        lambda w: {"kind": "customers"},  # the file's cells: the CSV sweeps below
        None,
        {"kind": ("other", ""), "file": ("other", "")},
    ),
    "erase a customer": Form(
        "manager",
        lambda w: reverse("customer-erase", args=[w.customer.id]),
        lambda w: {"confirm": "not-this-one"},  # a nasty value is never C-1: nothing is erased
        None,
        {"confirm": ("text", "")},
    ),
}


# Numbers at the edges, as a form carries them (text); the core strings hold "NaN" and 400 nines.
FORM_NUMBERS = ("zero", "negative", "beyond-int64", "huge", "float-tiny", "text-infinity", "text-exp")


def values_for(kind: str) -> dict[str, object]:
    """A text field gets the core strings; a number field the numbers at the edges (the core
    strings are no numbers: the all-at-once sweep sends them); both get the form's shapes."""
    if kind == "number":
        values = {name: nasty.STRINGS[name] for name in ("empty", "nan", "long-number")}
        values |= {f"number:{name}": str(nasty.NUMBERS[name]) for name in FORM_NUMBERS}
    else:
        values = {name: nasty.STRINGS[name] for name in nasty.CORE_STRINGS}
    return values | FORM_SHAPES


def with_values(world, data: dict, keys, value) -> dict:
    """``data`` with ``value`` in the fields ``keys`` (left out for MISSING)."""
    data = dict(data)
    for key in keys:
        name = field_name(world, key)
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def stored_at(record, path: str):
    value = record
    for part in path.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part, "")  # an empty text is not kept in a per-language map
        else:
            value = getattr(value, part)
    return value


def shows_form_errors(response) -> bool:
    """Whether the page says what was wrong: a bound form with errors, the survey page's error
    rows, or a plain 400 whose body names the problem."""
    if response.context is None:
        return response.status_code == 400 and bool(response.content.strip())
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    for context in contexts:
        flat = context.flatten()
        if flat.get("error_rows") or flat.get("form_error"):
            return True
        if any(isinstance(value, BaseForm) and value.is_bound and value.errors for value in flat.values()):
            return True
    return False


def sent_text(data: dict, name: str):
    """The text a field carried (the last of repeated values, as Django reads it), or None."""
    value = data.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def check_post(form: Form, world, client, data: dict, keys) -> list[str]:
    """What is wrong with the answer to one post of ``data`` (whose ``keys`` fields are nasty)."""
    path = form.path(world)
    before = db_state()
    response = client.post(path, data)
    if response.status_code >= 500:
        return [f"{response.status_code}"]
    if response.status_code != 302:
        problems = []
        if db_state() != before:
            problems.append(f"refused with {response.status_code} but rows changed")
        if not shows_form_errors(response):
            problems.append(f"refused with {response.status_code} and no form error")
        return problems
    if form.record is None:
        return []
    record = form.record(world)
    problems = []
    for key in keys:
        kind, stored = form.fields[key]
        sent = sent_text(data, field_name(world, key))
        if sent is None or kind not in ("text", "note"):
            continue
        value = stored_at(record, stored)
        if kind == "text" and value != sent.strip():
            problems.append(f"{key} accepted, stored {value!r:.80}")
        if kind == "note" and sent.strip() and not value.endswith(sent.strip()):
            problems.append(f"{key} accepted, notes end {value[-80:]!r}")
    return problems


def client_for(form: Form, world):
    return signed_in(getattr(world, form.user) if form.user else None)


# Fields whose accepted values are compared, or that take numbers, get the core one by one;
# choices, references and flags get it all at once (no nasty value is one of their few valid ones).
COMPARED = ("text", "note", "number")


# Forms whose fields the per-field sweep covers through another use of the same form class
# (editing validates as creating); the all-at-once and whole-corpus sweeps still reach them.
SAME_FIELDS_AS = {"edit survey": "new survey", "edit question": "new rating question"}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        (name, key)
        for name, form in FORMS.items()
        if name not in SAME_FIELDS_AS
        for key, (kind, _) in form.fields.items()
        if kind in COMPARED
    ],
)
def test_every_form_field_refuses_with_a_form_error_or_stores_exactly(world, name, key):
    form = FORMS[name]
    client = client_for(form, world)
    problems = []
    for value_name, value in values_for(form.fields[key][0]).items():
        data = with_values(world, form.data(world), [key], value)
        problems += [f"{value_name}: {problem}" for problem in check_post(form, world, client, data, [key])]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", FORMS)
def test_every_field_of_a_form_at_once(world, name):
    form = FORMS[name]
    client = client_for(form, world)
    problems = []
    for value_name, value in values_for("other").items():
        data = with_values(world, form.data(world), form.fields, value)
        problems += [
            f"{value_name}: {problem}" for problem in check_post(form, world, client, data, list(form.fields))
        ]
    assert not problems, "\n".join(problems)


def text_keys(form: Form) -> list[str]:
    return [key for key, (kind, _) in form.fields.items() if kind in ("text", "note")]


@pytest.mark.parametrize("name", [name for name, form in FORMS.items() if text_keys(form)])
def test_the_whole_corpus_in_every_text_field_of_a_form(world, name):
    form = FORMS[name]
    client = client_for(form, world)
    keys = text_keys(form)
    problems = []
    for value_name, value in nasty.STRINGS.items():
        data = with_values(world, form.data(world), keys, value)
        problems += [f"{value_name}: {problem}" for problem in check_post(form, world, client, data, keys)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", FORMS)
def test_undecodable_bytes_in_a_form_post_are_no_server_error(world, name):
    """Bytes that are not UTF-8 (a lone surrogate's CESU-8 bytes, a stray 0xFF) are read as
    replacement characters, never as a crash."""
    form = FORMS[name]
    client = client_for(form, world)
    for raw in (b"\xed\xa0\x80", b"\xff\xfe", b"%ED%A0%80", b"a%00b"):
        path = form.path(world)
        encoded = urlencode(form.data(world), doseq=True).encode()
        for key in form.fields:
            encoded += b"&" + quote(field_name(world, key)).encode() + b"=" + raw
        before = db_state()
        response = client.post(path, encoded, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (raw, response.status_code)
        if response.status_code != 302:
            assert db_state() == before, raw


# --- the CSV import ------------------------------------------------------------------------------


def csv_file(header: list[str], rows: list[list[str]]) -> SimpleUploadedFile:
    """A CSV upload written by the csv module (quotes, commas and line breaks inside cells)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("data.csv", out.getvalue().encode(), content_type="text/csv")


CUSTOMER_ROW = {
    "external_id": "IMP-{n}",
    "name": "Imported {n}",
    "email": "imp{n}@example.com",
    "phone": "+1 202 555 0100",
    "locale": "en",
    "segment": "consumer",
    "value_tier": "gold",
    "email_opt_out": "false",
}
INTERACTION_ROW = {
    "customer_external_id": "C-1",
    "touchpoint_code": "delivery",
    "occurred_at": "2025-03-02T14:05:00+00:00",
    "external_id": "IMPCALL-{n}",
    "channel": "phone",
    "agent": "alex",
    "category": "Row {n}",
    "outcome": "resolved",
    "notes": "Imported note",
    "experience_score": "6",
    "expected_value": "2",
    "actual_value": "3",
}
CSV_KINDS = {"customers": CUSTOMER_ROW, "interactions": INTERACTION_ROW}
CSV_TEXT = {"external_id", "name", "segment", "category", "notes"}  # a phone is stored in E.164


def _imported(kind: str, column: str, n: int):
    """The row stored from file row ``n``, found by a column other than the nasty one."""
    if kind == "customers":
        if column == "external_id":
            return Customer.objects.filter(name=f"Imported {n}").first()
        return Customer.objects.filter(external_id=f"IMP-{n}").first()
    if column == "category":
        return Interaction.objects.filter(external_id=f"IMPCALL-{n}").first()
    return Interaction.objects.filter(category=f"Row {n}").first()


def _csv_values(column: str) -> dict[str, str]:
    """The whole corpus and the numbers as cells; for a key column, one value per key (a later
    row with the same key updates the earlier, by design)."""
    values = {**nasty.STRINGS, **{f"number:{k}": str(v) for k, v in nasty.NUMBERS.items()}}
    if column != "external_id":
        return values
    kept, keys = {}, set()
    for name, value in values.items():
        if value.strip() not in keys:
            kept[name] = value
            keys.add(value.strip())
    return kept


@pytest.mark.parametrize(
    ("kind", "column"), [(kind, column) for kind, row in CSV_KINDS.items() for column in row]
)
def test_every_csv_cell_is_refused_per_row_or_stored_exactly(world, kind, column):
    """One file per column: a row per nasty value, then a good row. A nasty cell refuses its
    row (reported with a reason) and stores nothing of it; the good row is stored; an accepted
    cell is stored as written, trimmed."""
    values = _csv_values(column)
    template = CSV_KINDS[kind]
    rows = [
        {name: cell.format(n=n) for name, cell in template.items()} | {column: value}
        for n, value in enumerate(values.values(), start=2)
    ]
    good_row = len(rows) + 2
    rows.append({name: cell.format(n=good_row) for name, cell in template.items()})
    response = signed_in(world.manager).post(
        reverse("csv-import"),
        {"kind": kind, "file": csv_file(list(template), [list(row.values()) for row in rows])},
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report is not None, response.context["form"].errors
    refused = {error.row for error in report.errors}
    assert all(error.reason for error in report.errors)
    assert good_row not in refused and _imported(kind, column, good_row) is not None
    assert report.stored == len(rows) - len(refused)
    problems = []
    for n, (name, value) in enumerate(values.items(), start=2):
        stored = _imported(kind, column, n)
        if n in refused:
            if stored is not None:
                problems.append(f"{name}: refused but stored")
        elif stored is None:
            problems.append(f"{name}: neither refused nor stored")
        elif column in CSV_TEXT:
            expected = value.strip() or (None if column == "external_id" and kind == "interactions" else "")
            if getattr(stored, column) != expected:
                problems.append(f"{name}: accepted, stored {getattr(stored, column)!r:.60}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "content", [b"\xff\xfe\x00n\x00a", b"external_id,name\n\xed\xa0\x80,x\n", b"", b"\x00" * 100]
)
def test_a_file_that_is_not_utf8_text_is_a_form_error(world, content):
    before = db_state()
    upload = SimpleUploadedFile("data.csv", content, content_type="text/csv")
    response = signed_in(world.manager).post(reverse("csv-import"), {"kind": "customers", "file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert db_state() == before


# --- query strings and tokens ------------------------------------------------------------------

# What every query parameter gets (with two numbers past the edges): an empty parameter is the
# page's default view, which the access matrix opens.
QUERY_STRINGS = (
    "huge",
    "nul-inside",
    "control-chars",
    "rtl-override",
    "combining",
    "html-script",
    "long-number",
)
DASHBOARD_FILTERS = [
    *("period", "start", "end", "survey", "stage", "touchpoint"),
    *("channel", "segment", "value_tier", "interval"),
]
# Pages that read query parameters: who opens them, their arguments, and the parameters they
# read in groups sent at once (free text that reaches a query goes alone: a refused neighbour
# would hide it).
QUERY_PAGES = {
    "customer-search": ("agent", None, [["q"]]),
    "customer-search-results": ("agent", None, [["q"]]),
    "customer-detail": ("agent", lambda w: {"customer_id": w.customer.id}, [["before"]]),
    "follow-up-list": ("agent", None, [["scope", "assignee", "page"]]),
    "dashboard-overview": ("manager", None, [DASHBOARD_FILTERS]),
    "dashboard-touchpoints": ("manager", None, [["segment", "start", "end"]]),
    "dashboard-touchpoint-detail": (
        "manager",
        lambda w: {"touchpoint_id": w.delivery.id},
        [["period", "channel"]],
    ),
    "dashboard-journeys": ("manager", None, [["journey_map", "segment"]]),
    "dashboard-drivers": ("manager", None, [["survey", "value_tier"]]),
    "dashboard-comments": ("manager", None, [["q"], ["page", "survey"]]),
    "dashboard-export": ("manager", lambda w: {"slug": "overview", "fmt": "csv"}, [["table", "start"]]),
    "survey-preview": ("manager", lambda w: {"survey_id": w.survey.id}, [["lang"]]),
    "survey-answer": (None, lambda w: {"token": w.token}, [["lang"]]),
    "survey-unsubscribe": (None, lambda w: {"token": w.token}, [["lang"]]),
    "survey-thanks": (None, None, [["lang"]]),
    "login": (None, None, [["next"]]),
    "audit-log": ("manager", None, [["action", "page"]]),
}


@pytest.mark.parametrize("page", QUERY_PAGES)
def test_nasty_query_strings_render_the_page_or_its_errors(world, page):
    """A filter form checks each field on its own, so one nasty value in all of a group's
    parameters finds a crash in any of them."""
    who, kwargs, groups = QUERY_PAGES[page]
    client = signed_in(getattr(world, who) if who else None)
    path = reverse(page, kwargs=kwargs(world) if kwargs else None)
    values = {name: nasty.STRINGS[name] for name in QUERY_STRINGS}
    values |= {f"number:{name}": str(nasty.NUMBERS[name]) for name in ("beyond-int64", "text-exp")}
    problems = []
    for group, (value_name, value) in itertools.product(groups, values.items()):
        before = db_state()
        response = client.get(path, dict.fromkeys(group, value))
        if response.status_code not in (200, 302, 400, 404):
            problems.append(f"{value_name}: {response.status_code}")
        elif page != "survey-answer" and db_state() != before:  # opening a survey link is recorded
            problems.append(f"{value_name}: a GET changed rows")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", ["survey-answer", "survey-unsubscribe"])
def test_nasty_tokens_get_the_neutral_page_and_change_nothing(world, page):
    client = signed_in(None)
    problems = []
    for value_name, value in nasty.STRINGS.items():
        if not value.strip():
            continue
        path = f"{reverse(page, args=['T'])[:-2]}{quote(value, safe='')}/"
        for method in ("get", "post"):
            before = db_state()
            response = getattr(client, method)(path)
            if response.status_code not in (404, 301) or db_state() != before:
                problems.append(f"{method} {value_name}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_an_answered_token_posted_again_is_refused_politely(world):
    before = db_state()
    response = signed_in(None).post(reverse("survey-answer", args=[world.answered_token]), {"lang": "en"})
    assert response.status_code == 409
    assert db_state() == before


def test_a_refused_change_to_an_overdue_case_leaves_every_column_as_it_was(world):
    case = world.agents_case
    case.opened_at, case.due_at = world.now - timedelta(days=3), world.now - timedelta(days=1)
    case.save(update_fields=["opened_at", "due_at"])
    before = db_state()
    response = signed_in(world.agent).post(
        reverse("follow-up-update", args=[case.id]), {"status": "open", "note": "x" * 5000}
    )
    assert response.status_code == 200 and response.context["progress_form"].errors
    assert db_state() == before
