"""Benchmark of the customer-facing survey path: survey pages under gunicorn, invitations by email.

Run from the repository root (``make bench`` runs every ``bench/bench_*.py`` with no arguments)::

    .venv/bin/python bench/bench_surveys.py
    .venv/bin/python bench/bench_surveys.py --duration 30 --concurrency 16 --invitations 5000
    .venv/bin/python bench/bench_surveys.py --skip-celery --results /tmp/results.md

Needs PostgreSQL and Redis. Uses its own database, ``cem_bench_surveys`` (created and
migrated when missing; its survey, customer, journey and analytics tables are emptied
at every run) and its own Redis database, 11 (emptied at the start and the end; the
run stops if it holds keys of anything but Celery and the cache). Override them with
``BENCH_SURVEYS_DATABASE_URL`` and ``BENCH_SURVEYS_REDIS_URL``.

Figures, one line each:

1. Survey pages under gunicorn in production mode (DEBUG off, a secret key,
   ``--workers 2 x cores``, sync workers as in docker-compose.yml, Redis as cache
   and broker), settings ``bench.surveys_bench_settings``; a Python load generator
   (threads, one ``http.client`` connection each) runs for ``--duration`` seconds at
   ``--concurrency``:

   * ``/bench/trivial/`` (a view returning "ok" through the whole middleware): requests/s;
   * survey pairs: GET ``/s/<token>/`` (200) then POST the answers (NPS 9 and a text)
     to the same URL (302 to ``/s/thanks/``), a fresh token per pair: pairs/s, the ratio
     to the trivial requests/s, p50/p95 of the pair, the GET and the POST, errors
     (any other status or a socket error), and the check that the database holds one
     ``Response`` (and two ``Answer`` rows) per successful POST;
   * the SQL statements of one GET and one POST (counted in this process) and the
     PostgreSQL sessions opened during the runs;
   * where the CPU went meanwhile (cores used by the load generator, gunicorn,
     PostgreSQL, Redis and everything else on the machine, other engineers' work included).

2. Invitations emailed to a local SMTP server (aiosmtpd in a process of its own,
   counting what it accepts), queued invitations of distinct customers:

   * ``invitation_send(invitation_id=…)`` in this process, sequentially, Django's SMTP
     backend: emails/s, and the messages received (must equal the invitations sent);
   * the same with Django's in-memory backend: what the rest of the send costs;
   * a Celery worker (``--pool=prefork --concurrency=2``) fed ``invitation_send.delay(id)``,
     at the default ``SURVEY_SEND_RATE`` (20/s) and at 1000/s: emails/s from the first
     enqueue to the last invitation marked sent, and over the spread of ``sent_at``; how
     long a heartbeat task enqueued behind the sends waited;
   * for each: the SMTP connections and the new PostgreSQL sessions per email.

The figures and the machine are written to ``bench/RESULTS_surveys.md`` (``--results``).
Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _services
from bench._services import ROOT, SmtpSink, info, percentile
from bench._survey_data import (
    BenchSurvey,
    customers_create,
    invitations_create,
    queued_invitations,
    survey_create,
)
from bench._surveys_measure import (
    TEXT_ANSWER,
    LoadResult,
    cpu_window,
    pair_operation,
    postgres_sessions,
    run_load,
    trivial_operation,
)
from bench._surveys_results import NOTES, emit, emit_cpu, host_facts, ms, write_results

DATABASE_URL = os.environ.get(
    "BENCH_SURVEYS_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_surveys"
)
BENCH_DATABASE = urlsplit(DATABASE_URL).path.lstrip("/")
REDIS_URL = os.environ.get("BENCH_SURVEYS_REDIS_URL", "redis://127.0.0.1:6379/11")
SETTINGS_MODULE = "bench.surveys_bench_settings"
RESULTS_PATH = ROOT / "bench" / "RESULTS_surveys.md"
# The apps whose tables every run empties in the benchmark database.
SURVEY_APPS = ("analytics", "surveys", "journeys", "touchpoints")
# Keys the Redis database may hold before a run: Celery's (kombu) and the cache's.
OWN_REDIS_KEYS = re.compile(r"^(celery|unacked.*|_kombu\..*|cem:.*)$")
# The roles the CPU lines name, in order (the rest is "other").
PAGE_ROLES = ["load generator", "gunicorn", "postgres", "ended sessions", "redis"]
EMAIL_ROLES = ["bench process", "smtp server", "postgres", "ended sessions", "redis"]
CELERY_ROLES = ["celery", "smtp server", "postgres", "ended sessions", "redis"]


# --- Redis, CPU ----------------------------------------------------------------------------------

_REDIS_CLAIMED = threading.Event()


def redis_claim() -> None:
    """Empty the benchmark's Redis database, refusing one that holds anything else."""
    client = _services.redis_client(REDIS_URL)
    foreign = [key.decode() for key in client.scan_iter(count=1000) if not OWN_REDIS_KEYS.match(key.decode())]
    if foreign:
        raise SystemExit(
            f"{REDIS_URL} holds keys of something else ({', '.join(sorted(foreign)[:5])}…); "
            "point BENCH_SURVEYS_REDIS_URL at an unused Redis database."
        )
    client.flushdb()
    _REDIS_CLAIMED.set()


