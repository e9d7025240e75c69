"""Phone numbers are stored in E.164 by every writer: the model (admin), the CSV import, the demo,
and the migration that normalised the rows stored before (the API's are in tests/api)."""

import io
import json
import os
import random
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from demo.services.people import customer_draft
from tests.factories import CustomerFactory
from touchpoints.csv import csv_import
from touchpoints.models import Customer
from touchpoints.phones import phone_digits, phone_e164

ROOT = Path(__file__).resolve().parents[2]
E164 = re.compile(r"\+[1-9]\d{6,14}")


@pytest.mark.parametrize(
    "written",
    [
        "+44 7700 900496",
        "+447700900496",
        "07700 900496",
        "7700900496",
        "0044 7700 900496",
        "+44 (0)7700 900496",
        "(07700) 900-496",
        " +44 7700.900.496 ",
    ],
)
def test_every_way_of_writing_a_number_is_one_e164_number(settings, written):
    settings.PHONE_DEFAULT_REGION = "GB"

    assert phone_e164(written) == "+447700900496"


def test_a_number_without_country_code_belongs_to_the_default_region(settings):
    settings.PHONE_DEFAULT_REGION = "US"

    assert phone_e164("(202) 555-0100") == "+12025550100"
    assert phone_e164("+44 20 7946 0000") == "+442079460000"  # a country code wins


def test_without_a_default_region_every_number_needs_its_country_code(settings):
    settings.PHONE_DEFAULT_REGION = ""

    assert phone_e164("+86 138 0013 8000") == "+8613800138000"
    with pytest.raises(ValidationError):
        phone_e164("07700 900496")


@pytest.mark.parametrize(
    "not_a_number",
    [
        "call reception",
        "+44 7700 900496 ext. 12",  # E.164 has no extension: refused, not silently dropped
        "1-800-FLOWERS",
        "12345",
        "12345678",  # possible only as a local number (no area code): names no line
        "+44 7700 900496 1234567",
        "+999 1234 5678",
    ],
)
def test_what_is_not_a_possible_number_is_refused(settings, not_a_number):
    settings.PHONE_DEFAULT_REGION = "GB"

    with pytest.raises(ValidationError) as refused:
        phone_e164(not_a_number)
    assert refused.value.code == "invalid"


def test_blank_stays_blank_and_e164_stays_as_it_is():
    assert phone_e164("  ") == ""
    assert phone_e164("+8613800138000") == "+8613800138000"


def test_the_digits_of_a_partial_number_are_those_of_e164():
    assert phone_digits("07700 900") == "7700900"
    assert phone_digits("+44 7700") == "447700"
    assert phone_digits("grace") == ""


@pytest.mark.django_db
def test_cleaning_a_customer_stores_its_phone_in_e164_and_names_phone_when_invalid():
    customer = Customer(external_id="C-1", name="Ada", phone="07700 900496")
    customer.full_clean()
    assert customer.phone == "+447700900496"

    customer.phone = "not a phone"
    with pytest.raises(ValidationError) as refused:
        customer.full_clean()
    assert set(refused.value.message_dict) == {"phone"}


@pytest.mark.django_db
def test_the_admin_stores_e164_and_refuses_an_invalid_phone(admin_client):
    customer = CustomerFactory(external_id="C-1", name="Ada")
    url = reverse("admin:touchpoints_customer_change", args=[customer.id])
    form = {
        "external_id": "C-1",
        "name": "Ada",
        "email": "",
        "locale": "en",
        "segment": "",
        "value_tier": "standard",
        "attributes": "{}",
    }

    refused = admin_client.post(url, {**form, "phone": "ring the bell"})
    assert refused.status_code == 200 and "phone" in refused.context["adminform"].form.errors
    stored = admin_client.post(url, {**form, "phone": "07700 900496"})
    assert stored.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "+447700900496"


@pytest.mark.django_db
def test_a_csv_import_stores_e164_and_refuses_a_row_with_an_invalid_phone():
    report = csv_import(
        kind="customers",
        stream=io.StringIO("external_id,name,phone\nC-1,Ada,07700 900496\nC-2,Alan,ask at desk\n"),
    )

    assert (report.created, report.refused) == (1, 1)
    assert [(error.row, error.field) for error in report.errors] == [(3, "phone")]
    assert Customer.objects.get(external_id="C-1").phone == "+447700900496"


def test_demo_customers_get_e164_phones():
    rng, now = random.Random(7), timezone.now()
    phones = [
        customer_draft(rng, n, start=now - timedelta(days=90), now=now).customer.phone for n in range(1, 60)
    ]

    assert all(E164.fullmatch(phone) and phone_e164(phone) == phone for phone in phones), phones
    assert any(p.startswith("+44") for p in phones) and any(p.startswith("+86") for p in phones)


# --- the migration of the rows stored before ------------------------------------------------------

BEFORE = [("touchpoints", "0003_customer_search_trigram")]
AFTER = [("touchpoints", "0004_customer_phone_e164")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_normalises_stored_phones_and_leaves_what_it_cannot_read(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    old = _migrate(BEFORE)
    try:
        stored = {
            "uk": "+44 7700 900496",
            "national": "07700 900496",
            "cn": "+86 138 0013 8000",
            "e164": "+442079460000",
            "text": "call reception",
            "extension": "+44 20 7946 0000 ext 12",
            "blank": "",
        }
        old_customer = old.get_model("touchpoints", "Customer")
        for key, phone in stored.items():
            old_customer.objects.create(external_id=key, name=key, phone=phone)

        _migrate(AFTER)

        assert dict(Customer.objects.values_list("external_id", "phone")) == {
            "uk": "+447700900496",
            "national": "+447700900496",
            "cn": "+8613800138000",
            "e164": "+442079460000",
            "text": "call reception",
            "extension": "+44 20 7946 0000 ext 12",
            "blank": "",
        }
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())


# --- the setting -------------------------------------------------------------------------------


def _region(value: str | None) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k != "PHONE_DEFAULT_REGION"}
    if value is not None:
        environment["PHONE_DEFAULT_REGION"] = value
    environment["DJANGO_SETTINGS_MODULE"] = "cem.settings"
    probe = "import django; django.setup()\nfrom django.conf import settings; import json\n"
    probe += "print(json.dumps(settings.PHONE_DEFAULT_REGION))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    return result.returncode, (
        json.loads(result.stdout.splitlines()[-1]) if not result.returncode else result.stderr
    )


def test_the_default_region_is_gb_read_from_the_environment_and_checked_at_start_up():
    assert _region(None) == (0, "GB")
    assert _region("us") == (0, "US")
    assert _region("") == (0, "")
    code, error = _region("XX")
    assert code != 0 and "PHONE_DEFAULT_REGION" in error


@pytest.mark.django_db
def test_the_admin_search_finds_a_phone_written_as_caller_id_shows_it(admin_client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    CustomerFactory(name="Grace Hopper", phone="+447700900496")
    CustomerFactory(name="Ada Lovelace", phone="+442079460000")

    response = admin_client.get(reverse("admin:touchpoints_customer_changelist"), {"q": "07700 900496"})

    assert [c.name for c in response.context["cl"].result_list] == ["Grace Hopper"]
