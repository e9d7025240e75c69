"""docker-compose.yml: the production shape, checked as far as it can be without a Docker engine."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
QUEUES = [queue.name for queue in settings.CELERY_TASK_QUEUES]
WORKERS = tuple(f"worker-{queue}" for queue in QUEUES)
APP_SERVICES = ("web", *WORKERS, "beat")


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "cem" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def command_of(service: str) -> str:
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_runs_postgres_redis_web_a_worker_per_queue_beat_and_rabbitmq_on_request():
    assert set(SERVICES) == {"postgres", "redis", "rabbitmq", "web", *WORKERS, "beat"}
    assert [name for name, service in SERVICES.items() if "profiles" in service] == ["rabbitmq"]
    assert SERVICES["rabbitmq"]["profiles"] == ["rabbitmq"]


def test_web_migrates_then_serves_with_gunicorn():
    command = command_of("web")
    assert "manage.py migrate" in command
    assert "gunicorn cem.wsgi" in command
    assert SERVICES["web"]["ports"] == ["8000:8000"]


def test_worker_and_beat_run_the_celery_app():
    for worker in WORKERS:
        assert command_of(worker).startswith("celery -A cem worker")
    assert command_of("beat").startswith("celery -A cem beat")


def test_each_queue_has_a_worker_consuming_only_it():
    consumed = {}
    for worker in WORKERS:
        command = SERVICES[worker]["command"]
        consumed[worker] = command[command.index("-Q") + 1].split(",")
        assert any(part.startswith("--concurrency=") for part in command), worker
    assert consumed == {f"worker-{queue}": [queue] for queue in QUEUES}


def test_exports_are_written_to_a_volume_the_web_app_shares():
    mount = "exports-data:/app/var/exports"
    assert mount in SERVICES["worker-exports"]["volumes"]
    assert mount in SERVICES["web"]["volumes"]
    assert "exports-data" in COMPOSE["volumes"]


def test_rabbitmq_keeps_its_queues_and_outlasts_the_longest_task():
    rabbitmq = SERVICES["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:3")
    assert rabbitmq["hostname"] == "rabbitmq"  # its data lives under rabbit@<hostname>
    assert "rabbitmq-data:/var/lib/rabbitmq" in rabbitmq["volumes"]
    timeout_ms = int(
        re.search(r"consumer_timeout (\d+)", rabbitmq["environment"]["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"])[
            1
        ]
    )
    environment = SERVICES["web"]["environment"]
    assert int(environment["RABBITMQ_CONSUMER_TIMEOUT"]) * 1000 == timeout_ms
    assert environment["CELERY_BROKER_URL"] == "${CELERY_BROKER_URL:-}"  # empty: Redis


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
@pytest.mark.parametrize(("queues", "option"), [("", None), ("email,webhooks", "-Q email,webhooks")])
def test_make_worker_runs_every_queue_or_those_asked_for(queues, option):
    result = subprocess.run(
        ["make", "-n", "worker", f"QUEUES={queues}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    [command] = [line for line in result.stdout.splitlines() if "celery -A cem worker" in line]
    assert ("-Q" in command) == bool(option)
    if option:
        assert command.endswith(option)


def test_every_variable_the_app_services_set_is_read_by_the_settings():
    read = variables_read_by_settings()
    for service in APP_SERVICES:
        environment = SERVICES[service]["environment"]
        unread = set(environment) - read
        assert not unread, f"{service} sets variables the settings never read: {sorted(unread)}"


def test_the_app_services_share_one_environment_with_the_production_essentials():
    environments = [SERVICES[s]["environment"] for s in APP_SERVICES]
    assert environments[0] == environments[1] == environments[2]
    environment = environments[0]
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_ALLOWED_HOSTS"):
        assert name in environment
    assert environment["DJANGO_DEBUG"] == "False"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://redis:")


def test_app_services_wait_for_healthy_postgres_and_redis():
    for service in APP_SERVICES:
        depends = SERVICES[service]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert "healthcheck" in SERVICES["postgres"] and "healthcheck" in SERVICES["redis"]


def test_the_environment_table_in_the_readme_lists_every_variable_compose_sets():
    readme = (ROOT / "README.md").read_text()
    for name in SERVICES["web"]["environment"]:
        assert f"`{name}`" in readme, f"README does not document {name}"
