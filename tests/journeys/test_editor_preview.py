"""The editor's preview: what a map's rules, saved or not, would have matched over the last 90
days, agreeing with ``journeys.assembly.assemble`` called directly."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys import assembly, selectors
from journeys.selectors import journey_map_preview
from tests.factories import CustomerFactory
from touchpoints.models import Interaction

from .test_editor import edit_url, editor_data, log_at, saved_steps, step

pytestmark = pytest.mark.django_db


# --- preview -------------------------------------------------------------------------------------


@pytest.fixture
def history(catalogue):
    """Interactions of the last months (the map is a draft, so they make no journeys yet)."""
    c = catalogue
    done, gave_up, started, cart_only, too_old, named, twice = (CustomerFactory() for _ in range(7))
    for touchpoint, days in ((c["browse"], 10), (c["cart"], 9), (c["support"], 8.5), (c["deliver"], 8)):
        log_at(done, touchpoint, days)
    log_at(gave_up, c["browse"], 70)
    log_at(gave_up, c["cart"], 65)
    log_at(started, c["browse"], 5)
    log_at(cart_only, c["cart"], 5)
    log_at(too_old, c["browse"], 100)
    log_at(named, c["browse"], 20, journey_ref="ORDER-1")  # a connected system's journey: not assembled
    log_at(twice, c["browse"], 40)
    log_at(twice, c["browse"], 5)
    return c


def _direct(journey_map_id, steps, *, timeout_days):
    """What ``assemble`` makes of the last 90 days of each customer with an interaction at a start
    touchpoint then, called directly on every such customer's interactions."""
    now = timezone.now()
    rules = assembly.MapRules.of(id=journey_map_id, steps=steps, timeout=timedelta(days=timeout_days))
    moments: dict[int, list] = {}
    rows = Interaction.objects.filter(occurred_at__gte=now - timedelta(days=90), journey_ref="")
    for row in rows.values("id", "customer_id", "touchpoint_id", "occurred_at"):
        moment = assembly.Moment(row["id"], row["touchpoint_id"], row["occurred_at"])
        moments.setdefault(row["customer_id"], []).append(moment)
    candidates = [c for c, ms in moments.items() if any(m.touchpoint_id in rules.starts for m in ms)]
    made = {customer: assembly.assemble(moments[customer], [rules], now) for customer in candidates}
    journeys = [journey for per_customer in made.values() for journey in per_customer]
    return {
        "customers": len(candidates),
        "matched": sum(bool(per_customer) for per_customer in made.values()),
        "journeys": len(journeys),
        "completed": sum(j.status == assembly.COMPLETED for j in journeys),
        "abandoned": sum(j.status == assembly.ABANDONED for j in journeys),
        "in_progress": sum(j.status == assembly.IN_PROGRESS for j in journeys),
    }


def _figures(preview):
    names = ("customers", "matched", "journeys", "completed", "abandoned", "in_progress")
    return {name: getattr(preview, name) for name in names}


def test_preview_counts_what_the_draft_rules_would_have_matched(manager_client, draft, history):
    c = history
    data = editor_data(draft, [step(c["browse"]), step(c["cart"]), step(c["deliver"])])

    response = manager_client.post(edit_url(draft), {**data, "action": "preview"})

    assert response.status_code == 200
    preview = response.context["preview"]
    steps = [
        (c["browse"].id, 1, False, False),
        (c["cart"].id, 2, False, False),
        (c["deliver"].id, 3, False, False),
    ]
    assert _figures(preview) == _direct(draft.id, steps, timeout_days=30)
    assert _figures(preview) == {
        "customers": 4,
        "matched": 4,
        "journeys": 5,
        "completed": 1,
        "abandoned": 2,
        "in_progress": 2,
    }
    assert not preview.sampled
    assert saved_steps(draft) == []  # a preview saves nothing
    assert "Customers matched" in response.content.decode()


def test_preview_follows_the_rules_as_posted_not_as_saved(manager_client, draft, history):
    c = history
    # The cart ends the journey, and 60 days of silence are allowed: the one who gave up completed.
    data = editor_data(
        draft, [step(c["browse"]), step(c["cart"], ends=True), step(c["deliver"])], timeout_days=60
    )

    preview = manager_client.post(edit_url(draft), {**data, "action": "preview"}).context["preview"]

    steps = [
        (c["browse"].id, 1, False, False),
        (c["cart"].id, 2, False, True),
        (c["deliver"].id, 3, False, False),
    ]
    assert _figures(preview) == _direct(draft.id, steps, timeout_days=60)
    assert preview.completed == 2


def test_preview_is_capped_and_says_it_is_a_sample(draft, history):
    c = history
    steps = [(c["browse"].id, 1, False, False), (c["cart"].id, 2, False, False)]

    preview = journey_map_preview(
        map_id=draft.id, steps=steps, timeout_days=30, concurrent=False, include_outside=False, cap=2
    )

    assert (preview.customers, preview.customers_total, preview.sampled) == (2, 4, True)


def test_the_preview_panel_alone_for_the_script(manager_client, draft, history):
    url = reverse("journey-map-preview", args=[draft.id])
    data = editor_data(draft, [step(history["browse"]), step(history["cart"])])

    answer = manager_client.post(url, {**data, "action": "preview"})
    refused = manager_client.post(url, {**editor_data(draft, []), "action": "preview"})

    assert answer.status_code == 200 and "data-preview-matched" in answer.content.decode()
    assert "<html" not in answer.content.decode()
    assert refused.status_code == 400 and "at least one step" in refused.content.decode()


def test_a_capped_preview_says_so_on_the_page(manager_client, draft, history, monkeypatch):
    monkeypatch.setattr(selectors, "PREVIEW_CUSTOMERS_MAX", 1)
    data = editor_data(draft, [step(history["browse"])])

    response = manager_client.post(edit_url(draft), {**data, "action": "preview"})

    assert "Based on a sample of 1 of the 4 customers." in response.content.decode()
