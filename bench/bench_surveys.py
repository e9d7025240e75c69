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
import http.client
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_SURVEYS_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_surveys"
)
BENCH_DATABASE = urlsplit(DATABASE_URL).path.lstrip("/")
REDIS_URL = os.environ.get("BENCH_SURVEYS_REDIS_URL", "redis://127.0.0.1:6379/11")
SETTINGS_MODULE = "bench.surveys_bench_settings"
SECRET_KEY = "bench-surveys-secret-" + "x" * 40
RESULTS_PATH = ROOT / "bench" / "RESULTS_surveys.md"
TEXT_ANSWER = "Quick and friendly service, the agent solved it on the first call. 服务很好，谢谢！"
# Keys the Redis database may hold before a run: Celery's (kombu) and the cache's.
OWN_REDIS_KEYS = re.compile(r"^(celery|unacked.*|_kombu\..*|cem:.*)$")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- output ----------------------------------------------------------------------------------


@dataclass
class Figure:
    section: str
    name: str
    value: str
    detail: str = ""


FIGURES: list[Figure] = []
NOTES: dict[str, float] = {}  # numbers the notes of the results file quote


def emit(section: str, name: str, value: str, detail: str = "") -> None:
    """Print one figure on one line and keep it for the results file."""
    FIGURES.append(Figure(section, name, value, detail))
    print(f"{section:<7} {name:<44} {value:>16}  {detail}".rstrip(), flush=True)