def redis_release() -> None:
    """Empty the benchmark's Redis database at the end, if this run claimed it."""
    try:
        if _REDIS_CLAIMED.is_set():
            _services.redis_flush(REDIS_URL)
    except Exception as error:  # noqa: BLE001 - cleanup must not hide the run's own error
        print(f"could not empty {REDIS_URL}: {error}", file=sys.stderr)


def cpu_during(roles: dict[int, str]):
    """``with cpu_during(roles) as window:`` the CPU per role (the benchmark database's backends as
    "postgres") while the block runs."""
    return cpu_window(roles, database=BENCH_DATABASE)


# --- 1. survey pages under gunicorn ------------------------------------------------------------------


def page_tokens(count: int) -> tuple[BenchSurvey, deque]:
    """The survey and ``count`` sent invitations' (token, language), for the pages to answer."""
    from surveys.models import InvitationStatus

    survey = survey_create()
    customers = customers_create(count, prefix="P")
    invitations = invitations_create(survey.survey_id, customers, status=InvitationStatus.SENT)
    return survey, deque((token, language) for _, token, language in invitations)


def bench_pages(args, environment: dict[str, str], workdir: Path, cleanup: contextlib.ExitStack) -> None:
    survey, tokens = page_tokens(args.invitations)
    info(f"{len(tokens):,} invitations with known tokens; starting gunicorn ({args.workers} workers)")
    counted = tokens.pop()  # kept for counting the queries of one pair in this process

    server = cleanup.enter_context(
        _services.gunicorn_start(
            environment,
            workdir / "gunicorn.log",
            workers=args.workers,
            timeout=60,
            ready_path="/bench/trivial/",
        )
    )
    roles = {os.getpid(): "load generator", server.process.pid: "gunicorn"}

    def load(duration: float, operation) -> LoadResult:
        return run_load(server.port, concurrency=args.concurrency, duration=duration, operation=operation)

    # Warm-up: every worker connects to PostgreSQL and Redis and loads its templates.
    load(2, trivial_operation)
    posts_ok = load(2, pair_operation(tokens, survey)).posts_ok
    sessions = postgres_sessions()

    with cpu_during(roles) as window:
        trivial = load(args.duration, trivial_operation)
    emit_trivial(trivial)
    emit_cpu("pages", "trivial", window, PAGE_ROLES)

    with cpu_during(roles) as window:
        pairs = load(args.duration, pair_operation(tokens, survey))
    posts_ok += pairs.posts_ok
    sessions = postgres_sessions() - sessions
    server.stop()
    emit_pairs(pairs, trivial)
    emit_cpu("pages", "pair", window, PAGE_ROLES)
    if pairs.out_of_tokens:
        info(f"the {args.invitations:,} tokens ran out before {args.duration} s: raise --invitations")
    get_queries, post_queries = queries_per_pair(*counted, survey)
    posts_ok += 1
    emit(
        "pages",
        "  SQL queries of one GET / one POST",
        f"{get_queries} / {post_queries}",
        "counted in this process (Django test client, same settings), transaction statements included",
    )
    emit_stored(posts_ok)
    emit(
        "pages",
        "  new PostgreSQL sessions during both runs",
        f"{sessions:,}",
        f"gunicorn keeps one connection per worker (CONN_MAX_AGE); {args.workers} workers",
    )
    NOTES.update(
        trivial_rate=trivial.rate,
        pairs_rate=pairs.rate,
        get_queries=get_queries,
        post_queries=post_queries,
        sessions_pages=sessions,
    )


def emit_trivial(trivial: LoadResult) -> None:
    emit(
        "pages",
        "trivial view, requests/s",
        f"{trivial.rate:,.0f}",
        f"p50 {ms(percentile(trivial.latencies['op'], 0.5))}, "
        f"p95 {ms(percentile(trivial.latencies['op'], 0.95))}, errors {trivial.error_count}",
    )


