"""Real Celery worker processes, started against the test database and a real broker.

Every test that starts a worker runs once per broker, Redis and RabbitMQ (the ``broker`` fixture;
a test may narrow it with ``@pytest.mark.parametrize("broker", ["rabbitmq"], indirect=True)``).
Each test has a set of queues of its own, ``cem-test-<random>-email`` and so on
(``CELERY_QUEUE_PREFIX``): the workers it starts consume them, this process sends to them, and they
are deleted from the broker afterwards.
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection, Exchange, Queue, pools

from cem import celery_app

ROOT = Path(__file__).resolve().parents[2]
BROKERS = ("redis", "rabbitmq")


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


def queue_names() -> list[str]:
    """The project's queues without any prefix: default, email, metrics, webhooks, exports."""
    return [queue.name.removeprefix(settings.CELERY_QUEUE_PREFIX) for queue in settings.CELERY_TASK_QUEUES]


class Workers:
    """The Celery workers of one test, on its own queues, all with one broker and environment."""

    def __init__(self, *, broker: str, environment: dict[str, str], log_dir: Path):
        self.broker = broker
        self.prefix = f"cem-test-{uuid.uuid4().hex[:8]}-"
        self.environment = {**environment, "CELERY_BROKER_URL": broker, "CELERY_QUEUE_PREFIX": self.prefix}
        self.log_dir = log_dir
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def queue(self, name: str) -> Queue:
        """This test's queue ``name`` (email, metrics…), declared as the settings declare it."""
        full = self.prefix + name
        return Queue(full, Exchange(full), routing_key=full)

    def start(self, *queues: str, pool: str = "solo") -> subprocess.Popen:
        """``celery -A cem worker -Q`` this test's ``queues`` (all of them by default), once it is ready."""
        number = len(self.started)
        log_path = self.log_dir / f"worker-{number}.log"
        names = ",".join(self.queue(name).name for name in queues or queue_names())
        command = [sys.executable, "-m", "celery", "-A", "cem", "worker", f"--pool={pool}", "--loglevel=INFO"]
        command += ["--without-gossip", "--without-mingle", "-Q", names, "-n", f"{self.prefix}{number}@%h"]
        if pool == "prefork":
            command.append("--concurrency=1")
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append((worker, log_path))
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        return worker

    def waiting(self, name: str) -> int:
        """How many messages wait in this test's queue ``name``; those a worker holds are not counted."""
        with Connection(self.broker) as broker:
            return self.queue(name)(broker.default_channel).queue_declare().message_count

    def stop(self) -> None:
        """A warm shutdown of every worker still running, then their logs on the test's output."""
        for worker, log_path in self.started:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            print(f"--- {log_path.name} ---\n{log_path.read_text()[-4000:]}")

    def delete_queues(self) -> None:
        """Remove this test's queues and exchanges from the broker, with whatever they still hold."""
        with Connection(self.broker) as broker:
            channel = broker.default_channel
            for name in queue_names():
                queue = self.queue(name)(channel)
                queue.declare()  # Redis deletes only the bindings this connection knows of
                queue.delete()
                queue.exchange.delete()


def _celery_reconfigure(values: dict) -> None:
    """Set these Celery settings in this process, dropping what Celery built from the old ones: its
    broker connections, queue declarations and routes (rebuilt on the next send)."""
    pools.reset()  # closes every pooled broker connection and forgets the pools
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    celery_app.conf.update(values)


@contextlib.contextmanager
def sending_to(workers: Workers):
    """Tasks this process sends go to ``workers``' broker and queues, routed as the settings route them."""

    def rename(name: str) -> str:
        return workers.prefix + name.removeprefix(settings.CELERY_QUEUE_PREFIX)

    rabbitmq = workers.broker.startswith("amqp")
    values = {
        "broker_url": workers.broker,
        "broker_transport_options": {} if rabbitmq else settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "task_always_eager": False,
        "task_default_queue": rename(settings.CELERY_TASK_DEFAULT_QUEUE),
        "task_queues": [workers.queue(name) for name in queue_names()],
        "task_routes": {
            pattern: {**route, "queue": rename(route["queue"])}
            for pattern, route in settings.CELERY_TASK_ROUTES.items()
        },
    }
    previous = {key: celery_app.conf[key] for key in values}
    _celery_reconfigure(values)
    try:
        yield
    finally:
        _celery_reconfigure(previous)


@pytest.fixture(params=BROKERS)
def broker(request, postgres_and_redis) -> str:
    """The URL of the broker this test's workers use: Redis, then RabbitMQ."""
    if request.param == "rabbitmq":
        return request.getfixturevalue("rabbitmq")
    return postgres_and_redis


@pytest.fixture
def worker_environment() -> dict[str, str]:
    """Extra environment for the worker process; a test module overrides it (SMTP, SITE_URL)."""
    return {}


@pytest.fixture
def celery_workers(broker, postgres_and_redis, transactional_db, tmp_path, worker_environment):
    """Start workers with ``celery_workers.start(*queues)``; tasks go to them, not inline.

    The workers are stopped, and their logs printed (shown if the test fails), afterwards.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": postgres_and_redis,  # the cache, whichever the broker
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "cem.settings",
        **worker_environment,
    }
    workers = Workers(broker=broker, environment=environment, log_dir=tmp_path)
    try:
        with sending_to(workers):
            yield workers
    finally:
        workers.stop()
        workers.delete_queues()


@pytest.fixture
def celery_worker(celery_workers) -> subprocess.Popen:
    """One worker (``celery -A cem worker``, solo pool) consuming every queue of the test."""
    return celery_workers.start()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; return it, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return None
