"""The admin's JSON fields refuse what PostgreSQL cannot store, with a form error and no row."""

import pytest

from touchpoints.models import Customer

pytestmark = pytest.mark.django_db

UNSTORABLE = {
    "a NUL character": '{"note": "a\\u0000b"}',
    "a lone surrogate": '{"note": "\\ud800"}',
    "deep nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root-admin", password="x-long-password"))
    return client


def _add_customer(client, attributes: str):
    return client.post(
        "/admin/touchpoints/customer/add/",
        {
            "name": "Ada",
            "external_id": "C-ADMIN",
            "locale": "en",
            "segment": "",
            "value_tier": "standard",
            "attributes": attributes,
        },
    )


@pytest.mark.parametrize("attributes", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_unstorable_json_is_a_form_error(staff, attributes):
    response = _add_customer(staff, attributes)
    assert response.status_code == 200
    assert "cannot be stored" in response.content.decode() or "nest too deeply" in response.content.decode()
    assert not Customer.objects.filter(external_id="C-ADMIN").exists()


def test_storable_json_is_saved(staff):
    response = _add_customer(staff, '{"note": "emoji \\ud83d\\ude00 and text"}')
    assert response.status_code == 302, response.content[:500]
    assert Customer.objects.get(external_id="C-ADMIN").attributes == {"note": "emoji \U0001f600 and text"}