def emit_pairs(pairs: LoadResult, trivial: LoadResult) -> None:
    """Pairs/s with their latencies, the GET's and the POST's, and the ratio to the trivial view."""
    lat = pairs.latencies
    emit(
        "pages",
        "survey GET + POST pairs/s",
        f"{pairs.rate:,.1f}",
        f"p50 {ms(percentile(lat['op'], 0.5))}, p95 {ms(percentile(lat['op'], 0.95))}, "
        f"errors {pairs.error_count}" + (f" {dict(pairs.errors)}" if pairs.errors else ""),
    )
    emit(
        "pages",
        "  GET /s/<token>/ latency",
        ms(percentile(lat["get"], 0.5)),
        f"p50; p95 {ms(percentile(lat['get'], 0.95))}",
    )
    emit(
        "pages",
        "  POST /s/<token>/ latency",
        ms(percentile(lat["post"], 0.5)),
        f"p50; p95 {ms(percentile(lat['post'], 0.95))}",
    )
    emit(
        "pages",
        "  pairs/s ÷ trivial requests/s",
        f"{pairs.rate / trivial.rate:.3f}",
        f"(requests/s of the pairs: {2 * pairs.rate:,.1f}, {2 * pairs.rate / trivial.rate:.3f} of trivial)",
    )


def emit_stored(posts_ok: int) -> None:
    """The database holds one Response (and two Answer rows) per POST answered 302."""
    from surveys.models import Answer, Response

    responses = Response.objects.count()
    answers = Answer.objects.count()
    emit(
        "pages",
        "  Response rows = successful POSTs",
        "yes" if responses == posts_ok and answers == 2 * posts_ok else "NO",
        f"{responses:,} responses, {answers:,} answers, {posts_ok:,} POSTs answered 302 (warm-up included)",
    )


