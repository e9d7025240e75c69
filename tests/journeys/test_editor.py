"""The journey-map editor: CX managers create maps, compose their steps, rules and floors, preview
what the rules would have matched, publish and withdraw; re-assembly runs with their progress."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journeys.models import AssemblyRun, Journey, JourneyMap, JourneyMapStep
from tests.factories import CustomerFactory, JourneyMapFactory, TouchpointFactory
from touchpoints.models import Stage, Touchpoint
from touchpoints.services import interaction_log

pytestmark = pytest.mark.django_db


def step(touchpoint, *, starts=False, ends=False, floor=""):
    return {"touchpoint": touchpoint.id, "starts": starts, "ends": ends, "floor": floor}


def editor_data(journey_map, steps, *, name=None, timeout_days=30, concurrent=False, include_outside=False):
    """The editor's post: the map's fields and its steps in order (positions 1, 2, …)."""
    data = {
        "name": journey_map.name if name is None else name,
        "description": "",
        "timeout_days": str(timeout_days),
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
    }
    if concurrent:
        data["concurrent"] = "on"
    if include_outside:
        data["include_outside"] = "on"
    for index, row in enumerate(steps):
        data[f"steps-{index}-touchpoint"] = str(row["touchpoint"])
        data[f"steps-{index}-position"] = str(row.get("position", index + 1))
        data[f"steps-{index}-floor_score"] = str(row["floor"])
        if row["starts"]:
            data[f"steps-{index}-starts"] = "on"
        if row["ends"]:
            data[f"steps-{index}-ends"] = "on"
    return data


def edit_url(journey_map):
    return reverse("journey-map-edit", args=[journey_map.id])


def saved_steps(journey_map):
    return list(
        JourneyMapStep.objects.filter(journey_map=journey_map)
        .order_by("position")
        .values_list("touchpoint__code", "position", "starts", "ends")
    )


def log_at(customer, touchpoint, days_ago, **fields):
    return interaction_log(
        customer=customer,
        touchpoint=touchpoint,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


# --- list and create ---------------------------------------------------------------------------


def test_manager_creates_a_draft_map_and_lands_in_its_editor(manager_client):
    response = manager_client.post(
        reverse("journey-map-create"), {"name": " Moving house ", "description": ""}
    )

    journey_map = JourneyMap.objects.get()
    assert response.status_code == 302 and response["Location"] == edit_url(journey_map)
    assert (journey_map.name, journey_map.status, journey_map.steps.count()) == ("Moving house", "draft", 0)
    page = manager_client.get(edit_url(journey_map))
    assert page.status_code == 200 and "No steps yet" in page.content.decode()


def test_a_second_map_of_the_same_name_is_a_form_error(manager_client, draft):
    response = manager_client.post(reverse("journey-map-create"), {"name": "Online purchase"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Another journey map already has this name."]
    assert JourneyMap.objects.count() == 1


def test_the_list_shows_status_steps_journeys_and_last_published(manager_client, catalogue):
    published = JourneyMapFactory(name="Published one", status="published", published_at=timezone.now())
    for position, code in enumerate(("browse", "cart"), start=1):
        JourneyMapStep.objects.create(journey_map=published, touchpoint=catalogue[code], position=position)
    Journey.objects.create(customer=CustomerFactory(), journey_map=published, started_at=timezone.now())
    JourneyMapFactory(name="A draft")

    response = manager_client.get(reverse("journey-map-list"))

    maps = {m.name: m for m in response.context["maps"]}
    assert (maps["Published one"].step_count, maps["Published one"].journey_count) == (2, 1)
    assert (maps["A draft"].step_count, maps["A draft"].journey_count) == (0, 0)
    page = response.content.decode()
    assert "Published one" in page and "status-published" in page and "status-draft" in page


# --- composing steps, rules, floors ----------------------------------------------------------


def test_saving_writes_steps_in_order_with_starts_ends_rules_and_floors(manager_client, draft, catalogue):
    c = catalogue
    data = editor_data(
        draft,
        [
            step(c["browse"], starts=True),
            step(c["cart"]),
            step(c["pay"], floor="4.5"),
            step(c["deliver"], ends=True),
        ],
        timeout_days=14,
        concurrent=True,
        include_outside=True,
    )

    response = manager_client.post(edit_url(draft), data)

    assert response.status_code == 302 and response["Location"] == edit_url(draft)
    assert saved_steps(draft) == [
        ("browse", 1, True, False),
        ("cart", 2, False, False),
        ("pay", 3, False, False),
        ("deliver", 4, False, True),
    ]
    draft.refresh_from_db()
    assert (draft.timeout_days, draft.concurrent, draft.include_outside) == (14, True, True)
    assert Touchpoint.objects.get(code="pay").floor_score == 4.5
    assert not AssemblyRun.objects.exists()  # a draft assembles nothing


def test_reordered_and_removed_steps_are_saved_as_posted(manager_client, draft, catalogue):
    c = catalogue
    manager_client.post(
        edit_url(draft), editor_data(draft, [step(c["browse"]), step(c["cart"]), step(c["pay"])])
    )

    # As the script posts after moving "pay" up and removing "cart": rows renumbered in order.
    manager_client.post(edit_url(draft), editor_data(draft, [step(c["pay"]), step(c["browse"])]))

    assert saved_steps(draft) == [("pay", 1, False, False), ("browse", 2, False, False)]


def test_a_floor_left_empty_clears_it_and_an_unchanged_one_is_not_rewritten(manager_client, draft, catalogue):
    deliver = catalogue["deliver"]
    Touchpoint.objects.filter(id=deliver.id).update(floor_score=6)
    Touchpoint.objects.filter(id=catalogue["browse"].id).update(floor_score=5)
    data = editor_data(draft, [step(catalogue["browse"], floor="5"), step(deliver, floor="")])

    manager_client.post(edit_url(draft), data)

    floors = dict(
        Touchpoint.objects.filter(code__in=["browse", "deliver"]).values_list("code", "floor_score")
    )
    assert floors == {"browse": 5.0, "deliver": None}


def test_the_editor_shows_the_saved_map_with_each_touchpoints_floor(manager_client, draft, catalogue):
    rows = [step(catalogue["browse"]), step(catalogue["deliver"], floor="7")]
    manager_client.post(edit_url(draft), editor_data(draft, rows))

    response = manager_client.get(edit_url(draft))

    forms = response.context["steps"].forms
    assert [f.step_touchpoint.code for f in forms] == ["browse", "deliver"]
    assert [f.initial["floor_score"] for f in forms] == [None, 7.0]
    page = response.content.decode()
    # Already steps: not offered again by the "add" control.
    assert f'value="{catalogue["browse"].id}" data-name="Browse the shop"' in page
    assert "disabled>Browse the shop" in page and ">Pay · " in page


# --- the buttons without script: the working copy changes, the map does not ------------------


def test_add_without_script_shows_the_new_step_unsaved(manager_client, draft, catalogue):
    data = editor_data(draft, [step(catalogue["browse"])])
    data.update(add="1", add_touchpoint=str(catalogue["deliver"].id))

    response = manager_client.post(edit_url(draft), data)

    assert response.status_code == 200
    forms = response.context["steps"].forms
    assert [(str(f.initial["touchpoint"]), f.initial["position"]) for f in forms] == [
        (str(catalogue["browse"].id), 1),
        (str(catalogue["deliver"].id), 2),
    ]
    assert response.context["editor"].changed and "Unsaved changes" in response.content.decode()
    assert saved_steps(draft) == []


def test_adding_a_touchpoint_already_in_the_map_is_refused_beside_the_control(
    manager_client, draft, catalogue
):
    data = editor_data(draft, [step(catalogue["browse"])])
    data.update(add="1", add_touchpoint=str(catalogue["browse"].id))

    response = manager_client.post(edit_url(draft), data)

    assert response.context["editor"].add_error_message == "“Browse the shop” is already a step of this map."
    assert len(response.context["steps"].forms) == 1


def test_move_and_remove_without_script_keep_what_was_typed(manager_client, draft, catalogue):
    c = catalogue
    data = editor_data(draft, [step(c["browse"], starts=True), step(c["cart"], floor="3"), step(c["pay"])])

    moved = manager_client.post(edit_url(draft), {**data, "move": "1:up"})
    rows = [f.initial for f in moved.context["steps"].forms]
    assert [(r["touchpoint"], r["position"], r["floor_score"]) for r in rows] == [
        (str(c["cart"].id), 1, "3"),
        (str(c["browse"].id), 2, ""),
        (str(c["pay"].id), 3, ""),
    ]
    assert rows[1]["starts"] is True
    assert 'value="0:up"' in moved.content.decode().split("autofocus")[0][-400:]

    removed = manager_client.post(edit_url(draft), {**data, "remove": "0"})
    assert [f.initial["touchpoint"] for f in removed.context["steps"].forms] == [
        str(c["cart"].id),
        str(c["pay"].id),
    ]
    assert saved_steps(draft) == []


@pytest.mark.parametrize(
    "extra",
    [{"move": "0:up"}, {"move": "9:down"}, {"move": "x"}, {"remove": "-1"}, {"remove": "zz"}, {"add": "1"}],
)
def test_a_step_button_out_of_range_changes_nothing_and_is_no_error(manager_client, draft, catalogue, extra):
    data = editor_data(draft, [step(catalogue["browse"]), step(catalogue["cart"])])

    response = manager_client.post(edit_url(draft), {**data, **extra})

    assert response.status_code == 200
    assert [f.initial["position"] for f in response.context["steps"].forms] == [1, 2]


# --- who may -------------------------------------------------------------------------------------


def _pages(journey_map, run):
    return [
        ("get", reverse("journey-map-list")),
        ("get", reverse("journey-map-create")),
        ("post", reverse("journey-map-create")),
        ("get", edit_url(journey_map)),
        ("post", edit_url(journey_map)),
        ("post", reverse("journey-map-preview", args=[journey_map.id])),
        ("post", reverse("journey-map-publish", args=[journey_map.id])),
        ("get", reverse("journey-map-withdraw", args=[journey_map.id])),
        ("post", reverse("journey-map-withdraw", args=[journey_map.id])),
        ("get", reverse("journey-map-run", args=[journey_map.id, run.id])),
        ("get", reverse("journey-map-run-state", args=[journey_map.id, run.id])),
    ]


def test_agents_are_refused_every_editor_page(agent_client, mapped):
    run = AssemblyRun.objects.create(journey_map=mapped)
    answers = {url: getattr(agent_client, method)(url).status_code for method, url in _pages(mapped, run)}

    assert set(answers.values()) == {403}
    assert saved_steps(mapped) and mapped.status == "draft"


def test_anonymous_visitors_are_sent_to_sign_in(client, mapped):
    run = AssemblyRun.objects.create(journey_map=mapped)
    login = reverse("login")
    for method, url in _pages(mapped, run):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


def test_managers_see_the_editor_in_the_navigation_and_agents_do_not(manager, agent):
    pages = {}
    for user in (manager, agent):
        client = Client()
        client.force_login(user)
        pages[user.username] = client.get(reverse("home")).content.decode()

    assert 'href="/journey-maps/">Journey maps</a>' in pages["maya"]
    assert "/journey-maps/" not in pages["alex"]


# --- cost ----------------------------------------------------------------------------------------


def test_the_edit_page_costs_the_same_queries_for_two_steps_or_forty(
    manager_client, draft, catalogue, django_assert_max_num_queries
):
    many = [TouchpointFactory(stage=Stage.MID_SALE) for _ in range(38)]
    rows = [step(catalogue["browse"]), *(step(t, floor="5") for t in many), step(catalogue["deliver"])]
    manager_client.post(edit_url(draft), editor_data(draft, rows))
    small = JourneyMapFactory(name="Small")
    manager_client.post(
        edit_url(small), editor_data(small, [step(catalogue["browse"]), step(catalogue["cart"])])
    )

    for journey_map in (small, draft):
        with django_assert_max_num_queries(8):
            response = manager_client.get(edit_url(journey_map))
        assert response.status_code == 200
    assert len(response.context["steps"].forms) == 40


def test_the_list_costs_the_same_queries_for_any_number_of_maps(
    manager_client, django_assert_max_num_queries
):
    for n in range(15):
        JourneyMapFactory(name=f"Map {n}")

    with django_assert_max_num_queries(5):
        assert manager_client.get(reverse("journey-map-list")).status_code == 200
