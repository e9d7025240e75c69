"""Generated hostile input (hypothesis): any text, any JSON value, in any field of any write,
form or CSV file. The same promises as the corpus sweeps: never a 500; a refusal is a 4xx in
the error shape (or a form error) and stores nothing; accepted text is stored as sent, trimmed.

Few examples per test (the whole package has a time budget) and no example database (nothing
is written to the working tree); a failure prints the example to replay.
"""

import io
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from api.parsers import JSONParser
from infra.json_values import MAX_DEPTH
from touchpoints import csv as csv_files
from touchpoints.models import Customer, Interaction

from . import nasty
from .conftest import db_state, send_json, signed_in
from .test_api_input import BULKS, WRITES, check_write, is_error_entry, put_path
from .test_form_input import FORMS, check_post, client_for, csv_file, field_name

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@examples
@given(data=st.data())
def test_any_json_value_in_any_field_of_any_write(api, world, data):
    write = data.draw(st.sampled_from(sorted(WRITES)), label="write")
    spec = WRITES[write]
    field = data.draw(st.sampled_from(sorted(spec.fields)), label="field")
    value = data.draw(nasty.json_value(), label="value")
    body = put_path(spec.body(world), field, value)
    before = db_state()
    response = send_json(api, spec.method, spec.path(world), body)
    assert not check_write(spec, world, body, response, before, [field])


@examples
@given(data=st.data())
def test_any_bulk_items_get_one_result_each(api, world, data):
    bulk = data.draw(st.sampled_from(sorted(BULKS)), label="bulk")
    path, make_item, _record, fields = BULKS[bulk]
    items = []
    for _ in range(data.draw(st.integers(1, 4), label="items")):
        item = make_item(world)
        for field in data.draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
            put_path(item, field, data.draw(nasty.json_value(surrogates=False)))
        items.append(data.draw(st.one_of(st.just(item), nasty.json_value(surrogates=False)), label="item"))
    rows = Customer.objects.count() + Interaction.objects.count()
    response = send_json(api, "post", path, {"items": items})
    assert response.status_code == 200, response.content[:300]
    results = response.json()["results"]
    assert [result["index"] for result in results] == list(range(len(items)))
    for result in results:
        if result["status"] == "error":
            assert all(is_error_entry(entry) for entry in result["errors"]), result
    created = [result["status"] for result in results].count("created")
    assert Customer.objects.count() + Interaction.objects.count() == rows + created


@examples
@given(data=st.data())
def test_any_text_in_any_field_of_any_form(world, data):
    name = data.draw(st.sampled_from(sorted(FORMS)), label="form")
    form = FORMS[name]
    key = data.draw(st.sampled_from(sorted(form.fields)), label="field")
    value = data.draw(nasty.text(surrogates=False), label="value")
    payload = form.data(world) | {field_name(world, key): value}
    assert not check_post(form, world, client_for(form, world), payload, [key])


@examples
@given(
    rows=st.lists(
        st.lists(nasty.text(surrogates=False).map(lambda text: text[:500]), min_size=2, max_size=2),
        min_size=1,
        max_size=5,
    )
)
def test_any_cells_in_a_customers_file_are_stored_or_refused_row_by_row(world, rows):
    before = Customer.objects.count()
    response = signed_in(world.manager).post(
        reverse("csv-import"), {"kind": "customers", "file": csv_file(["external_id", "name"], rows)}
    )
    assert response.status_code == 200
    report = response.context["report"]
    if report is None:  # the file as a whole does not fit (e.g. only blank rows): nothing stored
        assert response.context["form"].errors and Customer.objects.count() == before
        return
    assert all(error.reason for error in report.errors)
    assert Customer.objects.count() == before + report.created


@settings(max_examples=200, deadline=None, database=None)
@given(value=nasty.json_value())
def test_the_api_parser_returns_a_json_value_or_refuses_it_whole(value):
    """No database: any JSON text parses back to the value sent, or is a parse error exactly
    when it holds a lone surrogate."""
    text = json.dumps(value)
    try:
        parsed = JSONParser().parse(io.BytesIO(text.encode()))
    except ParseError as error:
        assert "surrogate" in str(error.detail) or "nest" in str(error.detail)
        return
    assert parsed == value


def test_the_api_parser_refuses_nesting_past_its_limit():
    deep = json.dumps(json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH))
    assert JSONParser().parse(io.BytesIO(deep.encode())) is not None
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode()))


def test_the_csv_reader_refuses_a_nul_cell_before_any_query():
    """The row with a NUL is reported by column; the rows beside it are stored."""
    report = csv_files.csv_import(
        kind="customers", stream=io.StringIO("external_id,name\nA-1,Ada\nA-2,Al\x00an\nA-3,Grace\n")
    )
    assert (report.created, [(error.row, error.field) for error in report.errors]) == (2, [(3, "name")])
