"""The journey-map editor refuses what no map may be, with form errors, and writes nothing then."""

import pytest
from django.core.exceptions import ValidationError

from journeys.services import StepSpec, journey_map_update
from touchpoints.models import Touchpoint

from .test_editor import edit_url, editor_data, saved_steps, step

pytestmark = pytest.mark.django_db


# --- validation: form errors, nothing half written ---------------------------------------------


def _refused(response):
    assert response.status_code == 200
    editor = response.context["editor"]
    return {"form": dict(editor.form.errors), "above": editor.errors_above()}


def test_a_map_without_steps_is_refused(manager_client, draft):
    errors = _refused(manager_client.post(edit_url(draft), editor_data(draft, [])))

    assert errors["above"] == ["A journey map needs at least one step: add a touchpoint."]


def test_a_touchpoint_twice_is_refused_and_nothing_is_written(manager_client, draft, catalogue):
    c = catalogue
    manager_client.post(edit_url(draft), editor_data(draft, [step(c["browse"])]))
    data = editor_data(draft, [step(c["cart"], floor="2"), step(c["cart"])], name="Renamed", timeout_days=9)

    errors = _refused(manager_client.post(edit_url(draft), data))

    assert errors["above"] == ["“Fill the cart” is in the map twice: a touchpoint can be one step only."]
    draft.refresh_from_db()
    assert (draft.name, draft.timeout_days) == ("Online purchase", 30)
    assert saved_steps(draft) == [("browse", 1, False, False)]
    assert Touchpoint.objects.get(code="cart").floor_score is None


def test_positions_with_a_gap_are_refused(manager_client, draft, catalogue):
    rows = [step(catalogue["browse"]), {**step(catalogue["cart"]), "position": 3}]

    errors = _refused(manager_client.post(edit_url(draft), editor_data(draft, rows)))

    assert errors["above"] == ["Step positions must run 1, 2, 3… without gaps or repeats."]


@pytest.mark.parametrize("floor", ["11", "-0.5", "nan", "inf", "seven"])
def test_a_floor_out_of_range_is_a_form_error_on_its_step(manager_client, draft, catalogue, floor):
    response = manager_client.post(
        edit_url(draft), editor_data(draft, [step(catalogue["browse"], floor=floor)])
    )

    assert response.status_code == 200
    assert "floor_score" in response.context["steps"].forms[0].errors
    assert saved_steps(draft) == [] and Touchpoint.objects.get(code="browse").floor_score is None


@pytest.mark.parametrize("timeout", ["0", "366", "", "a week"])
def test_a_timeout_outside_1_to_365_days_is_a_form_error(manager_client, draft, catalogue, timeout):
    data = editor_data(draft, [step(catalogue["browse"])])
    data["timeout_days"] = timeout

    errors = _refused(manager_client.post(edit_url(draft), data))

    assert "timeout_days" in errors["form"]
    assert saved_steps(draft) == []


def test_an_unknown_touchpoint_is_refused(manager_client, draft, catalogue):
    data = editor_data(draft, [step(catalogue["browse"])])
    data["steps-0-touchpoint"] = "999999"

    errors = _refused(manager_client.post(edit_url(draft), data))

    assert errors["above"] == ["There is no touchpoint 999999."]


@pytest.mark.parametrize(
    "tampered",
    [
        {"steps-TOTAL_FORMS": "abc"},
        {"steps-TOTAL_FORMS": "100000"},
        {"steps-0-position": "0"},
        {"steps-0-touchpoint": "x"},
        {"name": ""},
    ],
)
def test_a_tampered_post_is_a_form_error_never_a_server_error(manager_client, draft, catalogue, tampered):
    data = {**editor_data(draft, [step(catalogue["browse"])]), **tampered}

    response = manager_client.post(edit_url(draft), data)

    assert response.status_code == 200
    assert saved_steps(draft) == []


def test_the_service_refuses_what_the_form_would_and_writes_nothing(draft, catalogue):
    with pytest.raises(ValidationError) as refused:
        journey_map_update(
            journey_map=draft,
            name="Online purchase",
            description="",
            timeout_days=30,
            concurrent=False,
            include_outside=False,
            steps=[
                StepSpec(catalogue["browse"].id, 1, floor_score=3),
                StepSpec(catalogue["cart"].id, 2, floor_score=12),
            ],
        )

    assert refused.value.message_dict == {"steps": ["The floor of “Fill the cart” must be between 0 and 10."]}
    assert saved_steps(draft) == [] and Touchpoint.objects.get(code="browse").floor_score is None
