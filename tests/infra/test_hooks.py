"""Every hook a lower app declares has exactly the receivers its docstring names, connected at start-up."""

import pytest

from infra.hooks import Hook
from journeys import hooks as journey_hooks
from surveys import hooks as survey_hooks
from touchpoints import hooks as ledger_hooks

EXPECTED = {
    ledger_hooks.interactions_added: [
        "journeys.receivers.interactions_added",
        "analytics.receivers.interactions_added",
    ],
    ledger_hooks.interactions_changed: [
        "journeys.receivers.interactions_changed",
        "analytics.receivers.interactions_changed",
    ],
    ledger_hooks.interactions_logged: ["surveys.receivers.survey_rules_offer"],
    ledger_hooks.customers_changed: ["analytics.receivers.customers_changed"],
    ledger_hooks.customers_deleting: ["surveys.receivers.customers_responses_delete"],
    survey_hooks.responses_added: ["analytics.receivers.responses_added"],
    survey_hooks.responses_changed: ["analytics.receivers.responses_changed"],
    survey_hooks.invitations_sent: ["analytics.receivers.invitations_sent"],
    survey_hooks.invitations_changed: ["analytics.receivers.invitations_changed"],
    journey_hooks.journeys_changed: ["analytics.receivers.journeys_changed"],
}


@pytest.mark.parametrize("hook", list(EXPECTED), ids=lambda hook: hook.name)
def test_each_hook_has_the_receivers_it_documents(hook):
    assert hook.receiver_names() == EXPECTED[hook]


def test_every_declared_hook_is_checked_here():
    declared = [
        value
        for module in (ledger_hooks, survey_hooks, journey_hooks)
        for value in vars(module).values()
        if isinstance(value, Hook)
    ]
    assert set(declared) == set(EXPECTED)


def test_a_hook_refuses_arguments_it_does_not_declare():
    hook = Hook("example", ("ids",))
    with pytest.raises(TypeError):
        hook(ids=[1], extra=2)


def test_receivers_run_in_order_and_connecting_twice_runs_once():
    calls = []
    hook = Hook("example", ("ids",))

    def first(*, ids):
        calls.append(("first", ids))

    def second(*, ids):
        calls.append(("second", ids))

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)
    hook(ids=[7])
    assert calls == [("first", [7]), ("second", [7])]
