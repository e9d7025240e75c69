"""Shared set-up of the benchmarks: a dedicated PostgreSQL database, fast synthetic data, timing.

``django_setup()`` points Django at ``cem_bench`` (``BENCH_DATABASE_URL`` overrides; created
when missing, never the development or test database; ``bench/_services.py`` does the set-up)
and migrates it. ``generate(n)`` replaces that database's data with ``n`` survey responses and
the rest; ``dataset(n)`` uses the size's own database instead (``cem_bench_10k``,
``cem_bench_1m``, ``cem_bench_10m``) and loads only when the data there is not already the
data asked for. What the data holds: ``bench/_dataset.py``; how it is loaded (binary COPY,
indexes dropped and made again, foreign keys checked set-based, one transaction):
``bench/_dataset_load.py``; figures: ``bench/README.md``.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta

from bench import _services
from bench._dataset import (  # noqa: F401 - the benchmarks read these from here
    CES_P,
    CHANNELS,
    CSAT_P,
    DAYS,
    NPS_P,
    SEGMENT_P,
    SEGMENTS,
    STAGE_SIZES,
    SURVEY_P,
    TIER_P,
    TIERS,
    WITH_INTERACTION,
    Shape,
)
from bench._dataset_catalogue import touchpoints_new  # noqa: F401 - bench_workspace.py uses it
from bench._dataset_load import (  # noqa: F401 - the benchmarks call these from here
    database_url,
    dataset,
    generate,
    use_database,
    vacuum_analyze,
)

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench")


def django_setup(*, migrate: bool = True) -> None:
    """Configure Django for the benchmark database, set it up and migrate."""
    _services.django_setup(
        {
            "DATABASE_URL": BENCH_DATABASE_URL,
            "DJANGO_SETTINGS_MODULE": "cem.settings",
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        },
        migrate=migrate,
    )
    from django.conf import settings

    # Production runs without DEBUG: no per-query log in connection.queries.
    settings.DEBUG = False


# --- timing helpers ------------------------------------------------------------------------


class Timer:
    """``with Timer() as t: …`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def fmt_n(n: int) -> str:
    return f"{n:,}".replace(",", "_") if n < 1000 else f"{n:,}"


def emit(size: int | None, figure: str, value: str) -> None:
    """One result line: ``[size] figure .... value``."""
    label = f"[{fmt_n(size)}]" if size is not None else "[-]"
    print(f"{label:>13} {figure:<58} {value}", flush=True)


def timings_ms(call, runs: int, *, warmups: int = 0) -> list[float]:
    """Milliseconds of ``runs`` calls of ``call``, after ``warmups`` untimed ones."""
    for _ in range(warmups):
        call()
    times = []
    for _ in range(runs):
        with Timer() as t:
            call()
        times.append(t.seconds * 1000)
    return times


def median_ms(call, runs: int = 3, *, warmups: int = 0) -> float:
    return statistics.median(timings_ms(call, runs, warmups=warmups))


def signed_in_client(username: str, group: str):
    """A Django test client signed in as ``username``, a member of ``group`` (both created if missing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    client = Client()
    client.force_login(user)
    return client


def bucket_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
