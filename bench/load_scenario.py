"""Load scenario: customers, a CRM and CX managers at fixed arrival rates against gunicorn.

Run from the repository root (a redis-server on 6380 of your own; PostgreSQL on 5432)::

    nice -n 19 .venv/bin/python bench/load_scenario.py
    nice -n 19 .venv/bin/python bench/load_scenario.py --duration 300 --customers 8 --crm 0.5 --managers 2
    nice -n 19 .venv/bin/python bench/load_scenario.py --reseed --demo-customers 5000

The site runs in its production shape on this machine: gunicorn (``cem.wsgi``, ``--workers
2``, sync workers, DEBUG off) with a Celery worker (prefork, 2 processes) and beat, Redis as
broker and cache, against the database ``cem_load`` (``--database-url``; seeded once with
``manage.py seed_demo --force --customers N`` and reused; ``--reseed`` seeds it again). The
code is a copy of the working tree taken at the start.

An open-loop load generator (asyncio + httpx, one process) starts sessions at fixed mean
rates (Poisson arrivals: the rate does not slow down when the server does):

* customers (``--customers`` per second): GET ``/s/<token>/`` of a fresh invitation, a
  ``--think`` second pause, then POST the answers (NPS and a comment) → 302;
* a CRM (``--crm`` calls per second): POST ``/api/v1/interactions/bulk/`` with ``--bulk``
  new interactions of known customers (``Authorization: Bearer``, scope
  ``interactions:write``) → 200, every item created;
* CX managers (``--managers`` page views per second), signed in (three sessions of the
  demo manager): GET one of the dashboards in turn (overview, touchpoints, journeys, drivers,
  comments) → 200.

After ``--warmup`` seconds (not counted) it measures for ``--duration`` seconds and prints, per
request type: requests, throughput, p50/p95/p99 latency, errors; then the 5xx count, how
late the generator started requests against its schedule, the load average, and checks in
the database that every answered POST stored one response and every bulk item one
interaction. Exits 1 on any 5xx, client error or failed check.

Results go to the section "load_scenario.py" of ``bench/RESULTS_hardening.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults, _services
from bench._faults import Figures
from bench._services import info, percentile

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cem_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/1"
DASHBOARDS = (
    "/dashboards/",
    "/dashboards/touchpoints/",
    "/dashboards/journeys/",
    "/dashboards/drivers/",
    "/dashboards/comments/",
)
MANAGER_SESSIONS = 3
MAX_IN_FLIGHT = 400
COMMENT = "Quick and friendly, solved on the first call."


@dataclass
class Recorder:
    """Latencies and outcomes per request type, for requests started inside the measured window."""

    measure_from: float
    measure_to: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    lateness: list[float] = field(default_factory=list)
    dropped: int = 0
    posted: int = 0  # survey POSTs answered 302 (warm-up included)
    items: int = 0  # bulk items answered "created" (warm-up included)

    def counts(self, at: float) -> bool:
        return self.measure_from <= at < self.measure_to

    def record(self, kind: str, at: float, seconds: float, outcome: str, ok: bool) -> None:
        if self.counts(at):
            self.outcomes[kind][outcome] += 1
            if ok:
                self.latencies[kind].append(seconds)


async def timed(client, recorder: Recorder, kind: str, method: str, url: str, expect: int, **kwargs):
    """One request; returns the response or None. Records latency (when as expected) and outcome."""
    import httpx

    at = time.monotonic()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        recorder.record(kind, at, time.monotonic() - at, type(error).__name__, False)
        return None
    seconds = time.monotonic() - at
    recorder.record(kind, at, seconds, str(response.status_code), response.status_code == expect)
    return response


async def customer(
    client, recorder: Recorder, token: str, language: str, fields: tuple[str, str], think: float
):
    response = await timed(client, recorder, "customer GET /s/<token>/", "GET", f"/s/{token}/", 200)
    if response is None or response.status_code != 200:
        return
    await asyncio.sleep(think)
    body = urlencode({fields[0]: "9", fields[1]: COMMENT, "lang": language})
    response = await timed(
        client,
        recorder,
        "customer POST /s/<token>/",
        "POST",
        f"/s/{token}/",
        302,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if response is not None and response.status_code == 302:
        recorder.posted += 1


async def crm(client, recorder: Recorder, payload: bytes, key: str, size: int):
    kind = f"CRM POST /api/v1/interactions/bulk/ ({size} items)"
    response = await timed(
        client,
        recorder,
        kind,
        "POST",
        "/api/v1/interactions/bulk/",
        200,
        content=payload,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    if response is not None and response.status_code == 200:
        summary = response.json()["summary"]
        recorder.items += summary.get("created", 0)
        if summary.get("failed"):
            recorder.record(kind, time.monotonic(), 0.0, "items failed", False)


async def manager(client, recorder: Recorder, page: str):
    await timed(client, recorder, f"manager GET {page}", "GET", page, 200)


async def sign_in(client, username: str, password: str) -> None:
    page = await client.get("/login/")
    token = (
        client.cookies.get("csrftoken")
        or re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    )
    response = await client.post(
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": str(client.base_url) + "/login/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {username} failed: {response.status_code}")


async def arrivals(rate: float, rng: random.Random, start: float, stop: float, recorder: Recorder, make):
    """Start ``make()`` sessions at Poisson times of mean ``rate`` per second from ``start`` to ``stop``."""
    if rate <= 0:
        return
    tasks: set[asyncio.Task] = set()
    due = start
    while True:
        due += rng.expovariate(rate)
        if due >= stop:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if recorder.counts(due):
            recorder.lateness.append(time.monotonic() - due)
        if len(tasks) >= MAX_IN_FLIGHT:
            recorder.dropped += 1
            continue
        task = asyncio.create_task(make())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=120)


async def run_load(args, port: int, prepared: dict, recorder: Recorder, start: float) -> None:
    import httpx

    from demo.services.people import DEMO_MANAGER, DEMO_PASSWORD

    base = f"http://127.0.0.1:{port}"
    timeout = httpx.Timeout(args.timeout)
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=0)
    stop = start + args.warmup + args.duration
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as public:
        managers = [
            httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) for _ in range(MANAGER_SESSIONS)
        ]
        try:
            for session in managers:
                await sign_in(session, DEMO_MANAGER, DEMO_PASSWORD)
            tokens = iter(prepared["tokens"])
            payloads = iter(prepared["payloads"])
            pages = itertools.cycle(DASHBOARDS)
            sessions = itertools.cycle(managers)
            rng = random.Random(args.seed)
            await asyncio.gather(
                arrivals(
                    args.customers,
                    random.Random(rng.random()),
                    start,
                    stop,
                    recorder,
                    lambda: customer(public, recorder, *next(tokens), prepared["fields"], args.think),
                ),
                arrivals(
                    args.crm,
                    random.Random(rng.random()),
                    start,
                    stop,
                    recorder,
                    lambda: crm(public, recorder, next(payloads), prepared["key"], args.bulk),
                ),
                arrivals(
                    args.managers,
                    random.Random(rng.random()),
                    start,
                    stop,
                    recorder,
                    lambda: manager(next(sessions), recorder, next(pages)),
                ),
            )
        finally:
            for session in managers:
                await session.aclose()


def prepare(args) -> dict:
    """Seed when asked or empty; fresh invitations with known tokens, bulk bodies, an API key."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from api.keys import api_key_create
    from bench._survey_data import customers_create, invitations_create, survey_create
    from demo.services.people import DEMO_MANAGER
    from surveys.models import InvitationStatus
    from touchpoints.models import Customer, Touchpoint

    if args.reseed or not get_user_model().objects.filter(username=DEMO_MANAGER).exists():
        info(f"seed_demo --force --customers {args.demo_customers} (a few minutes)")
        call_command("seed_demo", force=True, customers=args.demo_customers, verbosity=0)
    run = uuid.uuid4().hex[:6]
    total = args.warmup + args.duration
    survey = survey_create()
    count = int(args.customers * total * 1.5) + 50
    invitations = invitations_create(
        survey.survey_id, customers_create(count, prefix=f"LOAD{run}"), status=InvitationStatus.SENT
    )
    customers = list(
        Customer.objects.exclude(external_id__startswith="LOAD").values_list("external_id", flat=True)
    )
    codes = list(Touchpoint.objects.values_list("code", flat=True))
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    payloads = []
    for call in range(int(args.crm * total * 1.5) + 10):
        items = [
            {
                "external_id": f"LOAD-{run}-{call:05d}-{i:04d}",
                "customer": rng.choice(customers),
                "touchpoint": rng.choice(codes),
                "occurred_at": (now - timedelta(minutes=rng.randrange(7 * 24 * 60))).isoformat(),
                "category": "order",
                "outcome": "resolved",
                "experience_score": rng.randrange(11),
            }
            for i in range(args.bulk)
        ]
        payloads.append(json.dumps({"items": items}).encode())
    _, key = api_key_create(name=f"load {run}", scopes=["interactions:write"])
    return {
        "run": run,
        "survey_id": survey.survey_id,
        "fields": (survey.nps_field, survey.text_field),
        "tokens": [(token, language) for _, token, language in invitations],
        "payloads": payloads,
        "key": key,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="measured seconds (180)")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load not counted (15)")
    parser.add_argument("--customers", type=float, default=8.0, help="survey answers started per second (8)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between a customer's GET and POST (1)"
    )
    parser.add_argument("--crm", type=float, default=0.5, help="bulk calls per second (0.5)")
    parser.add_argument("--bulk", type=int, default=200, help="interactions per bulk call (200)")
    parser.add_argument("--managers", type=float, default=2.0, help="dashboard views per second (2)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="client timeout per request, seconds (30)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="Celery pool processes (2)")
    parser.add_argument("--demo-customers", type=int, default=5000, help="seed_demo --customers (5000)")
    parser.add_argument("--reseed", action="store_true", help="seed the database again")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the arrivals and bodies")
    _faults.add_run_arguments(parser, database_url=DEFAULT_DATABASE_URL, redis_url=DEFAULT_REDIS_URL)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with _faults.fault_run("load_scenario", args) as run:
        return scenario(run, args)


