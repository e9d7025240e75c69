"""The services every benchmark and fault script runs against, started and ended in one place.

* The code: this working tree, or a copy of it (``snapshot``) so that edits made in the tree
  during a run never reach a process restarted mid-run; ``code_version`` and
  ``code_fingerprint`` say which code a run measured.
* PostgreSQL and Django: ``ensure_database`` (CREATE DATABASE when missing), ``django_setup``
  (configure Django in this process, migrate, empty the project's tables when asked:
  ``reset_tables``), ``postgres_version``.
* The environment of a production-mode run (``environment``: DEBUG off, Redis as broker and
  cache) and the static manifest it needs (``collectstatic``); Redis (``redis_client``,
  ``redis_flush``).
* Processes, each in a session of its own and ended by its id, never by name: ``spawn``,
  ``stop``, ``children``, ``wait_for_log``, ``wait_for_port``; ``gunicorn_start`` (a ``Gunicorn``,
  usable as a context manager), ``celery_worker_start``, ``celery_beat_start``.
* The SMTP sink: ``SmtpSink``, aiosmtpd in a process of its own counting what it accepts.
* The machine: ``machine``, ``cpu_model``, ``memory_gib``, ``load_average``; ``workdir``, a
  temporary directory for the logs of a run; and what every script prints with: ``info`` (a
  progress line), ``percentile``.
"""

from __future__ import annotations

import contextlib
import hashlib
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
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
# The tree the processes of a run import: ROOT, or the copy ``snapshot`` made.
SRC = ROOT
SECRET_KEY = "bench-faults-secret-" + "x" * 40
# The apps whose tables ``reset_tables`` empties by default.
PROJECT_APPS = ("analytics", "surveys", "journeys", "touchpoints", "api")


def info(message: str) -> None:
    print(f"  … {message}", flush=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values`` by nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


# --- the code under test ------------------------------------------------------------------------

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


def code_fingerprint() -> str:
    """A short hash of the Python sources the benchmark exercises (the tree moves under it)."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for app in ("analytics", "surveys", "touchpoints", "journeys", "cem")
        for path in (ROOT / app).rglob("*.py")
        if "__pycache__" not in path.parts
    )
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    newest = max(path.stat().st_mtime for path in files)
    stamp = datetime.fromtimestamp(newest).strftime("%Y-%m-%d %H:%M:%S")
    return f"{digest.hexdigest()[:12]} ({len(files)} files, newest modified {stamp})"


# --- PostgreSQL and Django ----------------------------------------------------------------------


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


def django_setup(env: dict[str, str], *, migrate: bool = True, reset_apps: Sequence[str] = ()) -> None:
    """Configure Django in this process with ``env`` (its database created when missing), migrate,
    and empty the tables of ``reset_apps``."""
    os.environ.update(env)
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    if reset_apps:
        reset_tables(os.environ["DATABASE_URL"], reset_apps)


def reset_tables(database_url: str, apps: Sequence[str] = PROJECT_APPS) -> None:
    """Empty every table of ``apps`` (never another database than ``database_url``)."""
    from django.apps import apps as registry
    from django.db import connection

    parts = urlsplit(database_url)
    settings = connection.settings_dict
    assert (settings["NAME"], int(settings["PORT"] or 5432)) == (parts.path.lstrip("/"), parts.port or 5432)
    existing = set(connection.introspection.table_names())
    tables = [
        model._meta.db_table
        for label in apps
        for model in registry.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def postgres_version() -> str:
    """``SHOW server_version`` of the database Django is set up with."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- environment, static files, Redis --------------------------------------------------------------


def environment(
    *,
    database_url: str,
    redis_url: str,
    static_root: Path | None = None,
    smtp_port: int | None = None,
    settings_module: str = "cem.settings",
    **extra: str,
) -> dict[str, str]:
    """Production-mode settings (DEBUG off, Redis broker and cache) for every process of a run."""
    values = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_HTTPS": "False",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Every request of a run comes from 127.0.0.1: the per-address failure limit would trip.
        "SURVEY_FAILURE_LIMIT": "1000000000",
        "API_THROTTLE_RATE": "none",
        "SITE_URL": "http://127.0.0.1:8000",
    }
    if static_root is not None:
        values["DJANGO_STATIC_ROOT"] = str(static_root)
    if smtp_port is not None:
        values |= {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)}
    return {**os.environ, **values, **extra}


