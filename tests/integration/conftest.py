"""A real Celery worker process, started against the test database and Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from cem import celery_app

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes the tests start."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def worker_environment() -> dict[str, str]:
    """Extra environment for the worker process; a test module overrides it (SMTP, SITE_URL)."""
    return {}


@pytest.fixture
def celery_worker(postgres_and_redis, transactional_db, tmp_path, worker_environment):
    """Start ``celery -A cem worker`` on a queue of its own; tasks go to it, not inline.

    Yields the worker's ``subprocess.Popen``. Its log is printed if the test fails.
    """
    queue = f"cem-test-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": postgres_and_redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "cem.settings",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **worker_environment,
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cem",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        print(f"--- worker log ---\n{log_path.read_text()[-4000:]}")


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; return it, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return None