def scenario(run: _faults.Run, args) -> int:
    """The site in its production shape under the open-loop load; the figures; 0 when all went well."""
    run.setup(static="gunicorn serves the production manifest", reset=False)
    prepared = prepare(args)
    from django.db import connection

    connection.close()
    run.beat()
    run.worker(concurrency=args.celery_concurrency)
    server = run.gunicorn(workers=args.workers)
    info(
        f"gunicorn {args.workers} workers on 127.0.0.1:{server.port}; {args.customers:g} customers/s, "
        f"{args.crm:g} CRM calls/s of {args.bulk}, {args.managers:g} dashboard views/s; "
        f"{args.warmup:g} s warm-up, {args.duration:g} s measured"
    )
    load_start = _services.load_average()
    start = time.monotonic() + 1.0
    recorder = Recorder(measure_from=start + args.warmup, measure_to=start + args.warmup + args.duration)
    asyncio.run(run_load(args, server.port, prepared, recorder, start))
    load_end = _services.load_average()

    stored = stored_counts(prepared)
    backlog = _services.redis_client(args.redis_url).llen("celery")
    errors, server_errors = emit_requests(run.figures, args, recorder)
    emit_checks(run.figures, recorder, stored)
    run.figures.emit("Celery tasks still queued at the end", backlog, "metrics refreshes and sends waiting")
    run.figures.emit("load average before / after", f"{load_start} / {load_end}")
    verdict = (
        errors == 0
        and server_errors == 0
        and stored["responses"] == recorder.posted
        and not stored["duplicated"]
        and stored["interactions"] == recorder.items
    )
    run.figures.emit("no 5xx, no error, every write stored once", "yes" if verdict else "NO")
    if not args.no_results:
        run.write_results(
            "load_scenario.py",
            host_note=" (before the run)",
            intro=[
                f"Arrival rates (Poisson, open loop): {args.customers:g} customers/s "
                f"(GET, {args.think:g} s, POST), {args.crm:g} CRM bulk calls/s of {args.bulk} "
                f"interactions, {args.managers:g} dashboard views/s ({MANAGER_SESSIONS} signed-in "
                f"manager sessions). gunicorn {args.workers} sync workers, Celery worker prefork "
                f"x{args.celery_concurrency} and beat, database `{args.database_url.rsplit('/', 1)[-1]}` "
                f"(seed_demo, {args.demo_customers:,} customers), Redis on 6380."
            ],
        )
    return 0 if verdict else 1