def queries_per_pair(token: str, language: str, survey: BenchSurvey) -> tuple[int, int]:
    """The SQL statements one GET and one POST of a survey page send, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as get:
        response = client.get(f"/s/{token}/")
    assert response.status_code == 200, response.status_code
    data = {survey.nps_field: "9", survey.text_field: TEXT_ANSWER, "lang": language}
    with CaptureQueriesContext(connection) as post:
        response = client.post(f"/s/{token}/", data)
    assert response.status_code == 302, response.status_code
    return len(get.captured_queries), len(post.captured_queries)


# --- 2. invitations by email ---------------------------------------------------------------------


def queries_per_send(invitation_id: int) -> int:
    """The SQL statements of one ``invitation_send`` (transaction statements included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.services.invitations import invitation_send

    with CaptureQueriesContext(connection) as queries:
        assert invitation_send(invitation_id=invitation_id) == "sent"
    return len(queries.captured_queries)


def send_in_process(ids: list[int]) -> tuple[float, Counter[str]]:
    from surveys.services.invitations import invitation_send

    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for invitation_id in ids:
        outcomes[invitation_send(invitation_id=invitation_id)] += 1
    return time.perf_counter() - started, outcomes


@dataclass
class CeleryRun:
    seconds: float  # from the first enqueue until no invitation is queued any more
    spread: float  # from the first sent_at to the last
    statuses: Counter[str]
    done: bool  # all handled before the timeout
    probe: float | None  # seconds until a heartbeat task enqueued behind the sends ran


def send_by_celery(ids: list[int], *, timeout: float) -> CeleryRun:
    """Enqueue ``invitation_send`` for ``ids``, then one ``worker_heartbeat`` (a probe of how long any
    other task waits behind them); wait until no invitation is queued."""
    from django.db.models import Max, Min

    from analytics import tasks as analytics_tasks
    from analytics.models import WorkerHeartbeat
    from surveys import tasks
    from surveys.models import Invitation, InvitationStatus

    rows = Invitation.objects.filter(id__gte=min(ids), id__lte=max(ids))
    probe_name = f"bench-probe-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    for invitation_id in ids:
        tasks.invitation_send.delay(invitation_id)
    probe_sent = time.perf_counter()
    analytics_tasks.worker_heartbeat.delay(probe_name)
    deadline = time.monotonic() + timeout
    done, probe = False, None
    while time.monotonic() < deadline:
        if probe is None and WorkerHeartbeat.objects.filter(name=probe_name).exists():
            probe = time.perf_counter() - probe_sent
        if not rows.filter(status=InvitationStatus.QUEUED).exists():
            done = True
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    while probe is None and time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(name=probe_name).exists():
            probe = time.perf_counter() - probe_sent
        time.sleep(0.05)
    spread = rows.filter(status=InvitationStatus.SENT).aggregate(first=Min("sent_at"), last=Max("sent_at"))
    spread_seconds = (
        (spread["last"] - spread["first"]).total_seconds() if spread["first"] and spread["last"] else 0.0
    )
    statuses = Counter(rows.values_list("status", flat=True))
    return CeleryRun(seconds, spread_seconds, statuses, done, probe)


def emit_delivery(smtp: SmtpSink, before: tuple[int, int, int], sent: int, sessions: int) -> float:
    """The SMTP server received what was sent, once each; and the connections it took (per email)."""
    messages, distinct, connections = (now - then for now, then in zip(smtp.summary(), before, strict=True))
    emit(
        "email",
        "  received by the SMTP server = sent",
        "yes" if messages == sent and distinct == sent else "NO",
        f"{messages:,} messages, {distinct:,} distinct invitations; {connections:,} SMTP connections, "
        f"{sessions:,} new PostgreSQL sessions ({connections / max(sent, 1):.2f} and "
        f"{sessions / max(sent, 1):.2f} per email)",
    )
    return connections / max(sent, 1)


def bench_email(args, environment: dict[str, str], smtp_port: int, workdir: Path, cleanup) -> None:
    from surveys.models import Survey

    survey_id = Survey.objects.get(name="Bench relationship survey").id
    smtp = SmtpSink.start(smtp_port)
    cleanup.callback(smtp.stop)
    email_in_process(args, smtp, survey_id)
    email_in_memory(args, survey_id)
    if args.skip_celery:
        return
    redis_claim()  # the metrics refreshes the pages and the sends enqueued: nobody consumed them
    runs = [
        ("default SURVEY_SEND_RATE", "20/s", args.invitations_throttled, "T"),
        # Far below what the worker can do, so the figure shows whether the limit is per worker
        # (5/s) or per pool process (10/s with 2 processes).
        ("SURVEY_SEND_RATE=5/s", "5/s", 40, "F"),
        ("SURVEY_SEND_RATE=1000/s", "1000/s", args.invitations_worker, "U"),
    ]
    for label, rate, count, prefix in runs:
        ids = queued_invitations(survey_id, count, prefix)
        worker = _services.celery_worker_start(
            environment,
            workdir / f"celery-{prefix}.log",
            name="bench-surveys",
            log_level="WARNING",
            SURVEY_SEND_RATE=rate,
        )
        cleanup.callback(_services.stop, worker)
        email_by_celery(smtp, worker, ids, label=label, rate=rate, prefix=prefix)


def email_in_process(args, smtp: SmtpSink, survey_id: int) -> None:
    """In this process, sequentially, Django's SMTP backend; the first send's SQL is counted apart."""
    roles = {os.getpid(): "bench process", smtp.process.pid: "smtp server"}
    counted, *ids = queued_invitations(survey_id, args.invitations_email + 1, "E")
    NOTES["send_queries"] = queries_per_send(counted)
    delivered, sessions = smtp.summary(), postgres_sessions()
    with cpu_during(roles) as window:
        seconds, outcomes = send_in_process(ids)
    sent = outcomes.get("sent", 0)
    emit(
        "email",
        "invitation_send in-process, SMTP: emails/s",
        f"{sent / seconds:,.1f}",
        f"{sent:,} sent in {seconds:.1f} s ({ms(seconds / len(ids))} each); outcomes {dict(outcomes)}; "
        f"{NOTES['send_queries']:.0f} SQL statements per send",
    )
    NOTES["smtp_connections"] = emit_delivery(smtp, delivered, sent, postgres_sessions() - sessions)
    emit_cpu("email", "in-process send", window, EMAIL_ROLES)
    NOTES.update(inprocess_rate=sent / seconds, inprocess_ms=seconds / len(ids) * 1000)


def email_in_memory(args, survey_id: int) -> None:
    """The same without SMTP: the database work, the rendering and the stale marks alone."""
    from django.core import mail
    from django.test import override_settings

    ids = queued_invitations(survey_id, min(args.invitations_email, 300), "L")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        seconds, outcomes = send_in_process(ids)
        mail.outbox = []
    sent = outcomes.get("sent", 0)
    emit(
        "email",
        "  same with the in-memory backend: emails/s",
        f"{sent / seconds:,.1f}",
        f"{sent:,} sent in {seconds:.1f} s ({ms(seconds / len(ids))} each): the cost without SMTP",
    )
    NOTES.update(locmem_rate=sent / seconds, locmem_ms=seconds / len(ids) * 1000)


def email_by_celery(smtp: SmtpSink, worker, ids: list[int], *, label: str, rate: str, prefix: str) -> None:
    """The worker fed ``invitation_send.delay(id)`` for ``ids`` at ``rate``; stopped afterwards."""
    roles = {os.getpid(): "bench process", smtp.process.pid: "smtp server", worker.pid: "celery"}
    delivered, sessions = smtp.summary(), postgres_sessions()
    with cpu_during(roles) as window:
        run = send_by_celery(ids, timeout=60 + 3 * len(ids) / 20)
    sessions = postgres_sessions() - sessions
    _services.stop(worker)
    redis_claim()
    sent = run.statuses.get("sent", 0)
    emit(
        "email",
        f"Celery prefork x2, {label} ({rate}): emails/s",
        f"{sent / run.seconds:,.1f}",
        f"{sent:,} sent in {run.seconds:.1f} s from the first enqueue"
        + (f", {(sent - 1) / run.spread:,.1f}/s over the spread of sent_at" if run.spread > 0 else "")
        + ("" if run.done else f"; TIMED OUT, statuses {dict(run.statuses)}"),
    )
    emit(
        "email",
        "  a heartbeat task enqueued behind the sends ran after",
        "never" if run.probe is None else f"{run.probe:.1f} s",
        "one queue for every task: what waits behind a backlog of sends",
    )
    NOTES[f"celery_{prefix}_probe"] = -1.0 if run.probe is None else run.probe
    emit_delivery(smtp, delivered, sent, sessions)
    emit_cpu("email", f"Celery {rate}", window, CELERY_ROLES)
    NOTES[f"celery_{prefix}"] = sent / run.seconds
    NOTES[f"celery_{prefix}_sessions"] = sessions / max(sent, 1)


# --- main --------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per load run (15)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument(
        "--invitations", type=int, default=3000, help="invitations with known tokens for the pages (3000)"
    )
    parser.add_argument(
        "--invitations-email", type=int, default=2000, help="invitations emailed in this process (2000)"
    )
    parser.add_argument(
        "--invitations-worker",
        type=int,
        default=1000,
        help="invitations emailed by the worker at SURVEY_SEND_RATE=1000/s (1000)",
    )
    parser.add_argument(
        "--invitations-throttled",
        type=int,
        default=200,
        help="invitations emailed by the worker at the default rate limit (200)",
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers (2 × cores)"
    )
    parser.add_argument("--skip-pages", action="store_true", help="skip the gunicorn figures")
    parser.add_argument("--skip-celery", action="store_true", help="skip the Celery worker figures")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH, help="markdown file written")
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn and Celery logs")
    return parser.parse_args()


