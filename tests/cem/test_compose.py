"""docker-compose.yml: the production shape, checked as far as it can be without a Docker engine."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "cem" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def command_of(service: str) -> str:
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_runs_postgres_redis_web_worker_and_beat():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_migrates_then_serves_with_gunicorn():
    command = command_of("web")
    assert "manage.py migrate" in command
    assert "gunicorn cem.wsgi" in command
    assert SERVICES["web"]["ports"] == ["8000:8000"]


def test_worker_and_beat_run_the_celery_app():
    assert command_of("worker").startswith("celery -A cem worker")
    assert command_of("beat").startswith("celery -A cem beat")


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
