"""Cursor pagination by id: inserts while a client pages cause no gaps and no duplicates."""

import pytest

from tests.factories import CustomerFactory, InteractionFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def _walk(api, url: str, between=None) -> list:
    seen = []
    while url:
        body = api.get(url).json()
        seen += body["results"]
        url = body["next"]
        if between:
            between()
    return seen


def test_paging_while_rows_are_inserted_has_no_gaps_or_duplicates(api):
    before = [CustomerFactory(name="Zed" if i % 2 else "Amy").external_id for i in range(45)]
    inserted = []

    def insert_two():
        # New customers, some sorting before the old ones by name: the page boundary must not shift.
        inserted.extend(CustomerFactory(name=name).external_id for name in ("Aaron", "Zoe"))

    seen = [row["external_id"] for row in _walk(api, "/api/v1/customers/?page_size=10", between=insert_two)]
    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)
    assert set(seen) <= set(before) | set(inserted)


def test_pages_are_oldest_first_and_the_last_has_no_next(api):
    touchpoint = TouchpointFactory()
    ids = [InteractionFactory(touchpoint=touchpoint).id for _ in range(7)]
    first = api.get("/api/v1/interactions/?page_size=5").json()
    assert [row["id"] for row in first["results"]] == ids[:5]
    second = api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == ids[5:] and second["next"] is None
    assert [row["id"] for row in api.get(second["previous"]).json()["results"]] == ids[:5]


def test_page_size_is_capped_at_500(api):
    for _ in range(3):
        CustomerFactory()
    assert len(api.get("/api/v1/customers/?page_size=100000").json()["results"]) == 3
    body = api.get("/api/v1/customers/?page_size=2").json()
    assert len(body["results"]) == 2 and "page_size=2" in body["next"]


def test_filters_apply_across_pages(api):
    for i in range(6):
        CustomerFactory(segment="smb" if i % 2 else "consumer")
    seen = _walk(api, "/api/v1/customers/?segment=smb&page_size=2")
    assert len(seen) == 3 and {row["segment"] for row in seen} == {"smb"}
