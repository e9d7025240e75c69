"""Benchmark of the agent workspace: customer search and customer 360 server time, CSV import.

Run from the repository root::

    .venv/bin/python bench/bench_workspace.py                               # 1M customers, 2M interactions
    .venv/bin/python bench/bench_workspace.py --interactions 10000000       # the 10M shape (slow to load)
    .venv/bin/python bench/bench_workspace.py --regenerate --runs 15

Uses its own database, ``cem_bench_workspace`` (``WORKSPACE_BENCH_DATABASE_URL`` overrides),
created and migrated when missing. Customers and interactions are loaded with ``COPY … FROM
STDIN`` (``bench/_setup.py``'s loader) and kept: a rerun with the same shape reuses them.

Data: customers with realistic-looking names (a fifth share 40 common surnames, the rest
syllable-built ones), emails, phones and CRM ids; 20 touchpoints; interactions spread over the
last year, uniformly over customers; one *heavy* customer with 1,000 interactions, 200 answered
surveys, journeys with peak–end scores and follow-ups (the 360's worst case).

Figures, one line each (median of ``--runs`` after two warm-ups; server time = Django test
client through the whole middleware stack, signed in as an agent, DEBUG off):

* search: the selector alone and the HTTP fragment, per kind of query (exact id, exact email,
  phone digits, surname, full name, a broad three-letter prefix, no match), and an as-you-type
  sequence ("g" … "grace hop"), one request per keystroke;
* customer 360: a typical customer and the heavy one (500 events on the page), with queries;
* CSV import of ``--import-rows`` customers (half updates, half new) and interactions through
  ``touchpoints.csv.csv_import``, in rows/s, beside ``COPY`` of the same file into a staging
  table, and beside COPY + one set-based ``INSERT … SELECT … ON CONFLICT`` into the real table.
  The metrics refresh that an import enqueues runs on the worker, so it is held back here.
  Rows the import adds are deleted afterwards, so the data set stays the same.

Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

os.environ.setdefault(
    "BENCH_DATABASE_URL",
    os.environ.get("WORKSPACE_BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_workspace"),
)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from bench import _bulk_load, _services, _setup
from bench._setup import Timer, emit


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words(
    "smith jones taylor brown williams wilson johnson davies patel wright robinson wood thompson evans "
    "walker white roberts green hall thomas clarke jackson wang li zhang liu chen yang huang zhao wu zhou "
    "garcia martin muller rossi silva kim nguyen novak"
)
SYLLABLES = _words(
    "ka lo mi ra ten bur ston ley ford ham ber gen lin dor vik sen mar tel wick ash ross hill ton "
    "ven ris by dal mor gan cor fi nel pa qu bro"
)
FIRST = _words(
    "grace ada alan linus margaret ken barbara dennis frances edsger john mary james patricia robert "
    "jennifer michael linda william elizabeth david susan richard jessica joseph sarah thomas karen "
    "charles nancy wei fang min jing lei yan hao ming olga ivan sofia lucas emma noah mia leo chloe"
)
HEAVY_ID = 1
CHANNELS = _setup.CHANNELS
CATEGORIES = ("", "", "", "Late delivery", "Billing", "Product question", "Complaint", "Return", "Upgrade")
OUTCOMES = ("", "resolved", "pending", "escalated", "informed")
CHUNK = 1_000_000


# --- Data --------------------------------------------------------------------------------------


def _names(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    first = np.array(FIRST)[rng.integers(0, len(FIRST), n)]
    made = np.char.add(
        np.char.add(
            np.array(SYLLABLES)[rng.integers(0, len(SYLLABLES), n)],
            np.array(SYLLABLES)[rng.integers(0, len(SYLLABLES), n)],
        ),
        np.array(SYLLABLES)[rng.integers(0, len(SYLLABLES), n)],
    )
    zipf = np.minimum(rng.zipf(1.3, n) - 1, len(COMMON) - 1)
    last = np.where(rng.random(n) < 0.2, np.array(COMMON)[zipf], made)
    return first, last


def _customers(cursor, rng, n: int, now: datetime) -> None:
    for start in range(1, n + 1, CHUNK):
        ids = np.arange(start, min(start + CHUNK, n + 1))
        first, last = _names(rng, len(ids))
        frame = pd.DataFrame(
            {
                "id": ids,
                "external_id": [f"CRM-{i:08d}" for i in ids],
                "name": np.char.add(np.char.add(np.char.capitalize(first), " "), np.char.capitalize(last)),
                "email": [f"{f}.{la}.{i}@example.com" for f, la, i in zip(first, last, ids, strict=True)],
                "phone": [f"+44 7{i % 1000:03d} {i // 1000 % 1000:03d} {i % 997:03d}" for i in ids],
                "locale": np.where(rng.random(len(ids)) < 0.15, "zh-hans", "en"),
                "segment": np.array(_setup.SEGMENTS)[rng.integers(0, len(_setup.SEGMENTS), len(ids))],
                "value_tier": np.array(["standard", "silver", "gold", "platinum"])[
                    rng.choice(4, len(ids), p=[0.7, 0.18, 0.09, 0.03])
                ],
                "email_opt_out": np.where(rng.random(len(ids)) < 0.03, "t", "f"),
                "attributes": "{}",
                "created_at": now.replace(tzinfo=None),
                "updated_at": now.replace(tzinfo=None),
            }
        )
        _bulk_load.copy_frame(cursor, "touchpoints_customer", list(frame.columns), frame)


def _interactions(cursor, rng, n: int, customers: int, touchpoints: list, now: datetime) -> None:
    start_s = int((now - timedelta(days=365)).timestamp())
    tp = np.array([t.id for t in touchpoints])
    tp_channel = np.array([t.channel for t in touchpoints])
    next_id = 1
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        customer = rng.integers(1, customers + 1, m)
        customer[: 1000 if start == 0 else 0] = HEAVY_ID
        which = rng.integers(0, len(tp), m)
        channel = np.where(rng.random(m) < 0.8, tp_channel[which], np.array(CHANNELS)[rng.integers(0, 8, m)])
        scored = rng.random(m) < 0.3
        frame = pd.DataFrame(
            {
                "id": np.arange(next_id, next_id + m),
                "customer_id": customer,
                "touchpoint_id": tp[which],
                "channel": channel,
                "occurred_at": _bulk_load.utc(np.sort(start_s + rng.integers(0, 365 * 86400, m))),
                "category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), m)],
                "outcome": np.array(OUTCOMES)[rng.integers(0, len(OUTCOMES), m)],
                "notes": np.where(rng.random(m) < 0.2, "Customer called about their order.", ""),
                "experience_score": np.where(scored, rng.integers(0, 11, m).astype(float), np.nan),
                "source": "import",
                "created_at": now.replace(tzinfo=None),
            }
        )
        _bulk_load.copy_frame(cursor, "touchpoints_interaction", list(frame.columns), frame)
        next_id += m
        print(f"    … loaded {start + m:,} / {n:,} interactions", flush=True)


def _heavy_customer_history(now: datetime) -> None:
    """Surveys, journeys and cases of the heavy customer (a few hundred rows: the ORM is fine)."""
    from analytics.services import metrics_mark_stale, metrics_refresh_stale
    from followups.models import FollowUp
    from journeys.models import Journey, JourneyMap
    from surveys.models import Answer, Invitation, Question, Response, Survey
    from touchpoints.models import Interaction

    survey = Survey.objects.create(name="Bench NPS", kind="transactional", languages=["en"], status="live")
    nps = Question.objects.create(survey=survey, order=1, type="nps", texts={"en": "Recommend?"})
    why = Question.objects.create(survey=survey, order=2, type="text", texts={"en": "Why?"}, required=False)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            customer_id=HEAVY_ID,
            token_hash=f"bench{k:059d}",
            status="responded",
            send_after=now - timedelta(days=k),
            expires_at=now + timedelta(days=60),
        )
        for k in range(200)
    )
    responses = Response.objects.bulk_create(
        Response(
            invitation=i,
            survey=survey,
            customer_id=HEAVY_ID,
            submitted_at=now - timedelta(days=k, hours=3),
            language="en",
        )
        for k, i in enumerate(invitations)
    )
    Answer.objects.bulk_create(
        [Answer(response=r, question=nps, question_type="nps", score=k % 11) for k, r in enumerate(responses)]
        + [
            Answer(response=r, question=why, question_type="text", text=f"Comment {k}")
            for k, r in enumerate(responses)
        ]
    )
    journey_map = JourneyMap.objects.create(name="Bench journey")
    for k in range(10):
        journey = Journey.objects.create(
            customer_id=HEAVY_ID, journey_map=journey_map, started_at=now - timedelta(days=300 - 30 * k)
        )
        ids = list(
            Interaction.objects.filter(customer_id=HEAVY_ID)
            .order_by("id")
            .values_list("id", flat=True)[k * 20 : k * 20 + 20]
        )
        Interaction.objects.filter(id__in=ids).update(journey=journey, experience_score=(k % 10) + 0.5)
        metrics_mark_stale(journey_ids=[journey.id])
    with mock.patch("analytics.tasks.metrics_refresh_stale.delay_on_commit"):
        metrics_refresh_stale()
    FollowUp.objects.bulk_create(
        FollowUp(
            reason="detractor",
            customer_id=HEAVY_ID,
            response=r,
            score=2,
            opened_at=now,
            due_at=now + timedelta(days=2),
        )
        for r in responses[:10]
    )


def prepare(customers: int, interactions: int, *, regenerate: bool) -> None:
    from django.db import connection, transaction

    from touchpoints.models import Customer, Interaction, Touchpoint

    shape_ok = (
        Customer.objects.count() == customers
        and (Interaction.objects.order_by("-id").values_list("id", flat=True).first() or 0) == interactions
    )
    if shape_ok and not regenerate:
        emit(customers, "data: reused (customers, interactions)", f"{customers:,} / {interactions:,}")
        return
    now = datetime.now(UTC).replace(microsecond=0)
    rng = np.random.default_rng(20240601)
    with Timer() as load:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE touchpoints_customer, touchpoints_interaction, touchpoints_touchpoint, "
                "journeys_journey, journeys_journeymap, surveys_survey, analytics_stalemark "
                "RESTART IDENTITY CASCADE"
            )
        touchpoints = _setup.touchpoints_new(code_prefix="tp")
        Touchpoint.objects.bulk_create(touchpoints)
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SET session_replication_role = replica")
            try:
                with transaction.atomic():
                    _customers(cursor, rng, customers, now)
                _interactions(cursor, rng, interactions, customers, touchpoints, now)
            finally:
                cursor.execute("RESET session_replication_role")
                cursor.execute("SET TIME ZONE DEFAULT")
            for table in ("touchpoints_customer", "touchpoints_interaction"):
                cursor.execute(  # the table names are constants
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
    emit(
        customers,
        "data: COPY customers + interactions",
        f"{load.seconds:8.1f} s  ({customers:,} / {interactions:,})",
    )
    with Timer() as history:
        _heavy_customer_history(now)
    with Timer() as vacuum:
        _setup.vacuum_analyze(
            "touchpoints_customer", "touchpoints_interaction", "surveys_response", "surveys_answer"
        )
    emit(
        customers,
        "data: heavy customer's history; VACUUM ANALYZE",
        f"{history.seconds:8.1f} s; {vacuum.seconds:.1f} s",
    )


# --- Measurements -----------------------------------------------------------------------------


def _median_ms(call, runs: int) -> float:
    return _setup.median_ms(call, runs, warmups=2)


def _agent_client():
    from access.roles import AGENT

    return _setup.signed_in_client("bench-agent", AGENT)


def _get(client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def bench_search(size: int, runs: int) -> None:
    from django.urls import reverse

    from touchpoints.models import Customer
    from touchpoints.selectors import customer_search

    client = _agent_client()
    sample = Customer.objects.get(pk=size // 2)
    last = sample.name.lower().split(" ", 1)[1]
    queries = {
        "exact customer id": sample.external_id,
        "exact email": sample.email,
        "phone digits": sample.phone[-7:],
        f"surname ({last})": last,
        "common surname (smith)": "smith",
        f"full name ({sample.name})": sample.name,
        "three letters (gra)": "gra",
        "no match (qzxv)": "qzxv",
    }
    url = reverse("customer-search-results")
    for label, query in queries.items():
        matched = customer_search(query=query).matched
        selector = _median_ms(lambda q=query: customer_search(query=q), runs)
        http = _median_ms(lambda q=query: _get(client, url, {"q": q}), runs)
        emit(
            size, f"search {label}", f"{selector:7.1f} ms selector, {http:7.1f} ms HTTP  ({matched} matched)"
        )
    typed = [("grace hopper"[:k]) for k in range(1, 10)]
    per_key = [_median_ms(lambda q=q: _get(client, url, {"q": q}), max(3, runs // 3)) for q in typed]
    emit(
        size,
        f"search as you type ({len(typed)} keystrokes 'g'…'{typed[-1]}')",
        f"{statistics.median(per_key):7.1f} ms median, {max(per_key):7.1f} ms worst keystroke",
    )


def bench_360(size: int, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from workspace.selectors import customer_360

    client = _agent_client()
    for label, customer_id in (("typical customer", size // 3), ("heavy customer", HEAVY_ID)):
        view = customer_360(customer_id=customer_id)
        url = reverse("customer-detail", args=[customer_id])
        selector = _median_ms(lambda c=customer_id: customer_360(customer_id=c), runs)
        http = _median_ms(lambda u=url: _get(client, u), runs)
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        emit(
            size,
            f"360 {label} ({len(view.events)} events on the page)",
            f"{selector:7.1f} ms selector, {http:7.1f} ms HTTP  ({len(queries)} queries)",
        )


def _customer_file(rows: int, customers: int) -> str:
    """Half updates of existing customers (same values), half new ``IMP-`` customers."""
    from touchpoints.csv.customers import COLUMNS as CUSTOMER_FIELDS  # the model fields of the same names
    from touchpoints.models import Customer

    existing = Customer.objects.filter(id__lte=rows // 2).order_by("id").values_list(*CUSTOMER_FIELDS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CUSTOMER_FIELDS)
    for row in existing:
        writer.writerow(["true" if v is True else "false" if v is False else v for v in row])
    for k in range(rows - rows // 2):
        writer.writerow(
            [f"IMP-{k:08d}", f"Imported Person{k}", f"imp{k}@example.com", "", "en", "smb", "gold", "false"]
        )
    return out.getvalue()


def _interaction_file(rows: int, customers: int) -> str:
    when = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "customer_external_id",
            "touchpoint_code",
            "occurred_at",
            "external_id",
            "outcome",
            "experience_score",
        ]
    )
    for k in range(rows):
        writer.writerow(
            [
                f"CRM-{(k * 7919) % customers + 1:08d}",
                f"tp-{k % 20 + 1:02d}",
                when,
                f"IMPI-{k:08d}",
                "resolved",
                k % 11,
            ]
        )
    return out.getvalue()


STAGING = {
    "customers": "external_id text, name text, email text, phone text, locale text, segment text, "
    "value_tier text, email_opt_out text",
    "interactions": "customer_external_id text, touchpoint_code text, occurred_at text, external_id text, "
    "outcome text, experience_score text",
}
UPSERT = {
    "customers": """
        INSERT INTO touchpoints_customer (external_id, name, email, phone, locale, segment, value_tier,
            email_opt_out, attributes, created_at, updated_at)
        SELECT external_id, name, email, phone, locale, segment, value_tier, email_opt_out::boolean, '{}',
            now(), now() FROM staging
        ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
            phone = EXCLUDED.phone, locale = EXCLUDED.locale, segment = EXCLUDED.segment,
            value_tier = EXCLUDED.value_tier, updated_at = now()""",
    "interactions": """
        INSERT INTO touchpoints_interaction (external_id, customer_id, touchpoint_id, channel, occurred_at,
            category, outcome, notes, experience_score, source, created_at)
        SELECT s.external_id, c.id, t.id, t.channel, s.occurred_at::timestamptz, '', s.outcome, '',
            s.experience_score::float, 'import', now()
        FROM staging s JOIN touchpoints_customer c ON c.external_id = s.customer_external_id
        JOIN touchpoints_touchpoint t ON t.code = s.touchpoint_code
        ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET
            customer_id = EXCLUDED.customer_id, touchpoint_id = EXCLUDED.touchpoint_id,
            occurred_at = EXCLUDED.occurred_at, outcome = EXCLUDED.outcome,
            experience_score = EXCLUDED.experience_score""",
}


def _copy_floor(kind: str, text: str) -> tuple[float, float]:
    """Seconds to COPY the file into a staging table, and to COPY + upsert it into the real table
    (then rolled back, so the data set stays as it was)."""
    from django.db import connection, transaction

    timings = []
    for upsert in (False, True):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE staging ({STAGING[kind]}) ON COMMIT DROP")
            with Timer() as t:
                cursor.copy_expert(
                    "COPY staging FROM STDIN WITH (FORMAT csv, HEADER true, NULL '\\N')", io.StringIO(text)
                )
                if upsert:
                    cursor.execute(UPSERT[kind])
            timings.append(t.seconds)
            transaction.set_rollback(True)
    return timings[0], timings[1]


def bench_import(size: int, rows: int) -> None:
    from analytics.models import StaleMark
    from touchpoints.csv import csv_import
    from touchpoints.models import Customer, Interaction

    for kind, text in (
        ("customers", _customer_file(rows, size)),
        ("interactions", _interaction_file(rows, size)),
    ):
        copy_only, copy_upsert = _copy_floor(kind, text)  # first: it rolls back what it wrote
        with mock.patch("analytics.tasks.metrics_refresh_stale.delay_on_commit"), Timer() as t:
            report = csv_import(kind=kind, stream=io.StringIO(text, newline=""))
        if report.refused:
            raise RuntimeError(f"the bench file was refused: {report.errors[:3]}")
        emit(
            size,
            f"import {rows:,} {kind} (csv_import: {report.created:,} new, {report.updated:,} updated)",
            f"{rows / t.seconds:9,.0f} rows/s  ({t.seconds:.1f} s)",
        )
        emit(
            size,
            "  COPY of the same file into a staging table",
            f"{rows / copy_only:9,.0f} rows/s  ({copy_only:.2f} s)",
        )
        emit(
            size,
            "  COPY + one INSERT … SELECT upsert",
            f"{rows / copy_upsert:9,.0f} rows/s  ({copy_upsert:.2f} s)",
        )
    Interaction.objects.filter(external_id__startswith="IMPI-").delete()
    Customer.objects.filter(external_id__startswith="IMP-").delete()
    StaleMark.objects.all().delete()


def machine() -> None:
    cpu, ram = _services.cpu_model(), _services.memory_gib()
    emit(None, "machine", f"{os.cpu_count()} CPUs, {cpu}, {ram:.1f} GiB RAM")
    emit(
        None,
        "versions",
        f"PostgreSQL {_services.postgres_version()}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}",
    )
    # The machine may be shared: a load above the CPU count slows every figure below.
    emit(None, "load average (1, 5, 15 min) at start", " ".join(f"{x:.1f}" for x in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure (median)")
    parser.add_argument("--regenerate", action="store_true", help="reload the data even when present")
    args = parser.parse_args()

    _setup.django_setup()
    machine()
    prepare(args.customers, args.interactions, regenerate=args.regenerate)
    bench_search(args.customers, args.runs)
    bench_360(args.customers, args.runs)
    bench_import(args.customers, args.import_rows)


if __name__ == "__main__":
    main()
