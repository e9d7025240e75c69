"""Shared machinery of the fault scripts (``bench/faults_*.py``) and the load scenario.

The fault scripts stop, kill and restart what they run against, so they run against
services of their own, never the shared ones:

* PostgreSQL: a cluster on port 5433 (``pg_createcluster 15 faults --port 5433``), database
  ``cem_faults`` (created and migrated when missing, its project tables emptied at every run);
* Redis: a ``redis-server`` on port 6380 (``--save "" --appendonly no``: a restart loses
  everything it held, as a crashed cache-only Redis does).

``guard_postgres_cluster`` and ``guard_redis`` refuse the shared ports (5432, 6379) for
anything a script would stop, restart or empty. Processes the scripts start (Celery worker
and beat, gunicorn, the SMTP server) run in sessions of their own and are ended by their
process ids.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5433/cem_faults"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/0"
DEFAULT_PG_CLUSTER = "15/faults"
SHARED_POSTGRES_PORT = 5432
SHARED_REDIS_PORT = 6379
SECRET_KEY = "bench-faults-secret-" + "x" * 40
PYTHON = sys.executable
# The tree the processes of a run import: a snapshot of ROOT (see ``snapshot``), so that edits made
# in the working tree during a run (a new migration, say) never reach a worker restarted mid-run.
SRC = ROOT


# --- output ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Figures printed one per line as they come, and kept for the results file."""

    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def emit(self, name: str, value, detail: str = "") -> None:
        self.lines.append((name, str(value), detail))
        print(f"{name:<52} {value!s:>14}  {detail}".rstrip(), flush=True)

    def markdown(self) -> str:
        rows = ["| Figure | Value | Detail |", "|---|---|---|"]
        rows += [f"| {n} | {v} | {d.replace('|', '/')} |" for n, v, d in self.lines]
        return "\n".join(rows)


def info(message: str) -> None:
    print(f"  … {message}", flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    """One line: cores, memory, Python, the date, the load average now."""
    kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{os.cpu_count()} cores, {kib / 1024 / 1024:.0f} GiB, Python {platform.python_version()}, "
        f"{now}, load average {load_average()}"
    )


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values`` by nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


# --- the code under test ------------------------------------------------------------------------------

_SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "staticfiles", "*.sqlite3"
)


def snapshot(workdir: Path) -> Path:
    """Copy the working tree into ``workdir/src`` and make it the code of this run (this process's
    imports, the worker, beat, gunicorn). Returns the copy."""
    global SRC
    destination = workdir / "src"
    shutil.copytree(ROOT, destination, ignore=_SNAPSHOT_IGNORE)
    SRC = destination
    sys.path.insert(0, str(destination))
    return destination


def code_version() -> str:
    """The commit checked out and how many files of the working tree differ from it (read-only git)."""

    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = len(git("status", "--porcelain").splitlines())
    return (
        f"commit {git('rev-parse', '--short', 'HEAD')} + {changed} changed or new files in the working tree"
    )


# --- services: guards, database, Redis -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def guard_redis(url: str) -> None:
    """Refuse to empty or restart the shared Redis."""
    port = urlsplit(url).port or 6379
    if port == SHARED_REDIS_PORT:
        raise SystemExit(f"{url}: port {SHARED_REDIS_PORT} is the shared Redis; start your own on 6380")


def guard_postgres_cluster(cluster: str, database_url: str) -> None:
    """The cluster to stop must exist, be on the database URL's port and not be the shared one."""
    version, name = cluster.split("/")
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    ports = {f"{v}/{n}": int(p) for v, n, p, *_ in (line.split() for line in listing.splitlines())}
    port = urlsplit(database_url).port or 5432
    if cluster not in ports:
        raise SystemExit(
            f"no PostgreSQL cluster {cluster}; create it: pg_createcluster {version} {name} --port 5433"
        )
    if ports[cluster] == SHARED_POSTGRES_PORT or port == SHARED_POSTGRES_PORT:
        raise SystemExit(f"{cluster} / {database_url}: port {SHARED_POSTGRES_PORT} is the shared PostgreSQL")
    if ports[cluster] != port:
        raise SystemExit(f"cluster {cluster} listens on {ports[cluster]}, the database URL says {port}")


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "root",
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=10,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                info(f"creating database {name}")
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def environment(
    *, database_url: str, redis_url: str, static_root: Path, smtp_port: int | None = None, **extra: str
) -> dict[str, str]:
    """Production-mode settings (DEBUG off, Redis broker and cache) for every process of a run."""
    values = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "cem.settings",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_HTTPS": "False",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Every request of a run comes from 127.0.0.1: the per-address failure limit would trip.
        "SURVEY_FAILURE_LIMIT": "1000000000",
        "API_THROTTLE_RATE": "none",
        "SITE_URL": "http://127.0.0.1:8000",
    }
    if smtp_port is not None:
        values |= {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)}
    return {**os.environ, **values, **extra}