def collectstatic(env: dict[str, str]) -> None:
    """The manifest the production static storage needs (into the run's own STATIC_ROOT)."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=SRC, env=env, check=True, timeout=600
    )


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def redis_flush(url: str) -> None:
    redis_client(url).flushdb()


@contextlib.contextmanager
def workdir(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """A temporary directory for the logs of a run; removed at the end unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if keep:
            print(f"logs kept in {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def spawn(command: list[str], *, env: dict[str, str], log: Path | None) -> subprocess.Popen:
    """Start ``command`` in a session of its own (so it and its children can be ended by id), its
    output into ``log`` (this process's output when None)."""
    if log is None:
        return subprocess.Popen(command, cwd=SRC, env=env, start_new_session=True)
    with log.open("w") as output:
        return subprocess.Popen(
            command, cwd=SRC, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""


def wait_for_log(process: subprocess.Popen, log: Path, marker: str, *, timeout: float = 90) -> None:
    """Until ``marker`` appears in ``log``; stops the process and raises when it dies or times out."""
    deadline = time.monotonic() + timeout
    while marker not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"{log.name}: {marker!r} never appeared:\n{_tail(log)}")
        time.sleep(0.1)


def wait_for_port(process: subprocess.Popen, port: int, *, path: str | None, timeout: float = 90) -> bool:
    """Until 127.0.0.1:``port`` accepts connections (``path`` None) or answers 200 to GET ``path``;
    False when the process dies or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if path is None and port_open("127.0.0.1", port):
            return True
        if path is not None:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path)
                answered = connection.getresponse().status == 200
                connection.close()
                if answered:
                    return True
        time.sleep(0.2)
    return False


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
    """The live child processes of ``pid`` (the prefork pool of a Celery worker, gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path | None

    def stop(self) -> None:
        stop(self.process)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def gunicorn_start(
    env: dict[str, str],
    log: Path | None,
    *,
    workers: int = 2,
    timeout: int = 30,
    ready_path: str | None = "/login/",
    options: Sequence[str] = (),
) -> Gunicorn:
    """gunicorn serving ``cem.wsgi`` (sync workers, as docker-compose.yml) on a free port, once it
    answers 200 to GET ``ready_path`` (or, None, accepts connections)."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "cem.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", str(timeout), *options]
    server = spawn(command, env=env, log=log)
    if not wait_for_port(server, port, path=ready_path):
        stop(server)
        raise RuntimeError(f"gunicorn did not start:\n{_tail(log)}")
    return Gunicorn(server, port, log)


def celery_worker_start(
    env: dict[str, str],
    log: Path,
    *,
    concurrency: int = 2,
    name: str = "faults",
    log_level: str = "INFO",
    **extra_env: str,
) -> subprocess.Popen:
    """``celery -A cem worker`` with a prefork pool, as docker-compose.yml runs it, once ready."""
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
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ],
        env={**env, "DJANGO_LOG_LEVEL": log_level, **extra_env},
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


# --- the SMTP sink ---------------------------------------------------------------------------------

_INVITATION_HEADER = re.compile(rb"^X-CEM-Invitation: *([0-9]+)\r?$", re.MULTILINE)


class _Count:
    """The aiosmtpd handler: messages, connections that carried one, arrivals per invitation."""

    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0
        self.arrivals: dict[int, list[float]] = {}
        self.kill_after: tuple[int, int] | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        if not getattr(session, "bench_counted", False):  # the first message of this connection
            session.bench_counted = True
            self.connections += 1
        match = _INVITATION_HEADER.search(envelope.content)
        if match:
            self.arrivals.setdefault(int(match.group(1)), []).append(time.time())
        if self.kill_after and self.messages >= self.kill_after[0]:
            # The server has the whole message (an MTA would queue it now); its sender dies before
            # it hears the reply, so before it can commit that the invitation was sent.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.kill_after[1], signal.SIGKILL)
            self.kill_after = None
        return "250 Message accepted for delivery"


def _smtp_serve(port: int, pipe) -> None:
    """Run in a process of its own: aiosmtpd on ``port``, answering the commands of ``SmtpSink``."""
    from aiosmtpd.controller import Controller

    handler = _Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        while True:
            command = pipe.recv()
            if command[0] == "summary":
                pipe.send((handler.messages, len(handler.arrivals), handler.connections))
            elif command[0] == "counts":
                pipe.send((handler.messages, handler.arrivals))
            elif command[0] == "kill_after":
                handler.kill_after = (command[1], command[2])
                pipe.send("ok")
            else:
                break
    finally:
        controller.stop()


@dataclass
class SmtpSink:
    """A local SMTP server (aiosmtpd in a process of its own) that accepts and counts every message."""

    process: multiprocessing.Process
    pipe: object
    port: int

    @classmethod
    def start(cls, port: int | None = None) -> SmtpSink:
        port = port or free_port()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_smtp_serve, args=(port, theirs), daemon=True)
        process.start()
        if not ours.poll(30):
            process.kill()
            raise RuntimeError("the SMTP server did not start within 30 s")
        ours.recv()
        return cls(process, ours, port)

    def summary(self) -> tuple[int, int, int]:
        """(messages, distinct invitations, connections) accepted so far."""
        self.pipe.send(("summary",))
        return self.pipe.recv()

    def counts(self) -> tuple[int, dict[int, list[float]]]:
        """(messages accepted, arrival times per invitation id) so far."""
        self.pipe.send(("counts",))
        return self.pipe.recv()

    def messages(self) -> int:
        return self.summary()[0]

    def wait_for_messages(self, n: int, *, deadline: float) -> None:
        """Until ``n`` messages have arrived; raises past ``deadline`` (a ``time.monotonic()``)."""
        while self.messages() < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the send-out stalled before message {n}")
            time.sleep(0.05)

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


# --- the machine -------------------------------------------------------------------------------------


def cpu_model() -> str:
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )


def memory_gib() -> float:
    kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    return kib / 1024 / 1024


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    """One line: cores, memory, Python, the date, the load average now."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{os.cpu_count()} cores, {memory_gib():.0f} GiB, Python {platform.python_version()}, "
        f"{now}, load average {load_average()}"
    )