def info(message: str) -> None:
    print(f"  … {message}", flush=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- environment, database, Redis ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_environment(*, static_root: Path, smtp_port: int) -> dict[str, str]:
    """The production-mode environment shared by this process, gunicorn and the Celery worker."""
    return {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "False",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The pages must never answer 429: every request comes from 127.0.0.1.
        "SURVEY_FAILURE_LIMIT": "1000000000",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": "http://127.0.0.1:8000",
    }


def ensure_database(url: str) -> None:
    """CREATE DATABASE the benchmark database when it does not exist yet."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "root",
        "dbname": "postgres",
    }
    if parts.password:
        params["password"] = parts.password
    connection = psycopg2.connect(**params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                info(f"creating database {name}")
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL)


_REDIS_CLAIMED = threading.Event()


def redis_claim() -> None:
    """Empty the benchmark's Redis database, refusing one that holds anything else."""
    client = redis_client()
    foreign = [key.decode() for key in client.scan_iter(count=1000) if not OWN_REDIS_KEYS.match(key.decode())]
    if foreign:
        raise SystemExit(
            f"{REDIS_URL} holds keys of something else ({', '.join(sorted(foreign)[:5])}…); "
            "point BENCH_SURVEYS_REDIS_URL at an unused Redis database."
        )
    client.flushdb()
    _REDIS_CLAIMED.set()


def reset_tables() -> None:
    """Empty every table of the project's apps in the benchmark database (never another database)."""
    from django.apps import apps
    from django.db import connection

    assert connection.settings_dict["NAME"] == urlsplit(DATABASE_URL).path.lstrip("/")
    existing = set(connection.introspection.table_names())
    tables = [
        model._meta.db_table
        for label in ("analytics", "surveys", "journeys", "touchpoints")
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def collectstatic(environment: dict[str, str]) -> None:
    """The manifest the production storage needs (into a temporary STATIC_ROOT)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=300,
    )


# --- CPU accounting ------------------------------------------------------------------------------


@dataclass
class CpuSnapshot:
    at: float
    busy: float  # CPU seconds the whole machine spent outside idle and iowait
    processes: dict[int, tuple[str, float]]  # pid → (role, CPU seconds of its own)
    backends: dict[int, float]  # the postmaster's children (backends of every database) → CPU seconds
    reaped: float  # CPU seconds of the postmaster's children that have ended (its cutime + cstime)


def _machine_busy() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


# "postgres: 15/main: root cem_bench_surveys 127.0.0.1(34842) idle": user, database, client.
_BACKEND_TITLE = re.compile(r"postgres: (?:[^:]*: )?\S+ (\S+) [^ ]*\(\d+\)")


def _role_by_name(entry: Path, name: str) -> str:
    """PostgreSQL's own processes and the backends of the benchmark database are "postgres"; the
    backends of other databases (another benchmark, a test run) are "other", like the rest."""
    if name.startswith("redis"):
        return "redis"
    if name != "postgres":
        return "other"
    try:
        title = (entry / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return "other"
    backend = _BACKEND_TITLE.search(title)
    if backend:  # a client's backend: ours or another database's
        return "postgres" if backend.group(1) == BENCH_DATABASE else "other"
    return "other" if "parallel worker" in title else "postgres"  # checkpointer, WAL writer, …


def cpu_snapshot(roles: dict[int, str]) -> CpuSnapshot:
    """CPU seconds per process, each given a role: ``roles`` by its pid or its parent's pid,
    else PostgreSQL, Redis or other by its name."""
    processes, parents, names, reaped = {}, {}, {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(rest[1])
        role = roles.get(pid) or roles.get(ppid) or _role_by_name(entry, name)
        processes[pid] = (role, (int(rest[11]) + int(rest[12])) / CLK_TCK)  # utime + stime
        parents[pid], names[pid] = ppid, name
        reaped[pid] = (int(rest[13]) + int(rest[14])) / CLK_TCK  # cutime + cstime
    postmaster = next(
        (pid for pid, name in names.items() if name == "postgres" and names.get(parents[pid]) != "postgres"),
        None,
    )
    backends = {pid: processes[pid][1] for pid, ppid in parents.items() if ppid == postmaster}
    return CpuSnapshot(time.monotonic(), _machine_busy(), processes, backends, reaped.get(postmaster, 0.0))


def cpu_report(before: CpuSnapshot, after: CpuSnapshot) -> tuple[float, dict[str, float]]:
    """Cores used on average between two snapshots: the whole machine, and per role.

    A PostgreSQL session that ends between the snapshots leaves /proc; its CPU during the
    window is what the postmaster reaped minus what the session had used before the window.
    It is reported as "ended sessions", whatever its database (the Celery worker opens one
    per task)."""
    wall = after.at - before.at
    used: Counter[str] = Counter()
    for pid, (role, seconds) in after.processes.items():
        previous = before.processes.get(pid)
        used[role] += seconds - (previous[1] if previous and previous[0] == role else 0.0)
    earlier = sum(seconds for pid, seconds in before.backends.items() if pid not in after.processes)
    used["ended sessions"] = after.reaped - before.reaped - earlier
    return (after.busy - before.busy) / wall, {role: max(0.0, s) / wall for role, s in used.items()}


CPU: dict[str, tuple[float, dict[str, float]]] = {}  # phase → (cores busy, cores per role)


def emit_cpu(section: str, phase: str, before: CpuSnapshot, after: CpuSnapshot, order: list[str]) -> None:
    """One line: the cores the machine used between the snapshots, per role; kept for the notes."""
    machine, roles = cpu_report(before, after)
    CPU[phase] = (machine, roles)
    parts = [f"{role} {roles.get(role, 0.0):.2f}" for role in order]
    known = sum(roles.get(role, 0.0) for role in order)
    parts.append(f"other {max(0.0, machine - known):.2f}")
    emit(section, f"  cpu during the {phase} run", f"{machine:.2f} cores", "of which " + ", ".join(parts))


# --- data ----------------------------------------------------------------------------------------


@dataclass
class BenchSurvey:
    survey_id: int
    nps_field: str
    text_field: str


def survey_create() -> BenchSurvey:
    """A live survey in English and Simplified Chinese: an NPS question and an optional text."""
    from surveys.models import Question, Survey

    survey = Survey.objects.create(
        name="Bench relationship survey",
        kind=Survey.Kind.RELATIONSHIP,
        languages=["en", "zh-hans"],
        titles={"en": "How did we do?", "zh-hans": "请评价我们的服务"},
        intros={"en": "Two questions, under a minute.", "zh-hans": "两个问题，不到一分钟。"},
        status=Survey.Status.LIVE,
    )
    nps = Question.objects.create(
        survey=survey,
        order=1,
        type=Question.Type.NPS,
        texts={
            "en": "How likely are you to recommend us to a friend or colleague?",
            "zh-hans": "您向朋友或同事推荐我们的可能性有多大？",
        },
        scale_labels={"en": ["Not at all likely", "Extremely likely"], "zh-hans": ["完全不可能", "极有可能"]},
        driver=Question.Driver.RELATIONSHIP,
    )
    text = Question.objects.create(
        survey=survey,
        order=2,
        type=Question.Type.TEXT,
        texts={
            "en": "What is the main reason for your score?",
            "zh-hans": "您给出这个分数的主要原因是什么？",
        },
        required=False,
    )
    return BenchSurvey(survey.id, f"q{nps.id}", f"q{text.id}")


def customers_create(count: int, *, prefix: str) -> list:
    """``count`` customers with distinct addresses, every other one preferring Chinese."""
    from touchpoints.models import Customer

    return Customer.objects.bulk_create(
        [
            Customer(
                external_id=f"BENCH-{prefix}-{i:07d}",
                name=f"Bench customer {prefix}{i}",
                email=f"bench-{prefix.lower()}{i}@example.com",
                locale="zh-hans" if i % 2 else "en",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def invitations_create(survey_id: int, customers: list, *, status: str) -> list[tuple[int, str, str]]:
    """One invitation per customer in ``status``, built as ``invitation_create`` builds them
    (nonce, hash of the derived token, language) but in bulk and without enqueueing a send.
    Returns (id, token, language) per invitation."""
    from django.utils import timezone

    from surveys.models import Invitation, InvitationStatus, Survey
    from surveys.services.invitations import invitation_language
    from surveys.tokens import token_for, token_hash, token_nonce_new

    survey = Survey.objects.get(id=survey_id)
    now = timezone.now()
    rows, tokens = [], []
    for customer in customers:
        nonce = token_nonce_new()
        token = token_for(nonce)
        tokens.append(token)
        rows.append(
            Invitation(
                survey=survey,
                customer=customer,
                token_nonce=nonce,
                token_hash=token_hash(token),
                status=status,
                language=invitation_language(survey=survey, customer=customer),
                send_after=now - timedelta(minutes=1),
                sent_at=now if status == InvitationStatus.SENT else None,
                expires_at=now + timedelta(days=60),
            )
        )
    created = Invitation.objects.bulk_create(rows, batch_size=2000)
    return [(row.id, token, row.language) for row, token in zip(created, tokens, strict=True)]


# --- load generator ------------------------------------------------------------------------------


class OutOfTokens(Exception):
    pass


@dataclass
class ThreadStats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"op": [], "get": [], "post": []})
    done: int = 0
    posts_ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class LoadResult:
    seconds: float
    done: int
    posts_ok: int
    errors: Counter[str]
    latencies: dict[str, list[float]]
    out_of_tokens: bool

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def run_load(port: int, *, concurrency: int, duration: float, operation: Callable) -> LoadResult:
    """``concurrency`` threads, each with its own keep-alive connection, call ``operation(conn, stats)``
    until ``duration`` seconds have passed (or tokens run out); the rate is over the real elapsed time."""
    stop_at = time.monotonic() + duration
    stats = [ThreadStats() for _ in range(concurrency)]
    out_of_tokens = threading.Event()

    def loop(mine: ThreadStats) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < stop_at:
                try:
                    operation(connection, mine)
                except OutOfTokens:
                    out_of_tokens.set()
                    return
                except (OSError, http.client.HTTPException) as error:
                    mine.errors[type(error).__name__] += 1
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(s,), daemon=True) for s in stats]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    merged = {key: [v for s in stats for v in s.latencies[key]] for key in ("op", "get", "post")}
    errors: Counter[str] = Counter()
    for s in stats:
        errors.update(s.errors)
    return LoadResult(
        seconds=seconds,
        done=sum(s.done for s in stats),
        posts_ok=sum(s.posts_ok for s in stats),
        errors=errors,
        latencies=merged,
        out_of_tokens=out_of_tokens.is_set(),
    )


def trivial_operation(connection: http.client.HTTPConnection, stats: ThreadStats) -> None:
    started = time.perf_counter()
    connection.request("GET", "/bench/trivial/")
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status == 200 and body == b"ok":
        stats.done += 1
        stats.latencies["op"].append(elapsed)
    else:
        stats.errors[f"trivial {response.status}"] += 1


def pair_operation(tokens: deque, survey: BenchSurvey) -> Callable:
    """GET a fresh token's survey page, then POST its answers; a pair counts when both succeed."""
    form_marker = f'name="{survey.nps_field}"'.encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def operation(connection: http.client.HTTPConnection, stats: ThreadStats) -> None:
        try:
            token, language = tokens.popleft()
        except IndexError:
            raise OutOfTokens from None
        url = f"/s/{token}/"
        started = time.perf_counter()
        connection.request("GET", url)
        response = connection.getresponse()
        page = response.read()
        got = time.perf_counter()
        if response.status != 200 or form_marker not in page:
            stats.errors[f"GET {response.status}"] += 1
            return
        body = urlencode({survey.nps_field: "9", survey.text_field: TEXT_ANSWER, "lang": language})
        connection.request("POST", url, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        posted = time.perf_counter()
        if response.status != 302 or not (response.getheader("Location") or "").startswith("/s/thanks/"):
            stats.errors[f"POST {response.status}"] += 1
            return
        stats.done += 1
        stats.posts_ok += 1
        stats.latencies["op"].append(posted - started)
        stats.latencies["get"].append(got - started)
        stats.latencies["post"].append(posted - got)

    return operation


# --- 1. survey pages under gunicorn ------------------------------------------------------------------


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path


def gunicorn_start(environment: dict[str, str], *, workers: int, log: Path) -> Gunicorn:
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cem.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/bench/trivial/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def stop_process(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """SIGTERM (a graceful stop for gunicorn and Celery), SIGKILL if it does not end in time."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def bench_pages(args, environment: dict[str, str], workdir: Path, cleanup: list) -> None:
    from surveys.models import Answer, InvitationStatus, Response

    survey = survey_create()
    customers = customers_create(args.invitations, prefix="P")
    invitations = invitations_create(survey.survey_id, customers, status=InvitationStatus.SENT)
    tokens: deque = deque((token, language) for _, token, language in invitations)
    counted = tokens.pop()  # kept for counting the queries of one pair in this process
    info(f"{len(invitations):,} invitations with known tokens; starting gunicorn ({args.workers} workers)")

    server = gunicorn_start(environment, workers=args.workers, log=workdir / "gunicorn.log")
    cleanup.append(server.process)
    roles = {os.getpid(): "load generator", server.process.pid: "gunicorn"}
    order = ["load generator", "gunicorn", "postgres", "ended sessions", "redis"]
    # Warm-up: every worker connects to PostgreSQL and Redis and loads its templates.
    run_load(server.port, concurrency=args.concurrency, duration=2, operation=trivial_operation)
    warm = run_load(
        server.port, concurrency=args.concurrency, duration=2, operation=pair_operation(tokens, survey)
    )
    posts_ok = warm.posts_ok
    sessions = postgres_sessions()

    before = cpu_snapshot(roles)
    trivial = run_load(
        server.port, concurrency=args.concurrency, duration=args.duration, operation=trivial_operation
    )
    after = cpu_snapshot(roles)
    emit(
        "pages",
        "trivial view, requests/s",
        f"{trivial.rate:,.0f}",
        f"p50 {ms(percentile(trivial.latencies['op'], 0.5))}, "
        f"p95 {ms(percentile(trivial.latencies['op'], 0.95))}, errors {trivial.error_count}",
    )
    emit_cpu("pages", "trivial", before, after, order)

    before = cpu_snapshot(roles)
    pairs = run_load(
        server.port,
        concurrency=args.concurrency,
        duration=args.duration,
        operation=pair_operation(tokens, survey),
    )
    after = cpu_snapshot(roles)
    posts_ok += pairs.posts_ok
    sessions = postgres_sessions() - sessions
    stop_process(server.process)
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
    emit_cpu("pages", "pair", before, after, order)
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
    responses = Response.objects.count()
    answers = Answer.objects.count()
    emit(
        "pages",
        "  Response rows = successful POSTs",
        "yes" if responses == posts_ok and answers == 2 * posts_ok else "NO",
        f"{responses:,} responses, {answers:,} answers, {posts_ok:,} POSTs answered 302 (warm-up included)",
    )
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

_INVITATION_HEADER = re.compile(rb"^X-CEM-Invitation: *([0-9]+)\r?$", re.MULTILINE)


def smtp_serve(port: int, pipe) -> None:
    """Run in a process of its own: aiosmtpd on ``port``, answering ``count`` with (messages
    accepted, distinct invitations among them, connections that carried a message) until ``stop``."""
    from aiosmtpd.controller import Controller

    class Count:
        def __init__(self) -> None:
            self.messages = 0
            self.connections = 0
            self.invitations: set[int] = set()

        async def handle_DATA(self, server, session, envelope):
            self.messages += 1
            if not getattr(session, "bench_counted", False):  # the first message of this connection
                session.bench_counted = True
                self.connections += 1
            match = _INVITATION_HEADER.search(envelope.content)
            if match:
                self.invitations.add(int(match.group(1)))
            return "250 Message accepted for delivery"

    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        while pipe.recv() == "count":
            pipe.send((handler.messages, len(handler.invitations), handler.connections))
    finally:
        controller.stop()


@dataclass
class SmtpServer:
    process: multiprocessing.Process
    pipe: object

    def count(self) -> tuple[int, int, int]:
        """(messages, distinct invitations, connections) accepted so far."""
        self.pipe.send("count")
        return self.pipe.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.pipe.send("stop")
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def smtp_start(port: int) -> SmtpServer:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=smtp_serve, args=(port, theirs), daemon=True)
    process.start()
    if not ours.poll(30):
        process.kill()
        raise RuntimeError("the SMTP server did not start within 30 s")
    ours.recv()
    return SmtpServer(process, ours)


def postgres_sessions() -> int:
    """Sessions ever opened on the benchmark database (PostgreSQL counts them; 14 and later)."""
    from django.db import connection

    time.sleep(1.2)  # backends publish their statistics at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0] or 0)


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


def queued_invitations(survey_id: int, count: int, prefix: str) -> list[int]:
    from surveys.models import InvitationStatus

    customers = customers_create(count, prefix=prefix)
    return [i for i, _, _ in invitations_create(survey_id, customers, status=InvitationStatus.QUEUED)]


def celery_worker_start(environment: dict[str, str], *, rate: str, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cem",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench-surveys-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT,
            env={**environment, "SURVEY_SEND_RATE": rate},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_process(worker)
            raise RuntimeError(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return worker


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


def emit_delivery(smtp: SmtpServer, before: tuple[int, int, int], sent: int, sessions: int) -> float:
    """The SMTP server received what was sent, once each; and the connections it took (per email)."""
    messages, distinct, connections = (now - then for now, then in zip(smtp.count(), before, strict=True))
    emit(
        "email",
        "  received by the SMTP server = sent",
        "yes" if messages == sent and distinct == sent else "NO",
        f"{messages:,} messages, {distinct:,} distinct invitations; {connections:,} SMTP connections, "
        f"{sessions:,} new PostgreSQL sessions ({connections / max(sent, 1):.2f} and "
        f"{sessions / max(sent, 1):.2f} per email)",
    )
    return connections / max(sent, 1)


def bench_email(args, environment: dict[str, str], smtp_port: int, workdir: Path, cleanup: list) -> None:
    from django.test import override_settings

    from surveys.models import Survey

    survey_id = Survey.objects.get(name="Bench relationship survey").id
    smtp = smtp_start(smtp_port)
    cleanup.append(smtp)
    roles = {os.getpid(): "bench process", smtp.process.pid: "smtp server"}
    order = ["bench process", "smtp server", "postgres", "ended sessions", "redis"]

    # In this process, sequentially, Django's SMTP backend; the first send's SQL is counted apart.
    counted, *ids = queued_invitations(survey_id, args.invitations_email + 1, "E")
    NOTES["send_queries"] = queries_per_send(counted)
    delivered, sessions = smtp.count(), postgres_sessions()
    before = cpu_snapshot(roles)
    seconds, outcomes = send_in_process(ids)
    after = cpu_snapshot(roles)
    sent = outcomes.get("sent", 0)
    emit(
        "email",
        "invitation_send in-process, SMTP: emails/s",
        f"{sent / seconds:,.1f}",
        f"{sent:,} sent in {seconds:.1f} s ({ms(seconds / len(ids))} each); outcomes {dict(outcomes)}; "
        f"{NOTES['send_queries']:.0f} SQL statements per send",
    )
    NOTES["smtp_connections"] = emit_delivery(smtp, delivered, sent, postgres_sessions() - sessions)
    emit_cpu("email", "in-process send", before, after, order)
    NOTES.update(inprocess_rate=sent / seconds, inprocess_ms=seconds / len(ids) * 1000)

    # The same without SMTP: the database work, the rendering and the stale marks alone.
    ids = queued_invitations(survey_id, min(args.invitations_email, 300), "L")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        from django.core import mail

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
        worker = celery_worker_start(environment, rate=rate, log=workdir / f"celery-{prefix}.log")
        cleanup.append(worker)
        roles = {os.getpid(): "bench process", smtp.process.pid: "smtp server", worker.pid: "celery"}
        delivered, sessions = smtp.count(), postgres_sessions()
        before = cpu_snapshot(roles)
        run = send_by_celery(ids, timeout=60 + 3 * count / 20)
        after = cpu_snapshot(roles)
        sessions = postgres_sessions() - sessions
        stop_process(worker)
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
        emit_cpu(
            "email",
            f"Celery {rate}",
            before,
            after,
            ["celery", "smtp server", "postgres", "ended sessions", "redis"],
        )
        NOTES[f"celery_{prefix}"] = sent / run.seconds
        NOTES[f"celery_{prefix}_sessions"] = sessions / max(sent, 1)


# --- results file ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import django
    import gunicorn
    from celery import __version__ as celery_version
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "postgres": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "celery": celery_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def write_results(path: Path, args, host: dict[str, str]) -> None:
    command = ".venv/bin/python bench/bench_surveys.py" + "".join(f" {a}" for a in sys.argv[1:])
    lines = [
        "## Surveys: pages under gunicorn, invitations by email",
        "",
        f"Machine: {host['cpus']} × {host['cpu']}, {host['ram']} RAM; PostgreSQL {host['postgres']}, "
        f"Python {host['python']}, Django {host['django']}, gunicorn {host['gunicorn']}, "
        f"Celery {host['celery']}; Redis on the same host. Run {host['date']}.",
        "",
        f"Command: `{command}` (duration {args.duration:g} s per run, concurrency {args.concurrency}, "
        f"gunicorn sync workers: {args.workers}, {args.invitations:,} page invitations, "
        f"{args.invitations_email:,} emailed in-process, {args.invitations_throttled:,} and "
        f"{args.invitations_worker:,} by the worker). Database `cem_bench_surveys`, "
        "settings `bench.surveys_bench_settings` (production mode: DEBUG off, Redis cache and broker).",
        "",
        "| Section | Figure | Value | Detail |",
        "|---|---|---|---|",
    ]
    for figure in FIGURES:
        detail = figure.detail.replace("|", "\\|")
        lines.append(f"| {figure.section} | {figure.name.strip()} | {figure.value} | {detail} |")
    lines += ["", "Notes:", ""] + [f"- {note}" for note in notes(args)] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
    info(f"results written to {path}")


def notes(args) -> list[str]:
    """The reading of the figures, with this run's numbers; a claim is only made when they bear it out."""
    n, cores = NOTES, os.cpu_count()

    def cores_of(phase: str, role: str) -> float:
        return CPU.get(phase, (0.0, {}))[1].get(role, 0.0)

    def others(phase: str) -> float:
        machine, roles = CPU.get(phase, (0.0, {}))
        return max(0.0, machine - sum(v for role, v in roles.items() if role != "other"))

    items = [
        f"One machine for everything: the load generator, gunicorn, PostgreSQL, Redis, the SMTP server "
        f"and the Celery worker share its {cores} cores, and so did other work (other engineers' test "
        f"runs and benchmarks on the same PostgreSQL): {n.get('background', 0):.2f} cores were busy "
        "before the run started; during the runs that other work took "
        + ", ".join(f"{others(phase):.2f} ({phase})" for phase in CPU)
        + " cores. The figures are lower bounds for this host and move from run to run with that load"
        + (
            "; this run was taken on a busy machine, rerun on a quiet one for the host's capacity."
            if n.get("background", 0) > 0.5 * cores
            else "."
        ),
        "CPU columns: cores used on average during each run, from /proc (utime + stime per process). "
        "'postgres' is the postmaster's helpers and the backends of the benchmark database; "
        "'ended sessions' is the CPU of PostgreSQL processes that ended during the run, of any "
        "database (parallel query workers of other benchmarks included); 'other' is the rest of the "
        "machine.",
    ]
    if "pairs_rate" in n:
        trivial, pairs = n["trivial_rate"], n["pairs_rate"]
        busy, _ = CPU.get("trivial", (0.0, {}))
        limit = (
            f"the machine was saturated ({busy:.2f} of {cores} cores busy), so the figure is what the CPU "
            "left to gunicorn"
            if busy >= 0.95 * cores
            else f"the machine was not saturated ({busy:.2f} of {cores} cores busy)"
        )
        items += [
            f"Trivial view ({trivial:,.0f} requests/s): {limit}; the load generator (one Python process, "
            f"its threads share one interpreter lock) used {cores_of('trivial', 'load generator'):.2f} "
            f"cores, gunicorn {cores_of('trivial', 'gunicorn'):.2f}, other work {others('trivial'):.2f}. "
            "gunicorn's sync workers serve one request at a time and close the connection after each "
            f"response, so every request opens a TCP connection; {args.workers} workers on {cores} cores.",
            f"A survey pair took {cores_of('pair', 'gunicorn') / pairs * 1000:.1f} ms of gunicorn CPU and "
            f"{cores_of('pair', 'postgres') / pairs * 1000:.1f} ms of PostgreSQL CPU, against "
            f"{cores_of('trivial', 'gunicorn') / trivial * 1000:.2f} ms of gunicorn CPU for a trivial "
            "request, so pairs/s ÷ trivial requests/s is small by construction: a pair is two requests "
            f"with {n['get_queries']:.0f} + {n['post_queries']:.0f} SQL statements, a template rendering "
            "and Redis round trips (the failure counter on each request, the metrics-refresh task "
            "published after the commit). In the pair run the load generator used only "
            f"{cores_of('pair', 'load generator'):.2f} cores, gunicorn and PostgreSQL "
            f"{cores_of('pair', 'gunicorn') + cores_of('pair', 'postgres'):.2f} of the "
            f"{CPU.get('pair', (0.0, {}))[0]:.2f} busy: the application's own CPU is the limit.",
            "In the code measured, GET looks the token up by its hash (unique index), records the "
            "opening (one conditional UPDATE), reads the questions and renders the page. POST reads the "
            "invitation, locks it again (SELECT … FOR UPDATE), checks for an earlier response, reads the "
            "questions, inserts the response (in a savepoint) and its answers, reads the response and "
            "the invitation back to find the days to mark stale, inserts the stale marks, reads the "
            "webhook endpoints and updates the invitation.",
            "Every successful POST left exactly one Response with its two Answer rows (checked against the "
            "POSTs answered 302, warm-up included). SURVEY_FAILURE_LIMIT is raised for the run because "
            "the failure limiter counts per REMOTE_ADDR and every request here comes from 127.0.0.1; no "
            "request of the benchmark fails, so the default limit would not have triggered either.",
        ]
    if "inprocess_ms" in n:
        smtp_ms, locmem_ms = n["inprocess_ms"], n["locmem_ms"]
        items.append(
            f"Sending in one process costs {smtp_ms:.1f} ms per invitation through SMTP and "
            f"{locmem_ms:.1f} ms with the in-memory backend (locking, suppression checks, rendering "
            "the HTML and text bodies, the update, the stale marks and the Redis publish: "
            f"{n.get('send_queries', 0):.0f} SQL statements with the transaction's). The difference "
            f"({smtp_ms - locmem_ms:.1f} ms) is the SMTP conversation: `invitation_send` opens "
            f"{n.get('smtp_connections', 0):.2f} SMTP connections per email (`EmailMessage.send()` "
            "without a shared connection: connect, EHLO, MAIL, RCPT, DATA, QUIT each time). Against a "
            "real relay every email also pays the network round trips, STARTTLS and authentication."
        )
    if "celery_T" in n:
        throttled = n["celery_T"]
        text = (
            f"With the default SURVEY_SEND_RATE of 20/s the worker (2 pool processes) sent {throttled:.1f}/s"
        )
        unthrottled, five = n.get("celery_U", 0.0), n.get("celery_F", 0.0)
        text += f" (unthrottled {unthrottled:.1f}/s); at SURVEY_SEND_RATE=5/s it sent {five:.1f}/s"
        if 0 < five <= 5 * 1.25 and unthrottled >= 10 * 1.25:
            text += (
                ": the limit holds per worker, not per pool process as the comment in cem/settings.py "
                "says (2 processes would have made it 10/s). Celery keeps the token buckets in the "
                "worker's consumer (celery/worker/consumer/consumer.py, task_buckets), before the pool, "
                "so SURVEY_SEND_RATE is the total of a worker whatever its --concurrency"
            )
        elif five > 5 * 1.5:
            text += ": the limit held per pool process in this run"
        items.append(text + ".")
        probe = n.get("celery_T_probe", -1.0)
        if probe >= 0:
            items.append(
                f"A heartbeat task enqueued right behind the {args.invitations_throttled:,} rate-limited "
                f"sends ran {probe:.1f} s later: every task goes to the one default queue (no task routes), "
                "so a backlog of sends holds back the heartbeat, the metrics refreshes, the sweeper and the "
                "reminders by backlog ÷ (20/s × workers). The health view (analytics/views/health.py) "
                "reports the worker's heartbeat as stale after 180 s (three missed beats), i.e. behind "
                "about 3,600 queued sends per worker, while the worker is busy and well."
            )
    if "celery_U" in n:
        text = (
            f"At 1000/s the worker sent {n['celery_U']:.1f}/s with 2 processes, against "
            f"{n.get('inprocess_rate', 0):.1f}/s in one process, opening "
            f"{n.get('celery_U_sessions', 0):.2f} new PostgreSQL sessions per email (gunicorn: "
            f"{n.get('sessions_pages', 0):.0f} in all for both page runs); PostgreSQL sessions that "
            f"ended during the run used {cores_of('Celery 1000/s', 'ended sessions'):.2f} cores, the "
            f"worker itself {cores_of('Celery 1000/s', 'celery'):.2f}."
        )
        if n.get("celery_U_sessions", 0) >= 0.5:
            text += (
                " Celery's Django fix-up closes every database connection before and after each task "
                "(celery/fixups/django.py, DjangoWorkerFixup.on_task_prerun/on_task_postrun → "
                "close_database() → conn.close(), unless CELERY_DB_REUSE_MAX is set), so CONN_MAX_AGE "
                "does not apply in the worker: each task (the send, and the metrics refresh it enqueues) "
                "pays a new PostgreSQL backend, its authentication and cold catalog caches."
            )
        items.append(text)
    return items


# --- main --------------------------------------------------------------------------------------------


def main() -> None:
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
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-surveys-"))
    smtp_port = free_port()
    environment = {**os.environ, **bench_environment(static_root=workdir / "static", smtp_port=smtp_port)}
    os.environ.update(bench_environment(static_root=workdir / "static", smtp_port=smtp_port))
    cleanup: list = []
    try:
        ensure_database(DATABASE_URL)
        redis_claim()
        info("collectstatic (the production storage needs its manifest)")
        collectstatic(environment)

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        reset_tables()
        host = machine()
        before = cpu_snapshot({os.getpid(): "bench process"})
        time.sleep(2)
        background = cpu_report(before, cpu_snapshot({}))[0]
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
    finally:
        for item in reversed(cleanup):
            if isinstance(item, SmtpServer):
                item.stop()
            else:
                stop_process(item)
        try:
            if _REDIS_CLAIMED.is_set():
                redis_client().flushdb()
        except Exception as error:  # noqa: BLE001 - cleanup must not hide the run's own error
            print(f"could not empty {REDIS_URL}: {error}", file=sys.stderr)
        if args.keep_logs:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
