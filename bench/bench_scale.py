"""Benchmark of the metrics engine at 10k, 1M and 10M responses: reads, refreshes and the rebuild.

Run from the repository root, after ``bench/generate_data.py`` has loaded the data sets::

    .venv/bin/python bench/bench_scale.py                          # 10k, 1M and 10M, one process each
    .venv/bin/python bench/bench_scale.py --sizes 10000 --only reads

Each size is measured in a process of its own against its own database (``cem_bench_10k``,
``cem_bench_1m``, ``cem_bench_10m``), so nothing is cached across sizes. Every figure comes
with its baseline measured in the same process:

* **reads** — every metrics API call (``/api/v1/metrics/*``) and dashboard page, with no filter,
  each documented filter alone and the combinations a dashboard offers, timed in process with
  Django's test client (server time: routing, auth, SQL, serialisation, templates), median of
  ``--runs`` after a warm-up; the baseline is a trivial view (``/health/``) and the
  ratio against 10k is worked out by ``--report``. Dashboard pages are timed warm (the cached
  figures of an unchanged freshness stamp) and cold (cache cleared before each request).
* **refresh** — ``metrics_refresh_stale`` after 1,000 responses written as the product writes
  them (their answers and row marks in one transaction), to invitations sent the same day and
  to invitations sent 1–7 days ago, and after 1,000 interactions; the baseline is the write of
  those rows and the old way: recomputing the days they fall on (``rollup_refresh_days(force)``).
* **rebuild** — ``metrics_rebuild`` against the bare ``GROUP BY`` queries it needs over the raw
  rows (the four grouped rollup queries over every day, and the journey moments read in order),
  run as plain ``SELECT count(*) FROM (…)``.

Figures go to stdout as ``[size] figure … value`` lines and, with ``--json``, to a file the
report step turns into the tables of ``bench/RESULTS.md``. Nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASES = {
    10_000: "cem_bench_10k",
    1_000_000: "cem_bench_1m",
    10_000_000: "cem_bench_10m",
}

API_FILTERS = {
    "none": {},
    "90 days": {"start": "{d90}", "end": "{d1}"},
    "survey": {"survey": "{survey}"},
    "touchpoint": {"touchpoint": "{touchpoint}"},
    "stage": {"stage": "post_sale"},
    "channel": {"channel": "{channel}"},
    "segment": {"segment": "{segment}"},
    "value tier": {"value_tier": "gold"},
    "segment + 90 days": {"segment": "{segment}", "start": "{d90}", "end": "{d1}"},
    "touchpoint + segment": {"touchpoint": "{touchpoint}", "segment": "{segment}"},
    "channel + segment": {"channel": "{channel}", "segment": "{segment}"},
}
METRICS = ("nps", "csat", "ces", "expectation", "drivers", "peak-end")
PAGES = ("overview", "touchpoints", "journeys", "drivers")
PAGE_FILTERS = ("none", "90 days", "segment", "channel", "touchpoint + segment")


def _context() -> dict:
    """Values the filters name: a real survey, touchpoint, channel and segment of the data."""
    from django.db.models import Count
    from django.utils import timezone

    from surveys.models import Survey
    from touchpoints.models import Customer, Interaction, Touchpoint

    today = timezone.localdate()
    survey = Survey.objects.order_by("id").values_list("id", flat=True)[1]
    touchpoint, code = Touchpoint.objects.order_by("id").values_list("id", "code")[0]
    segment = Customer.objects.values("segment").annotate(n=Count("id")).order_by("-n")[0]["segment"]
    channel = (
        Interaction.objects.filter(touchpoint_id=touchpoint).values_list("channel", flat=True).first()
        or "phone"
    )
    return {
        "d1": (today.fromordinal(today.toordinal() - 1)).isoformat(),
        "d90": (today.fromordinal(today.toordinal() - 90)).isoformat(),
        "survey": survey,
        "touchpoint": touchpoint,
        "touchpoint_code": code,
        "segment": segment,
        "channel": channel,
    }


def _params(name: str, context: dict, *, api: bool = False) -> dict:
    """The query of filter set ``name``: the API names a touchpoint by its code, pages by its id."""
    values = dict(context, touchpoint=context["touchpoint_code"]) if api else context
    return {key: str(value).format(**values) for key, value in API_FILTERS[name].items()}


def reads(size: int, runs: int, figures: dict) -> None:
    from django.core.cache import cache
    from django.test import Client

    from access.roles import MANAGER
    from api.keys import api_key_create
    from bench._setup import emit, median_ms, signed_in_client

    context = _context()
    _, key = api_key_create(name="bench-scale")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    baseline = median_ms(lambda: api.get("/health/"), runs, warmups=2)
    figures["reads"]["trivial view (/health/)"] = baseline
    emit(size, "trivial view /health/ (baseline)", f"{baseline:8.1f} ms")
    for metric in METRICS:
        for name in API_FILTERS:
            params = _params(name, context, api=True)
            response = api.get(f"/api/v1/metrics/{metric}/", params)
            if response.status_code != 200:
                emit(size, f"API {metric} [{name}]", f"HTTP {response.status_code}")
                continue
            ms = median_ms(lambda m=metric, p=params: api.get(f"/api/v1/metrics/{m}/", p), runs, warmups=1)
            figures["reads"][f"API {metric} [{name}]"] = ms
            emit(size, f"API {metric} [{name}]", f"{ms:8.1f} ms")
    staff = signed_in_client("bench-scale-manager", MANAGER)
    for page in PAGES:
        for name in PAGE_FILTERS:
            params = _params(name, context)
            url = f"/dashboards/{page}/" if page != "overview" else "/dashboards/"
            if staff.get(url, params).status_code != 200:
                emit(size, f"page {page} [{name}]", "not served")
                continue
            warm = median_ms(lambda u=url, p=params: staff.get(u, p), runs, warmups=1)

            def cold(u=url, p=params):
                cache.clear()
                staff.get(u, p)

            cold_ms = median_ms(cold, max(3, runs // 3))
            figures["reads"][f"page {page} [{name}] warm"] = warm
            figures["reads"][f"page {page} [{name}] cold"] = cold_ms
            emit(size, f"page {page} [{name}] warm / cold", f"{warm:8.1f} / {cold_ms:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,1000000,10000000")
    parser.add_argument("--only", default="reads,refresh,rebuild")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", default=str(ROOT / "bench" / "scale_results.json"))
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = parser.parse_args()
    if args.size:
        return measure(args.size, args.only.split(","), args.runs, args.json)
    for size in (int(value) for value in args.sizes.split(",")):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--size",
                str(size),
                "--only",
                args.only,
                "--runs",
                str(args.runs),
                "--json",
                args.json,
            ],
            check=True,
        )
    return None


def measure(size: int, parts: list[str], runs: int, path: str) -> None:
    os.environ["BENCH_DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{DATABASES[size]}"
    os.environ.setdefault("API_THROTTLE_RATE", "none")
    from bench import _scale_writes, _setup

    _setup.django_setup(migrate=True)
    load = os.getloadavg()
    figures: dict = {"size": size, "load": load, "reads": {}, "refresh": {}, "rebuild": {}}
    _setup.emit(size, "load average (1, 5, 15 min)", " ".join(f"{value:.2f}" for value in load))
    if "rebuild" in parts:
        _scale_writes.rebuild(size, figures)
    if "refresh" in parts:
        _scale_writes.refreshes(size, figures)
    if "reads" in parts:
        reads(size, runs, figures)
    stored = json.loads(Path(path).read_text()) if Path(path).exists() else {}
    previous = stored.get(str(size), {})
    for part in ("reads", "refresh", "rebuild"):
        if figures[part]:
            previous[part] = figures[part]
    previous["load"] = load
    stored[str(size)] = previous
    Path(path).write_text(json.dumps(stored, indent=1, sort_keys=True))
    _setup.emit(
        size, "median of the read figures", f"{statistics.median(figures['reads'].values() or [0]):8.1f} ms"
    )


if __name__ == "__main__":
    main()
