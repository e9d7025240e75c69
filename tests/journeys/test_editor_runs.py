"""Publishing, editing a published map and withdrawing it re-assemble its journeys in the
background (tasks run eagerly here, on commit); the run's page and state show the progress."""

import pytest
from django.urls import reverse

from journeys.models import AssemblyRun, AssemblyRunStatus, Journey, JourneyOrigin
from tests.factories import CustomerFactory, JourneyMapFactory
from touchpoints.models import Touchpoint

from .test_editor import edit_url, editor_data, log_at, step

pytestmark = pytest.mark.django_db


# --- publish, edit when published, withdraw: background re-assembly ------------------------------


def test_publishing_starts_a_run_that_assembles_every_customers_history(
    manager_client, mapped, catalogue, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    log_at(customer, catalogue["browse"], 3, experience_score=8)
    log_at(customer, catalogue["cart"], 2, experience_score=4)
    assert not Journey.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("journey-map-publish", args=[mapped.id]))

    run = AssemblyRun.objects.get()
    assert response["Location"] == reverse("journey-map-run", args=[mapped.id, run.id])
    mapped.refresh_from_db()
    assert (mapped.status, mapped.active) == ("published", True) and mapped.published_at is not None
    assert (run.status, run.done, run.total, run.created_by.username) == ("done", 1, 1, "maya")
    journey = Journey.objects.get()
    assert (journey.origin, journey.status, journey.furthest_step) == (
        JourneyOrigin.ASSEMBLED,
        "in_progress",
        2,
    )

    state = manager_client.get(reverse("journey-map-run-state", args=[mapped.id, run.id])).json()
    assert (state["status"], state["percent"], state["finished"]) == ("done", 100, True)
    assert state["progress_text"] == "1 of 1 customer"
    page = manager_client.get(response["Location"]).content.decode()
    assert 'value="100"' in page and "Back to the map" in page


def test_a_map_without_steps_cannot_be_published(manager_client, draft):
    response = manager_client.post(reverse("journey-map-publish", args=[draft.id]), follow=True)

    draft.refresh_from_db()
    assert draft.status == "draft" and not AssemblyRun.objects.exists()
    assert "Add at least one step before publishing the map." in response.content.decode()


def _publish(client, journey_map, capture):
    with capture(execute=True):
        client.post(reverse("journey-map-publish", args=[journey_map.id]))


def test_editing_a_published_maps_rules_re_makes_its_journeys(
    manager_client, mapped, catalogue, django_capture_on_commit_callbacks
):
    c = catalogue
    customer = CustomerFactory()
    log_at(customer, c["browse"], 3)
    log_at(customer, c["cart"], 2)
    _publish(manager_client, mapped, django_capture_on_commit_callbacks)
    assert Journey.objects.get().status == "in_progress"

    data = editor_data(
        mapped, [step(c["browse"]), step(c["cart"], ends=True), step(c["pay"]), step(c["deliver"])]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(edit_url(mapped), data)

    latest = AssemblyRun.objects.order_by("-id").first()
    assert AssemblyRun.objects.count() == 2 and latest.status == AssemblyRunStatus.DONE
    assert response["Location"] == reverse("journey-map-run", args=[mapped.id, latest.id])
    journey = Journey.objects.get()
    assert (journey.status, journey.furthest_step) == ("completed", 2)


def test_renaming_a_published_map_or_changing_a_floor_starts_no_run(
    manager_client, mapped, catalogue, django_capture_on_commit_callbacks
):
    _publish(manager_client, mapped, django_capture_on_commit_callbacks)
    c = catalogue
    rows = [step(c["browse"]), step(c["cart"]), step(c["pay"], floor="5"), step(c["deliver"])]

    response = manager_client.post(edit_url(mapped), editor_data(mapped, rows, name="Buying online"))

    assert response["Location"] == edit_url(mapped)
    assert AssemblyRun.objects.count() == 1
    assert Touchpoint.objects.get(code="pay").floor_score == 5


def test_withdrawing_asks_first_then_removes_the_assembled_journeys(
    manager_client, mapped, catalogue, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    log_at(customer, catalogue["browse"], 3)
    _publish(manager_client, mapped, django_capture_on_commit_callbacks)
    assert Journey.objects.count() == 1
    url = reverse("journey-map-withdraw", args=[mapped.id])

    asked = manager_client.get(url)
    assert asked.status_code == 200 and Journey.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url)

    mapped.refresh_from_db()
    assert mapped.status == "draft" and not Journey.objects.exists()
    assert AssemblyRun.objects.count() == 2


def test_a_run_of_another_map_is_not_found(manager_client, mapped, django_capture_on_commit_callbacks):
    _publish(manager_client, mapped, django_capture_on_commit_callbacks)
    other = JourneyMapFactory()
    run = AssemblyRun.objects.get()

    assert manager_client.get(reverse("journey-map-run", args=[other.id, run.id])).status_code == 404
    assert manager_client.get(reverse("journey-map-run-state", args=[other.id, run.id])).status_code == 404


def test_a_queued_run_shows_waiting_and_polls(manager_client, mapped):
    run = AssemblyRun.objects.create(journey_map=mapped)

    page = manager_client.get(reverse("journey-map-run", args=[mapped.id, run.id])).content.decode()

    assert "Waiting for a worker to start…" in page
    assert 'http-equiv="refresh"' in page and "data-state-url" in page
