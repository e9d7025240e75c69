"""Settings come from the environment; each variable switches one part to production."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Variables the settings read; cleared so each case starts from "nothing set".
VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "TIME_ZONE",
    "DJANGO_HTTPS",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_BROKER_URL",
    "CELERY_QUEUE_PREFIX",
)

PROBE = """
import json
from django.conf import settings
from cem import celery_app
print(json.dumps({
    "debug": settings.DEBUG,
    "secret": settings.SECRET_KEY,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": celery_app.conf.task_always_eager,
    "broker": celery_app.conf.broker_url,
    "serializer": celery_app.conf.task_serializer,
    "accept": list(celery_app.conf.accept_content),
    "acks_late": celery_app.conf.task_acks_late,
    "reject_on_lost": celery_app.conf.task_reject_on_worker_lost,
    "prefetch": celery_app.conf.worker_prefetch_multiplier,
    "time_limit": celery_app.conf.task_time_limit,
    "visibility": celery_app.conf.broker_transport_options["visibility_timeout"],
    "email": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "email_tls": settings.EMAIL_USE_TLS,
    "from": settings.DEFAULT_FROM_EMAIL,
    "site_url": settings.SITE_URL,
    "time_zone": settings.TIME_ZONE,
    "hosts": settings.ALLOWED_HOSTS,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "session_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def load_settings(**variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environment.update(variables)
    environment["DJANGO_SETTINGS_MODULE"] = "cem.settings"
    code = "import django; django.setup()\n" + PROBE
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def settings_with(**variables: str) -> dict:
    result = load_settings(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_runs_on_sqlite_with_inline_tasks_and_console_email():
    loaded = settings_with()
    assert loaded["debug"] is True
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"].endswith("db.sqlite3")
    assert loaded["eager"] is True
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["secret"]


def test_database_url_selects_postgresql_through_psycopg2():
    loaded = settings_with(DATABASE_URL="postgres://cem:pw@db.internal:5432/cem")
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "cem"
    assert loaded["health_checks"] is True


def test_redis_url_makes_redis_the_broker_and_cache_and_turns_eager_off():
    loaded = settings_with(REDIS_URL="redis://cache.internal:6379/3")
    assert loaded["broker"] == "redis://cache.internal:6379/3"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["eager"] is False


def test_celery_is_configured_for_reliability():
    loaded = settings_with(REDIS_URL="redis://cache.internal:6379/0")
    assert loaded["serializer"] == "json"
    assert loaded["accept"] == ["json"]
    assert loaded["acks_late"] is True
    assert loaded["reject_on_lost"] is True
    assert loaded["prefetch"] == 1
    assert loaded["time_limit"] < loaded["visibility"]


def test_email_host_selects_smtp_with_its_settings():
    loaded = settings_with(
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="True",
        DEFAULT_FROM_EMAIL="Acme CX <cx@example.com>",
    )
    assert loaded["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["email_host"], loaded["email_port"], loaded["email_tls"]) == (
        "smtp.example.com",
        587,
        True,
    )
    assert loaded["from"] == "Acme CX <cx@example.com>"


def test_site_url_and_time_zone_are_read():
    loaded = settings_with(SITE_URL="https://cx.example.com/", TIME_ZONE="Asia/Shanghai")
    assert loaded["site_url"] == "https://cx.example.com"
    assert loaded["time_zone"] == "Asia/Shanghai"


def make_run(tmp_path: Path, *arguments: str, **variables: str) -> dict:
    """What the server `make run ...` starts sees: its settings' SITE_URL and the address it serves.

    The Makefile's Python is replaced by a probe that loads the settings in the environment make
    gives it; `-o seed` skips the install, migrate and seed steps.
    """
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json, os, sys\n"
        "sys.path.insert(0, os.getcwd())\n"
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "print(json.dumps({'site_url': settings.SITE_URL, 'argv': sys.argv[1:]}))\n"
    )
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{probe}" "$@"\n')
    python.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if k not in (*VARIABLES, "MAKEFLAGS", "MAKELEVEL")}
    environment.update(variables)
    environment["DJANGO_SETTINGS_MODULE"] = "cem.settings"
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", "seed", "run", f"PY={python}", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_puts_the_port_it_serves_into_emailed_links(tmp_path):
    served = make_run(tmp_path, "PORT=8101")
    assert served["argv"] == ["manage.py", "runserver", "127.0.0.1:8101"]
    assert served["site_url"] == "http://127.0.0.1:8101"
    assert make_run(tmp_path)["site_url"] == "http://127.0.0.1:8000"


def test_make_run_on_all_interfaces_links_to_the_loopback_address(tmp_path):
    served = make_run(tmp_path, "HOST=0.0.0.0", "PORT=8101")
    assert served["argv"][-1] == "0.0.0.0:8101"
    assert served["site_url"] == "http://127.0.0.1:8101"


def test_make_run_keeps_a_site_url_the_user_set(tmp_path):
    assert make_run(tmp_path, "PORT=8101", SITE_URL="https://cx.example.com")["site_url"] == (
        "https://cx.example.com"
    )
    assert make_run(tmp_path, "PORT=8101", "SITE_URL=https://cli.example.com")["site_url"] == (
        "https://cli.example.com"
    )


def test_debug_off_without_a_secret_fails_fast_with_a_clear_message():
    result = load_settings(DJANGO_DEBUG="False", DJANGO_ALLOWED_HOSTS="cx.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_off_without_allowed_hosts_fails_fast():
    result = load_settings(DJANGO_DEBUG="False", DJANGO_SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_off_serves_hashed_compressed_static_files_and_secure_cookies():
    loaded = settings_with(
        DJANGO_DEBUG="False", DJANGO_SECRET_KEY="s" * 50, DJANGO_ALLOWED_HOSTS="cx.example.com"
    )
    assert loaded["debug"] is False
    assert loaded["secret"] == "s" * 50
    assert loaded["hosts"] == ["cx.example.com"]
    assert loaded["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert loaded["session_secure"] is True


@pytest.mark.parametrize("value", ["False", "0", "no"])
def test_debug_off_spellings(value):
    loaded = settings_with(DJANGO_DEBUG=value, DJANGO_SECRET_KEY="k" * 50, DJANGO_ALLOWED_HOSTS="a.example")
    assert loaded["debug"] is False