def stored_counts(prepared: dict) -> dict[str, int]:
    """The responses and interactions the run stored, and the invitations answered twice."""
    from django.db.models import Count

    from surveys.models import Response
    from touchpoints.models import Interaction

    responses = Response.objects.filter(survey_id=prepared["survey_id"])
    return {
        "responses": responses.count(),
        "interactions": Interaction.objects.filter(
            external_id__startswith=f"LOAD-{prepared['run']}-"
        ).count(),
        "duplicated": responses.values("invitation_id").annotate(n=Count("id")).filter(n__gt=1).count(),
    }


def emit_requests(figures: Figures, args, recorder: Recorder) -> tuple[int, int]:
    """Per request type: throughput, latencies, errors; then all requests. Returns (errors, 5xx)."""
    total_requests, errors, server_errors = 0, 0, 0
    for kind in sorted(recorder.outcomes):
        outcomes = recorder.outcomes[kind]
        latencies = recorder.latencies[kind]
        n = sum(outcomes.values())
        expected = {"customer GET": "200", "customer POST": "302", "CRM POST": "200"}.get(
            " ".join(kind.split()[:2]), "200"
        )
        bad = {k: v for k, v in outcomes.items() if k != expected}
        total_requests += n
        errors += sum(bad.values())
        server_errors += sum(v for k, v in bad.items() if k.startswith("5"))
        figures.emit(
            kind,
            f"{n / args.duration:.2f}/s",
            f"{n} requests; p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
            f"errors {sum(bad.values())}" + (f" {bad}" if bad else ""),
        )
    figures.emit(
        "all requests",
        f"{total_requests / args.duration:.2f}/s",
        f"{total_requests} requests in {args.duration:g} s (after {args.warmup:g} s of warm-up)",
    )
    figures.emit("errors (any unexpected status or client error)", errors)
    figures.emit("5xx answers", server_errors)
    return errors, server_errors


def emit_checks(figures: Figures, recorder: Recorder, stored: dict[str, int]) -> None:
    """How late the generator was, and every answered write stored once."""
    figures.emit(
        "generator lateness p99 / max",
        f"{percentile(recorder.lateness, 0.99) * 1000:.1f} ms",
        f"max {max(recorder.lateness, default=0) * 1000:.1f} ms; "
        f"sessions dropped (over {MAX_IN_FLIGHT} in flight): {recorder.dropped}",
    )
    figures.emit(
        "responses stored = POSTs answered 302",
        "yes" if stored["responses"] == recorder.posted and not stored["duplicated"] else "NO",
        f"{stored['responses']} stored, {recorder.posted} POSTs answered 302 (warm-up included), "
        f"{stored['duplicated']} duplicated",
    )
    figures.emit(
        "interactions stored = bulk items created",
        "yes" if stored["interactions"] == recorder.items else "NO",
        f"{stored['interactions']:,} stored, {recorder.items:,} answered created",
    )


if __name__ == "__main__":
    sys.exit(main())
