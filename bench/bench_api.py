"""Benchmark of API ingest: interactions per second through ``POST /api/v1/interactions/bulk/``.

Run from the repository root (``make bench`` runs every ``bench/bench_*.py``)::

    .venv/bin/python bench/bench_api.py                    # 20 calls of 1,000 interactions per figure
    .venv/bin/python bench/bench_api.py --calls 50

Uses its own PostgreSQL database, ``cem_bench_api`` (``BENCH_API_DATABASE_URL``), emptied
first, and Redis database 15 (``BENCH_API_REDIS_URL``) as the Celery broker and cache, so
the after-commit refresh tasks are enqueued as in production, not run inline (nothing
consumes them; the database is flushed at the end). Throttling is off.

Figures, one line each:

* in process (Django test client, one client, serial): new rows (every item a new
  ``external_id``), then the same calls again (every item an update: nothing new is created);
* over HTTP: gunicorn (``cem.wsgi``, ``--workers 2``, DEBUG off) on 127.0.0.1, two client
  threads posting pre-encoded bodies over keep-alive connections, new rows;
* the floor: ``COPY … FROM STDIN`` of the same rows (CSV built beforehand, not timed), one
  ``COPY`` per 1,000 rows, each committed.

Every item is validated, its customer and touchpoint resolved, the batch written with one
``bulk_create``, its metrics marked stale and the survey rules applied, as the API does.
Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_API_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_api")
REDIS_URL = os.environ.get("BENCH_API_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["API_THROTTLE_RATE"] = "none"
sys.path.insert(0, str(ROOT))

from bench import _services, _setup  # noqa: E402
from bench._setup import Timer, emit  # noqa: E402

BATCH = 1000
CUSTOMERS = 10_000
TOUCHPOINTS = 20
CHANNELS = ("phone", "email", "chat", "web", "in_store")


def prepare() -> str:
    """Empty the database, load customers and touchpoints, return an all-scopes API key."""
    from django.db import connection

    from api.keys import api_key_create
    from touchpoints.models import Customer, Touchpoint

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE touchpoints_interaction, touchpoints_customer, touchpoints_touchpoint, "
            "analytics_stalemark, api_apikey RESTART IDENTITY CASCADE"
        )
    Touchpoint.objects.bulk_create(
        Touchpoint(code=f"tp-{i}", name=f"Touchpoint {i}", stage="post_sale", channel=CHANNELS[i % 5])
        for i in range(TOUCHPOINTS)
    )
    Customer.objects.bulk_create(
        (Customer(external_id=f"C-{i:06d}", name=f"Customer {i}", segment="smb") for i in range(CUSTOMERS)),
        batch_size=5000,
    )
    return api_key_create(name="bench")[1]


def batches(calls: int, *, prefix: str, seed: int = 7) -> list[list[dict]]:
    """``calls`` lists of ``BATCH`` interactions over the last 30 days, each with a new external id."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = []
    for call in range(calls):
        out.append(
            [
                {
                    "external_id": f"{prefix}-{call:04d}-{i:04d}",
                    "customer": f"C-{rng.randrange(CUSTOMERS):06d}",
                    "touchpoint": f"tp-{rng.randrange(TOUCHPOINTS)}",
                    "occurred_at": (now - timedelta(minutes=rng.randrange(30 * 24 * 60))).isoformat(),
                    "category": "order",
                    "outcome": "resolved",
                    "experience_score": rng.randrange(11),
                    "expected_value": 2,
                    "actual_value": rng.choice((1, 2, 3)),
                }
                for i in range(BATCH)
            ]
        )
    return out


def through_test_client(key: str, payloads: list[bytes]) -> float:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    with Timer() as t:
        for body in payloads:
            response = client.post("/api/v1/interactions/bulk/", body, content_type="application/json")
            if response.status_code != 200 or response.json()["summary"]["failed"]:
                raise RuntimeError(f"bulk call failed: {response.status_code} {response.content[:300]!r}")
    return t.seconds