def collectstatic(env: dict[str, str]) -> None:
    """The manifest the production static storage needs (into the run's own STATIC_ROOT)."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=SRC, env=env, check=True, timeout=600
    )


def django_setup(env: dict[str, str], *, reset: bool = True) -> None:
    """Configure Django in this process with ``env``, migrate, and (``reset``) empty the project's
    tables."""
    os.environ.update(env)
    ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if reset:
        reset_tables(env["DATABASE_URL"])


def reset_tables(database_url: str) -> None:
    """Empty every table of the project's apps (never another database than ``database_url``)."""
    from django.apps import apps
    from django.db import connection

    parts = urlsplit(database_url)
    settings = connection.settings_dict
    assert (settings["NAME"], int(settings["PORT"] or 5432)) == (parts.path.lstrip("/"), parts.port or 5432)
    existing = set(connection.introspection.table_names())
    tables = [
        model._meta.db_table
        for label in ("analytics", "surveys", "journeys", "touchpoints", "api")
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def redis_flush(url: str) -> None:
    guard_redis(url)
    redis_client(url).flushdb()


def redis_restart(url: str, *, down_seconds: float) -> tuple[float, float]:
    """Shut our redis-server down without saving (it forgets every queued task), keep it down
    ``down_seconds``, start it again with the same options. Returns (stopped at, answering at),
    ``time.monotonic()`` values."""
    import redis

    guard_redis(url)
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    client = redis_client(url)
    with contextlib.suppress(redis.ConnectionError):
        client.shutdown(nosave=True)
    while _port_open(host, port):
        time.sleep(0.05)
    stopped = time.monotonic()
    time.sleep(down_seconds)
    redis_start(host, port)
    return stopped, time.monotonic()


def redis_start(host: str, port: int) -> None:
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            host,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if redis_client(f"redis://{host}:{port}/0").ping():
                return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server on {host}:{port} did not come back")


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def pg_ctl(cluster: str, action: str, *, mode: str = "fast") -> float:
    """``pg_ctlcluster VERSION NAME stop|start`` on our own cluster; returns the seconds it took."""
    version, name = cluster.split("/")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]
    if action == "stop":
        command += ["-m", mode]
    started = time.monotonic()
    subprocess.run(command, check=True, timeout=120)
    return time.monotonic() - started


# --- processes ---------------------------------------------------------------------------------------