def bench_all(args, environment: dict[str, str], smtp_port: int, workdir: Path, cleanup) -> None:
    """Set up the database and Redis, measure the machine at rest, then the pages and the emails."""
    redis_claim()
    info("collectstatic (the production storage needs its manifest)")
    _services.collectstatic(environment)
    _services.django_setup(environment, reset_apps=SURVEY_APPS)
    host = host_facts()
    with cpu_during({os.getpid(): "bench process"}) as window:
        time.sleep(2)
    background = window.report()[0]
    NOTES["background"] = background
    print(
        f"bench_surveys: {host['cpus']} × {host['cpu']}, {host['ram']}, PostgreSQL {host['postgres']}, "
        f"Python {host['python']}",
        flush=True,
    )
    emit("machine", "background load before the run", f"{background:.2f} cores", "(other processes)")
    if args.skip_pages:
        survey_create()
    else:
        bench_pages(args, environment, workdir, cleanup)
    bench_email(args, environment, smtp_port, workdir, cleanup)
    write_results(args.results, args, host)


def main() -> None:
    args = parse_args()
    with _services.workdir("bench-surveys-", keep=args.keep_logs) as workdir:
        smtp_port = _services.free_port()
        environment = _services.environment(
            database_url=DATABASE_URL,
            redis_url=REDIS_URL,
            static_root=workdir / "static",
            smtp_port=smtp_port,
            settings_module=SETTINGS_MODULE,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        try:
            with contextlib.ExitStack() as cleanup:
                bench_all(args, environment, smtp_port, workdir, cleanup)
        finally:
            redis_release()


if __name__ == "__main__":
    main()