def through_gunicorn(key: str, payloads: list[bytes], *, workers: int = 2, clients: int = 2) -> float:
    env = _services.environment(
        database_url=DATABASE_URL, redis_url=REDIS_URL, DJANGO_ALLOWED_HOSTS="127.0.0.1"
    )
    # No static manifest here (the API serves none): ready once it accepts connections; its
    # warnings go to this terminal.
    with _services.gunicorn_start(
        env, None, workers=workers, ready_path=None, options=("--log-level", "warning")
    ) as server:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        # Warm both workers (imports, connections) before timing.
        for _ in range(workers * 2):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            connection.request("GET", "/api/v1/touchpoints/", headers=headers)
            connection.getresponse().read()
            connection.close()
        return post_all(server.port, payloads, headers, clients=clients)


def post_all(port: int, payloads: list[bytes], headers: dict[str, str], *, clients: int) -> float:
    """``clients`` threads post the bodies over keep-alive connections; the seconds it took."""
    queue = list(payloads)
    lock, failures = threading.Lock(), []

    def post():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            connection.request("POST", "/api/v1/interactions/bulk/", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200 or json.loads(answer)["summary"]["failed"]:
                failures.append(answer[:300])
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(clients)]
    with Timer() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise RuntimeError(f"bulk calls failed: {failures[:2]}")
    return t.seconds


def through_copy(items_batches: list[list[dict]]) -> float:
    """COPY the same rows (foreign keys resolved and CSV built beforehand, untimed)."""
    from django.db import connection, transaction

    from touchpoints.models import Customer, Touchpoint

    customers = dict(Customer.objects.values_list("external_id", "id"))
    touchpoints = {
        code: (pk, channel) for code, pk, channel in Touchpoint.objects.values_list("code", "id", "channel")
    }
    now = datetime.now(UTC).isoformat()
    buffers = []
    for items in items_batches:
        buffer = io.StringIO()
        for item in items:
            touchpoint_id, channel = touchpoints[item["touchpoint"]]
            buffer.write(
                f"{item['external_id']},{customers[item['customer']]},{touchpoint_id},{channel},"
                f'{item["occurred_at"]},{item["category"]},{item["outcome"]},"",{item["experience_score"]},'
                f"{item['expected_value']},{item['actual_value']},api,{now}\n"
            )
        buffer.seek(0)
        buffers.append(buffer)
    columns = (
        "external_id, customer_id, touchpoint_id, channel, occurred_at, category, outcome, notes, "
        "experience_score, expected_value, actual_value, source, created_at"
    )
    with Timer() as t:
        for buffer in buffers:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY touchpoints_interaction ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
                )
    return t.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20, help="bulk calls of 1,000 per figure (default 20)")
    args = parser.parse_args()
    _setup.django_setup()
    from django.db import connection

    key = prepare()
    rows = args.calls * BATCH
    encode = lambda items: json.dumps({"items": items}).encode()  # noqa: E731

    first = batches(args.calls, prefix="TC")
    payloads = [encode(items) for items in first]
    through_test_client(
        key, payloads[:1]
    )  # warm-up: imports, first queries (its rows count as updates below)
    seconds = through_test_client(key, payloads)
    emit(rows, "test client, 1 client: new interactions per second", f"{rows / seconds:,.0f} rows/s")
    seconds = through_test_client(key, payloads)
    emit(rows, "test client, 1 client: re-sent (all updates) per second", f"{rows / seconds:,.0f} rows/s")

    second = batches(args.calls, prefix="GU", seed=8)
    seconds = through_gunicorn(key, [encode(items) for items in second])
    emit(rows, "gunicorn 2 workers, 2 clients: new interactions per second", f"{rows / seconds:,.0f} rows/s")

    third = batches(args.calls, prefix="CP", seed=9)
    seconds = through_copy(third)
    emit(rows, "COPY FROM STDIN, 1,000 rows per COPY: rows per second", f"{rows / seconds:,.0f} rows/s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM touchpoints_interaction")
        emit(None, "interactions stored (3 x calls x 1,000 expected)", f"{cursor.fetchone()[0]:,}")
    _services.redis_flush(REDIS_URL)  # the refresh tasks nobody consumed


if __name__ == "__main__":
    main()