def spawn(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``command`` in a session of its own (so it and its children can be ended by id)."""
    with log.open("w") as output:
        return subprocess.Popen(
            command, cwd=SRC, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for_log(process: subprocess.Popen, log: Path, marker: str, *, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while marker not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"{log.name}: {marker!r} never appeared:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """SIGTERM the process's group (a warm shutdown), SIGKILL it if it does not end in time."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):  # children left behind by a killed parent
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (the prefork pool of a Celery worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def celery_worker_start(env: dict[str, str], log: Path, *, concurrency: int = 2) -> subprocess.Popen:
    """``celery -A cem worker`` with a prefork pool, as docker-compose.yml runs it."""
    worker = spawn(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "cem",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"faults-{uuid.uuid4().hex[:6]}@%h",
        ],
        env={**env, "DJANGO_LOG_LEVEL": "INFO"},
        log=log,
    )
    wait_for_log(worker, log, "ready.")
    return worker


def celery_beat_start(env: dict[str, str], log: Path, schedule: Path) -> subprocess.Popen:
    """``celery -A cem beat`` with the project's CELERY_BEAT_SCHEDULE (sweeper every minute)."""
    beat = spawn(
        [PYTHON, "-m", "celery", "-A", "cem", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
        env={**env, "DJANGO_LOG_LEVEL": "INFO"},
        log=log,
    )
    wait_for_log(beat, log, "beat: Starting")
    return beat


_SWEEP_RESULT = re.compile(r"surveys\.tasks\.invitations_sweep\[[^\]]+\] succeeded in [0-9.]+s: (\d+)")


def sweeps_in_logs(logs: list[Path]) -> list[int]:
    """How many sends each sweep enqueued, from the worker logs (Celery logs every task result)."""
    found = []
    for log in logs:
        if log.exists():
            found += [int(n) for n in _SWEEP_RESULT.findall(log.read_text(errors="replace"))]
    return found


def gunicorn_start(env: dict[str, str], log: Path, *, workers: int = 2, timeout: int = 30) -> tuple:
    """gunicorn serving ``cem.wsgi`` (sync workers, as docker-compose.yml); returns (process, port)."""
    port = free_port()
    server = spawn(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "cem.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
        ],
        env=env,
        log=log,
    )
    import http.client

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                connection.close()
                return server, port
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn did not answer within 90 s:\n{log.read_text()[-3000:]}")


# --- an SMTP server counting messages per invitation --------------------------------------------------

_INVITATION_HEADER = re.compile(rb"^X-CEM-Invitation: *([0-9]+)\r?$", re.MULTILINE)


def _smtp_serve(port: int, pipe) -> None:
    """Run in a process of its own: aiosmtpd on ``port``. Commands on ``pipe``:
    ``("counts",)`` → (messages, {invitation id: [arrival times]}); ``("kill_after", n, pgid)`` →
    SIGKILL the process group ``pgid`` as the n-th message is accepted; ``("stop",)``."""
    from aiosmtpd.controller import Controller

    class Count:
        def __init__(self) -> None:
            self.messages = 0
            self.arrivals: dict[int, list[float]] = {}
            self.kill_after: tuple[int, int] | None = None

        async def handle_DATA(self, server, session, envelope):
            self.messages += 1
            match = _INVITATION_HEADER.search(envelope.content)
            if match:
                self.arrivals.setdefault(int(match.group(1)), []).append(time.time())
            if self.kill_after and self.messages >= self.kill_after[0]:
                # The server has the whole message (an MTA would queue it now); its sender dies before
                # it hears the reply, so before it can commit that the invitation was sent.
                _kill_group(self.kill_after[1])
                self.kill_after = None
            return "250 Message accepted for delivery"

    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        while True:
            command = pipe.recv()
            if command[0] == "counts":
                pipe.send((handler.messages, handler.arrivals))
            elif command[0] == "kill_after":
                handler.kill_after = (command[1], command[2])
                pipe.send("ok")
            else:
                break
    finally:
        controller.stop()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class SmtpCounter:
    process: multiprocessing.Process
    pipe: object
    port: int

    @classmethod
    def start(cls) -> SmtpCounter:
        port = free_port()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_smtp_serve, args=(port, theirs), daemon=True)
        process.start()
        if not ours.poll(30):
            process.kill()
            raise RuntimeError("the SMTP server did not start within 30 s")
        ours.recv()
        return cls(process, ours, port)

    def counts(self) -> tuple[int, dict[int, list[float]]]:
        """(messages accepted, arrival times per invitation id) so far."""
        self.pipe.send(("counts",))
        return self.pipe.recv()

    def messages(self) -> int:
        return self.counts()[0]

    def kill_after(self, n: int, pgid: int) -> None:
        """SIGKILL process group ``pgid`` as the n-th message is accepted, before the reply."""
        self.pipe.send(("kill_after", n, pgid))
        self.pipe.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.pipe.send(("stop",))
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@dataclass
class Delivery:
    """What the SMTP server received for a set of invitations."""

    expected: int
    messages: int
    distinct: int
    duplicates: dict[int, list[float]]  # invitation id → arrival times, when more than one
    missing: list[int]
    foreign: int  # messages of invitations outside the set

    @classmethod
    def of(cls, ids: list[int], counts: tuple[int, dict[int, list[float]]]) -> Delivery:
        total, arrivals = counts
        wanted = set(ids)
        mine = {i: times for i, times in arrivals.items() if i in wanted}
        return cls(
            expected=len(ids),
            messages=total,
            distinct=len(mine),
            duplicates={i: times for i, times in mine.items() if len(times) > 1},
            missing=sorted(wanted - set(mine)),
            foreign=sum(len(times) for i, times in arrivals.items() if i not in wanted),
        )

    @property
    def extra_messages(self) -> int:
        return sum(len(times) - 1 for times in self.duplicates.values())

    @property
    def exactly_once(self) -> bool:
        return not self.duplicates and not self.missing and not self.foreign


# --- results file -------------------------------------------------------------------------------------

RESULTS_PATH = ROOT / "bench" / "RESULTS_hardening.md"


def results_write(section: str, body: str, *, path: Path = RESULTS_PATH) -> None:
    """Replace (or add) the ``## section`` of the results file with ``body``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Hardening: faults and load\n"
    heading = f"## {section}"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    block = f"{heading}\n\n{body.strip()}\n\n"
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")
    info(f"results written to {path.relative_to(ROOT)} (section {section!r})")


def command_line() -> str:
    """The command that ran this script, as typed from the repository root."""
    return " ".join(["nice -n 19 .venv/bin/python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])


def workdir_remove(path: Path, *, keep: bool) -> None:
    if keep:
        print(f"logs kept in {path}", file=sys.stderr)
    else:
        shutil.rmtree(path, ignore_errors=True)
