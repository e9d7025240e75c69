"""Every task a service enqueues by name is a registered Celery task (a typo would lose the work)."""

import ast
import re
from pathlib import Path

import pytest

from infra.tasks import registered_task

ROOT = Path(__file__).resolve().parents[2]


def _enqueued_names() -> set[str]:
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text()
        if "enqueue_on_commit(" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "enqueue_on_commit":
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}: name the task with a literal"
                names.add(first.value)
    return names


def test_services_enqueue_some_tasks_by_name():
    assert {"surveys.tasks.invitation_send", "webhooks.tasks.webhook_deliver"} <= _enqueued_names()


@pytest.mark.parametrize("name", sorted(_enqueued_names()))
def test_each_enqueued_name_is_a_registered_task(name):
    assert re.fullmatch(r"[a-z_]+\.tasks\.[a-z_]+", name)
    assert registered_task(name).name == name
