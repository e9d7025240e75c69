"""CSV import: upsert by external id, good rows stored and bad ones reported (row, column, reason)
with nothing of them stored, set-based batches, metrics and survey rules; the export download."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from surveys.models import Invitation, SurveyRule
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from touchpoints.csv import CsvFileError, RowError, csv_import
from touchpoints.models import Channel, Customer, Interaction, InteractionSource

pytestmark = pytest.mark.django_db

CUSTOMER_HEADER = "external_id,name,email,phone,locale,segment,value_tier,email_opt_out"


def text_of(*lines: str) -> io.StringIO:
    return io.StringIO("\n".join(lines) + "\n", newline="")


def import_customers(*lines: str, **options):
    return csv_import(kind="customers", stream=text_of(*lines), **options)


def import_interactions(*lines: str, **options):
    return csv_import(kind="interactions", stream=text_of(*lines), **options)


@pytest.fixture
def delivery():
    return TouchpointFactory(code="delivery", name="Delivery", channel=Channel.PHONE, floor_score=4)


# --- Customers ---------------------------------------------------------------------------


def test_customers_are_created_then_updated_by_external_id():
    created = import_customers(
        CUSTOMER_HEADER,
        "C-1,Grace Hopper,Grace@Example.com,+1 202 555 0100,en,enterprise,Gold,false",
        "C-2,Ada Lovelace,ada@example.com,,zh-hans,smb,,",
    )
    updated = import_customers("external_id,name,segment", "C-1,Grace B. Hopper,public_sector")

    assert (created.created, created.updated, updated.created, updated.updated) == (2, 0, 0, 1)
    grace = Customer.objects.get(external_id="C-1")
    assert (grace.name, grace.segment) == ("Grace B. Hopper", "public_sector")
    # Columns the second file did not have are kept.
    assert (grace.email, grace.phone, grace.value_tier) == ("grace@example.com", "+12025550100", "gold")
    ada = Customer.objects.get(external_id="C-2")
    assert (ada.locale, ada.value_tier) == ("zh-hans", "standard")


def test_an_import_with_bad_rows_stores_the_good_ones_and_reports_each_bad_one():
    report = import_customers(
        CUSTOMER_HEADER,
        "C-1,Grace Hopper,grace@example.com,,en,,,",
        ",No Id,noid@example.com,,en,,,",
        "C-3,Bad Email,not-an-email,,en,,,",
        "C-4,Ada Lovelace,ada@example.com,,en,,,",
        "C-5,Bad Tier,t@example.com,,en,,diamond,maybe",
        "C-6,Too,many,cells,here,,,,,",
    )

    assert set(Customer.objects.values_list("external_id", flat=True)) == {"C-1", "C-4"}
    assert (report.rows, report.created, report.refused) == (6, 2, 4)
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error)
    assert [e.field for e in by_row[3]] == ["external_id"]
    assert by_row[4] == [RowError(row=4, field="email", reason="Enter a valid email address.")]
    assert {e.field for e in by_row[6]} == {"value_tier", "email_opt_out"}
    assert "is not one of: standard, silver, gold, platinum" in by_row[6][0].reason
    assert by_row[7][0].field == "" and "10 cells where the header has 8" in by_row[7][0].reason


def test_nothing_of_a_refused_row_is_stored_even_its_valid_cells():
    existing = CustomerFactory(external_id="C-1", name="Grace Hopper", email="old@example.com", segment="smb")

    report = import_customers("external_id,name,email,segment", "C-1,Grace Renamed,broken@,enterprise")

    existing.refresh_from_db()
    assert report.refused == 1
    assert (existing.name, existing.email, existing.segment) == ("Grace Hopper", "old@example.com", "smb")


def test_a_customer_repeated_in_a_file_ends_as_its_last_row():
    import_customers("external_id,name", "C-1,First Name", "C-1,Second Name")

    assert list(Customer.objects.values_list("name", flat=True)) == ["Second Name"]


def test_an_import_may_opt_a_customer_out_but_never_back_in():
    customer = CustomerFactory(external_id="C-1", email_opt_out=True, email_opt_out_at=timezone.now())

    import_customers("external_id,name,email_opt_out", "C-1,Grace,false", "C-2,Ada,true")

    customer.refresh_from_db()
    assert customer.email_opt_out
    ada = Customer.objects.get(external_id="C-2")
    assert ada.email_opt_out and ada.email_opt_out_at is not None


def test_a_new_segment_marks_the_customers_history_stale():
    customer = CustomerFactory(external_id="C-1", segment="smb")
    InteractionFactory(customer=customer)
    StaleMark.objects.all().delete()

    import_customers("external_id,name,segment", f"C-1,{customer.name},enterprise")

    assert StaleMark.objects.filter(kind=StaleKind.INTERACTION_DAY).exists()


def test_a_new_segment_by_csv_restates_the_customers_sent_invitations_as_the_api_does():
    """The unanswered invitations' response-rate slice moves with the segment (it stayed under the old
    segment until a rebuild when the CSV import kept a restatement of its own)."""
    customer = CustomerFactory(external_id="C-1", segment="smb")
    InvitationFactory(customer=customer, sent_at=timezone.now() - timedelta(days=2))
    StaleMark.objects.all().delete()

    import_customers("external_id,name,segment", f"C-1,{customer.name},enterprise")

    assert StaleMark.objects.filter(kind=StaleKind.INVITATION_DAY).exists()


def test_writes_are_set_based_so_queries_do_not_grow_with_rows(django_assert_max_num_queries):
    rows = [f"C-{n},Customer {n},c{n}@example.com" for n in range(300)]
    CustomerFactory(external_id="C-1")

    # A handful per batch, whatever its size (SQLite splits one INSERT into chunks of ~80 rows).
    with django_assert_max_num_queries(10):
        report = import_customers("external_id,name,email", *rows, batch_size=1000)

    assert (report.created, report.updated) == (299, 1)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "The file is empty"),
        ("external_id,email", "missing column(s): name"),
        ("external_id,name,emial", "unknown column(s): emial"),
        ("external_id,name,name", "repeated column(s): name"),
    ],
)
def test_a_file_whose_header_does_not_fit_is_refused_whole(header, message):
    with pytest.raises(CsvFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_customers(header, "C-1,Grace,grace@example.com")
    assert not Customer.objects.exists()


# --- Interactions ------------------------------------------------------------------------------


def test_interactions_reference_customers_by_external_id_and_touchpoints_by_code(delivery):
    customer = CustomerFactory(external_id="C-1")
    agent = UserFactory(username="sam")
    when = timezone.now() - timedelta(days=30)

    report = import_interactions(
        "customer_external_id,touchpoint_code,occurred_at,external_id,agent,outcome,experience_score,notes",
        f"C-1,delivery,{when.isoformat()},CALL-1,sam,Resolved,7.5,Called about the parcel",
    )

    assert (report.created, report.refused) == (1, 0)
    interaction = Interaction.objects.get()
    assert (interaction.customer, interaction.touchpoint, interaction.agent) == (customer, delivery, agent)
    assert (interaction.channel, interaction.outcome, interaction.experience_score) == (
        "phone",
        "resolved",
        7.5,
    )
    assert interaction.occurred_at == when
    assert (interaction.source, interaction.external_id) == (InteractionSource.IMPORT, "CALL-1")


def test_interactions_with_an_external_id_are_upserted_and_keep_their_journey(delivery):
    customer = CustomerFactory(external_id="C-1")
    other = TouchpointFactory(code="store")
    first = InteractionFactory(customer=customer, touchpoint=delivery, external_id="CALL-1", notes="old")
    journey_id = first.journey_id
    when = (timezone.now() - timedelta(days=3)).isoformat()

    report = import_interactions(
        "customer_external_id,touchpoint_code,occurred_at,external_id,notes",
        f"C-1,store,{when},CALL-1,new notes",
        f"C-1,delivery,{when},,no id: always a new one",
        f"C-1,delivery,{when},,no id: always a new one",
    )

    assert (report.created, report.updated) == (2, 1)
    first.refresh_from_db()
    assert (first.touchpoint, first.notes, first.journey_id) == (other, "new notes", journey_id)
    assert Interaction.objects.count() == 3


def test_bad_interaction_rows_are_reported_and_the_good_ones_stored(delivery):
    CustomerFactory(external_id="C-1")
    when = (timezone.now() - timedelta(days=3)).isoformat()
    future = (timezone.now() + timedelta(days=3)).isoformat()

    report = import_interactions(
        "customer_external_id,touchpoint_code,occurred_at,experience_score,expected_value,agent,channel",
        f"C-1,delivery,{when},8,,,",
        f"C-404,delivery,{when},8,,,",
        f"C-1,nowhere,{when},8,,,",
        "C-1,delivery,yesterday,8,,,",
        f"C-1,delivery,{future},8,,,",
        f"C-1,delivery,{when},11,,,",
        f"C-1,delivery,{when},8,3,,",
        f"C-1,delivery,{when},8,,ghost,",
        f"C-1,delivery,{when},8,,,carrier pigeon",
    )

    assert Interaction.objects.count() == 1
    assert (report.created, report.refused) == (1, 8)
    fields = {error.row: error.field for error in report.errors}
    assert fields == {
        3: "customer_external_id",
        4: "touchpoint_code",
        5: "occurred_at",
        6: "occurred_at",
        7: "experience_score",
        8: "expected_value",
        9: "agent",
        10: "channel",
    }
    reasons = {error.row: error.reason for error in report.errors}
    assert reasons[3] == "No customer has external id “C-404”: import the customer first."
    assert "in the future" in reasons[6]
    assert reasons[7] == "Ensure this value is less than or equal to 10."
    assert reasons[8] == "Delivery has no measure: leave expected_value empty."


def test_imported_interactions_mark_metrics_stale_and_open_breach_cases(delivery):
    CustomerFactory(external_id="C-1")
    when = (timezone.now() - timedelta(hours=2)).isoformat()

    import_interactions(
        "customer_external_id,touchpoint_code,occurred_at,experience_score", f"C-1,delivery,{when},1"
    )

    assert StaleMark.objects.filter(kind=StaleKind.INTERACTION_ROW).exists()


def test_survey_rules_invite_for_recent_imported_interactions_only(delivery):
    CustomerFactory(external_id="C-1")
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)
    recent = (timezone.now() - timedelta(hours=2)).isoformat()
    old = (timezone.now() - timedelta(days=30)).isoformat()

    import_interactions(
        "customer_external_id,touchpoint_code,occurred_at,external_id",
        f"C-1,delivery,{recent},RECENT",
        f"C-1,delivery,{old},OLD",
    )

    assert list(Invitation.objects.values_list("interaction__external_id", flat=True)) == ["RECENT"]


def test_interaction_imports_are_set_based_too(delivery, django_assert_max_num_queries):
    for n in range(20):
        CustomerFactory(external_id=f"C-{n}")
    old = (timezone.now() - timedelta(days=30)).isoformat()
    rows = [f"C-{n % 20},delivery,{old},X-{n}" for n in range(200)]

    # 15: the batch's reads and writes, and journeys' one read of the rows and one insert of marks.
    with django_assert_max_num_queries(15):
        report = import_interactions("customer_external_id,touchpoint_code,occurred_at,external_id", *rows)

    assert report.created == 200


# --- Export ------------------------------------------------------------------------------------


def test_the_export_download_is_csv_for_managers(manager_client):
    CustomerFactory(external_id="C-1", name="Grace Hopper")

    response = manager_client.get(reverse("csv-export-customers"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[:2] == [
        CUSTOMER_HEADER,
        "C-1,Grace Hopper,c-1@example.com,,en,consumer,standard,false",
    ]


# --- From the UI and the command line --------------------------------------------------------------


def test_a_manager_uploads_a_file_and_sees_what_was_refused(manager_client):
    upload = io.BytesIO(
        "\ufeffexternal_id,name,email\nC-1,Grace,grace@example.com\nC-2,Ada,broken\n".encode()
    )
    upload.name = "customers.csv"

    response = manager_client.post(reverse("csv-import"), {"kind": "customers", "file": upload})

    html = response.content.decode()
    assert Customer.objects.get().external_id == "C-1"
    assert "<strong>1</strong> created" in html and "<strong>1</strong> refused" in html
    assert "Enter a valid email address." in html


def test_an_upload_that_is_not_utf8_is_refused_with_a_reason(manager_client):
    upload = io.BytesIO("external_id,name\nC-1,Zoë\n".encode("latin-1"))
    upload.name = "customers.csv"

    response = manager_client.post(reverse("csv-import"), {"kind": "customers", "file": upload})

    assert "not UTF-8" in response.content.decode()
    assert not Customer.objects.exists()


def test_the_command_imports_reports_each_bad_row_and_fails(tmp_path, capsys):
    source = tmp_path / "customers.csv"
    source.write_text(
        "external_id,name,email\nC-1,Grace,grace@example.com\nC-2,Ada,broken\n", encoding="utf-8"
    )
    report = tmp_path / "errors.csv"
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 row"):
        call_command("import_csv", "customers", str(source), "--errors", str(report), stdout=out, stderr=err)

    assert Customer.objects.get().external_id == "C-1"
    assert "2 rows read: 1 created, 0 updated, 1 refused." in out.getvalue()
    assert "row 3, email: Enter a valid email address." in err.getvalue()
    assert report.read_text(encoding="utf-8").splitlines() == [
        "row,field,reason",
        "3,email,Enter a valid email address.",
    ]


def test_the_command_succeeds_on_a_clean_file(tmp_path, delivery):
    CustomerFactory(external_id="C-1")
    source = tmp_path / "interactions.csv"
    when = (timezone.now() - timedelta(days=20)).isoformat()
    source.write_text(
        f"customer_external_id,touchpoint_code,occurred_at\nC-1,delivery,{when}\n", encoding="utf-8"
    )
    out = io.StringIO()

    call_command("import_csv", "interactions", str(source), stdout=out)

    assert "1 row read: 1 created" in out.getvalue()
    assert Interaction.objects.count() == 1


def test_an_upload_over_the_size_limit_is_sent_to_the_command_line(manager_client, monkeypatch):
    from touchpoints import forms

    monkeypatch.setattr(forms, "CSV_UPLOAD_MAX_BYTES", 10)
    upload = io.BytesIO(b"external_id,name\nC-1,Grace Hopper\n")
    upload.name = "customers.csv"

    response = manager_client.post(reverse("csv-import"), {"kind": "customers", "file": upload})

    assert "import it with “manage.py import_csv” instead" in response.content.decode()
    assert not Customer.objects.exists()


def test_a_language_the_product_does_not_speak_is_refused_on_its_row_naming_the_languages():
    report = import_customers("external_id,name,locale", "C-1,Grace Hopper,fr", "C-2,Ada Lovelace,zh-hans")

    assert set(Customer.objects.values_list("external_id", flat=True)) == {"C-2"}
    (error,) = report.errors
    assert (error.row, error.field) == (2, "locale")
    assert "not one of the product's languages: en, zh-hans" in error.reason
