"""``__any`` selects exactly what ``__in`` selects, with one parameter on PostgreSQL."""

import pytest
from django.db import connection

from tests.factories import CustomerFactory
from touchpoints.models import Customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "values",
    [
        ["C-1", "C-3"],
        {"C-2"},
        ["C-1", None, "nobody"],
        [],
        [f"C-{n}" for n in range(1, 1500)],
    ],
)
def test_any_selects_what_in_selects(values):
    for n in (1, 2, 3):
        CustomerFactory(external_id=f"C-{n}")
    by_any = set(Customer.objects.filter(external_id__any=values).values_list("external_id", flat=True))
    by_in = set(Customer.objects.filter(external_id__in=values).values_list("external_id", flat=True))
    assert by_any == by_in


def test_any_of_ids_and_of_a_subquery():
    customers = [CustomerFactory() for _ in range(3)]
    ids = [customers[0].id, customers[2].id]
    assert set(Customer.objects.filter(id__any=ids)) == {customers[0], customers[2]}
    subquery = Customer.objects.filter(id=customers[1].id).values("id")
    assert list(Customer.objects.filter(id__any=subquery)) == [customers[1]]


def test_on_postgresql_a_thousand_values_are_one_parameter():
    sql, params = Customer.objects.filter(
        external_id__any=[f"C-{n}" for n in range(1000)]
    ).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql
        assert len(params) == 1 and len(params[0]) == 1000
    else:
        assert len(params) == 1000
