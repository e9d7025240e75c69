"""Shared fixtures: role users (a manager, an agent, an outsider) and service detection.

Tests that need PostgreSQL, Redis, RabbitMQ, a browser or a worker run against the real
thing. Where it is absent they are skipped with the reason printed; with
``CEM_REQUIRE_SERVICES=1`` (set by ``.ci/run``) an absent service fails instead,
so CI can never go green by skipping.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from access.roles import AGENT, MANAGER
from cem import celery_app

from .factories import UserFactory

PASSWORD = "correct-horse-battery-staple"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def services_required() -> bool:
    return os.environ.get("CEM_REQUIRE_SERVICES", "") not in ("", "0", "false", "False")


def skip_or_fail(reason: str) -> None:
    """Skip for want of a service, or fail where CI promised the service is there."""
    if services_required():
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _tasks_run_inline():
    """Unit tests run Celery tasks inline; integration tests switch to a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _language_restored():
    """A request leaves its language active in the test's thread (LocaleMiddleware does not undo
    it): every test starts and ends in the default language, whatever the one before asked for."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create users by the dozen; the production hasher would make each one take ~1 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings, tmp_path_factory):
    """Export jobs write their files into a folder of the test session, never the checkout."""
    settings.EXPORTS_ROOT = str(tmp_path_factory.getbasetemp() / "exports")


def _user_in(role: str | None, username: str):
    user = UserFactory(username=username, password=PASSWORD)
    if role:
        # The roles migration creates the groups; a transactional test's flush removes them,
        # and role checks go by group name, so recreate the name where it went missing.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def manager(db):
    return _user_in(MANAGER, "maya")


@pytest.fixture
def agent(db):
    return _user_in(AGENT, "alex")


@pytest.fixture
def outsider(db):
    """Signed in, but holding no role: must see nothing."""
    return _user_in(None, "olga")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(client, manager):
    return _client_for(client, manager)


@pytest.fixture
def agent_client(client, agent):
    return _client_for(client, agent)


@pytest.fixture
def outsider_client(client, outsider):
    return _client_for(client, outsider)


@pytest.fixture(scope="session")
def postgres_and_redis():
    """Skip (or fail in CI) unless the suite runs on PostgreSQL with a reachable Redis."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis: set REDIS_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        skip_or_fail(f"Redis at {settings.REDIS_URL} is not answering: {error}")
    return settings.REDIS_URL


@pytest.fixture(scope="session")
def rabbitmq(postgres_and_redis):
    """The URL of a reachable RabbitMQ, ``RABBITMQ_URL`` (default: the guest account on 127.0.0.1),
    for tests that run workers on it (Redis stays the cache); skip, or fail in CI, without one."""
    from kombu import Connection

    url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
    with Connection(url, connect_timeout=2) as broker:
        try:
            broker.connect()
        except (OSError, *broker.connection_errors) as error:
            skip_or_fail(
                f"RabbitMQ at {broker.as_uri()} is not answering (rabbitmq-server -detached): {error}"
            )
    return url


@pytest.fixture(scope="session")
def chromium_path():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        skip_or_fail(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM
