"""Fixtures of the journey-map editor's tests (``test_editor*.py``): a touchpoint catalogue, a
draft map, and the draft with four steps."""

import pytest

from journeys.services import StepSpec, journey_map_update
from tests.factories import JourneyMapFactory, TouchpointFactory
from touchpoints.models import Stage


@pytest.fixture
def catalogue():
    """Touchpoints of every stage, by code."""
    rows = [
        ("browse", "Browse the shop", Stage.PRE_SALE),
        ("cart", "Fill the cart", Stage.MID_SALE),
        ("pay", "Pay", Stage.MID_SALE),
        ("deliver", "Delivery", Stage.POST_SALE),
        ("support", "Support call", Stage.POST_SALE),
    ]
    return {code: TouchpointFactory(code=code, name=name, stage=stage) for code, name, stage in rows}


@pytest.fixture
def draft(catalogue):
    return JourneyMapFactory(name="Online purchase", timeout_days=30)


@pytest.fixture
def mapped(draft, catalogue):
    """The draft with four steps (saved through the service: no client signed in)."""
    steps = [
        StepSpec(catalogue[code].id, n) for n, code in enumerate(("browse", "cart", "pay", "deliver"), 1)
    ]
    journey_map_update(
        journey_map=draft,
        name=draft.name,
        description="",
        timeout_days=30,
        concurrent=False,
        include_outside=False,
        steps=steps,
    )
    return draft
