"""Shared machinery of the fault scripts (``bench/faults_*.py``) and the load scenario.

The fault scripts stop, kill and restart what they run against, so they run against
services of their own, never the shared ones:

* PostgreSQL: a cluster on port 5433 (``pg_createcluster 15 faults --port 5433``), database
  ``cem_faults`` (created and migrated when missing, its project tables emptied at every run);
* Redis: a ``redis-server`` on port 6380 (``--save "" --appendonly no``: a restart loses
  everything it held, as a crashed cache-only Redis does).

``guard_postgres_cluster`` and ``guard_redis`` refuse the shared ports (5432, 6379) for
anything a script would stop, restart or empty. ``fault_run`` sets a run up and ends it: the
copy of the code, the environment, the SMTP sink, and every process started through its
``Run`` (Celery worker and beat, gunicorn; see ``bench/_services.py``), ended by process id.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench import _services
from bench._services import ROOT, SmtpSink, info

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5433/cem_faults"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/0"
DEFAULT_PG_CLUSTER = "15/faults"
SHARED_POSTGRES_PORT = 5432
SHARED_REDIS_PORT = 6379
RESULTS_PATH = ROOT / "bench" / "RESULTS_hardening.md"


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


# --- a run -----------------------------------------------------------------------------------------


def add_run_arguments(parser, *, database_url: str, redis_url: str, results: bool = True) -> None:
    """The options every fault script takes: its database and Redis, --keep-logs, --no-results."""
    parser.add_argument("--database-url", default=database_url)
    parser.add_argument("--redis-url", default=redis_url)
    parser.add_argument("--keep-logs", action="store_true")
    if results:
        parser.add_argument(
            "--no-results", action="store_true", help="do not write bench/RESULTS_hardening.md"
        )


@dataclass
class Run:
    """One fault (or load) run: its directory, environment, machine and code, figures, processes."""

    name: str
    workdir: Path
    env: dict[str, str]
    host: str
    code: str
    redis_url: str
    owns_redis: bool
    smtp: SmtpSink | None = None
    figures: Figures = field(default_factory=Figures)
    processes: list = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    def setup(self, *, static: str | None = None, reset: bool = True) -> None:
        """collectstatic (when ``static`` says why it is needed), Django migrated in this process with
        the project's tables emptied (``reset``), and our Redis emptied."""
        if static:
            info(f"collectstatic ({static})")
            _services.collectstatic(self.env)
        _services.django_setup(self.env, reset_apps=_services.PROJECT_APPS if reset else ())
        if self.owns_redis:
            redis_flush(self.redis_url)

    def worker(self, log: str = "worker.log", **options) -> subprocess.Popen:
        """A Celery worker, ended with the run; its log is one of ``worker_logs``."""
        path = self.workdir / log
        self.worker_logs.append(path)
        worker = _services.celery_worker_start(self.env, path, **options)
        self.processes.append(worker)
        return worker

    def beat(self) -> subprocess.Popen:
        beat = _services.celery_beat_start(
            self.env, self.workdir / "beat.log", self.workdir / "celerybeat-schedule"
        )
        self.processes.append(beat)
        return beat

    def gunicorn(self, **options) -> _services.Gunicorn:
        server = _services.gunicorn_start(self.env, self.workdir / "gunicorn.log", **options)
        self.processes.append(server.process)
        return server

    def write_results(
        self, section: str, *, intro: Sequence[str] = (), notes: Sequence[str] = (), host_note: str = ""
    ) -> None:
        """The ``section`` of bench/RESULTS_hardening.md: machine, code, command, ``intro``, the
        figures, ``notes``."""
        lines = [
            f"Machine: {self.host}{host_note}. Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
            f"Code: {self.code} (run from a copy taken at the start).",
            "",
            f"Command: `{command_line()}`",
            "",
        ]
        lines += [*(paragraph for text in intro for paragraph in (text, "")), self.figures.markdown()]
        if notes:
            lines += ["", *[f"- {note}" for note in notes]]
        results_write(section, "\n".join(lines))

    def end(self) -> None:
        for process in reversed(self.processes):
            _services.stop(process)
        if self.smtp is not None:
            self.smtp.stop()
        if self.owns_redis:
            try:
                redis_flush(self.redis_url)
            except Exception as error:  # noqa: BLE001 - cleanup must not hide the run's own error
                print(f"could not empty {self.redis_url}: {error}", file=sys.stderr)


@contextlib.contextmanager
def fault_run(
    name: str, args, *, smtp: bool = False, snapshot: bool = True, owns_redis: bool = True
) -> Iterator[Run]:
    """Set a run up against ``args.database_url`` and ``args.redis_url``: print the machine and the code,
    run from a copy of the tree (``snapshot``), start the SMTP sink (``smtp``); at the end stop every
    process of the run, the sink, empty our Redis (``owns_redis``, which also refuses the shared one)
    and remove the logs unless ``args.keep_logs``."""
    if owns_redis:
        guard_redis(args.redis_url)
    with _services.workdir(f"{name}-", keep=getattr(args, "keep_logs", False)) as workdir:
        if snapshot:
            _services.snapshot(workdir)
        code, host = _services.code_version(), _services.machine()
        print(f"{name}: {host}; {code}", flush=True)
        sink = SmtpSink.start() if smtp else None
        env = _services.environment(
            database_url=args.database_url,
            redis_url=args.redis_url,
            static_root=workdir / "static",
            smtp_port=sink.port if sink else None,
        )
        run = Run(name, workdir, env, host, code, args.redis_url, owns_redis, smtp=sink)
        try:
            yield run
        finally:
            run.end()


# --- guards and restarts -----------------------------------------------------------------------------


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


def redis_flush(url: str) -> None:
    guard_redis(url)
    _services.redis_flush(url)


def redis_restart(url: str, *, down_seconds: float) -> tuple[float, float]:
    """Shut our redis-server down without saving (it forgets every queued task), keep it down
    ``down_seconds``, start it again with the same options. Returns (stopped at, answering at),
    ``time.monotonic()`` values."""
    import redis

    guard_redis(url)
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    client = _services.redis_client(url)
    with contextlib.suppress(redis.ConnectionError):
        client.shutdown(nosave=True)
    while _services.port_open(host, port):
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
            if _services.redis_client(f"redis://{host}:{port}/0").ping():
                return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server on {host}:{port} did not come back")


def pg_ctl(cluster: str, action: str, *, mode: str = "fast") -> float:
    """``pg_ctlcluster VERSION NAME stop|start`` on our own cluster; returns the seconds it took."""
    version, name = cluster.split("/")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]
    if action == "stop":
        command += ["-m", mode]
    started = time.monotonic()
    subprocess.run(command, check=True, timeout=120)
    return time.monotonic() - started


# --- the send-out ------------------------------------------------------------------------------------

_SWEEP_RESULT = re.compile(r"surveys\.tasks\.invitations_sweep\[[^\]]+\] succeeded in [0-9.]+s: (\d+)")


def sweeps_in_logs(logs: list[Path]) -> list[int]:
    """How many sends each sweep enqueued, from the worker logs (Celery logs every task result)."""
    found = []
    for log in logs:
        if log.exists():
            found += [int(n) for n in _SWEEP_RESULT.findall(log.read_text(errors="replace"))]
    return found


def await_send_out(
    smtp: SmtpSink, *, started: float, timeout: float, settle: float, pending: Callable[[], dict[str, int]]
) -> float | None:
    """Wait until everything ``pending()`` counts is 0 and the SMTP server has been quiet ``settle``
    seconds (``timeout`` after ``started`` at the most), reporting every 30 s. Returns when the
    first count (the queued invitations) reached 0, None when it never did."""
    last_change, last_messages, last_report, finished = time.monotonic(), -1, 0.0, None
    while time.monotonic() - started < timeout:
        messages = smtp.messages()
        if messages != last_messages:
            last_messages, last_change = messages, time.monotonic()
        counts = pending()
        if next(iter(counts.values())) == 0 and finished is None:
            finished = time.monotonic()
        if not any(counts.values()) and time.monotonic() - last_change >= settle:
            break
        if time.monotonic() - last_report >= 30:
            last_report = time.monotonic()
            left = ", ".join(f"{n:,} {what}" for what, n in counts.items())
            info(f"{time.monotonic() - started:6.0f} s: {messages:,} messages received, {left}")
        time.sleep(0.5)
    return finished


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


def emit_received(figures: Figures, delivery: Delivery) -> None:
    figures.emit("messages received by the SMTP server", f"{delivery.messages:,}")
    figures.emit("distinct invitations received", f"{delivery.distinct:,}", f"of {delivery.expected:,}")


def emit_sweeps(figures: Figures, sweeps: list[int]) -> None:
    """The sweeps that re-enqueued sends, from the worker logs."""
    figures.emit(
        "sweeps that enqueued sends",
        sum(1 for n in sweeps if n),
        f"{sum(sweeps):,} sends re-enqueued by {len(sweeps)} sweeps: {[n for n in sweeps if n]}",
    )


def emit_completion(
    figures: Figures, *, finished: float | None, started: float, since: float, since_what: str, timeout: float
) -> None:
    """When the send-out was complete (and how long after ``since``), or that it never was."""
    if finished is not None:
        figures.emit(
            "send-out complete after", f"{finished - started:.0f} s", f"{finished - since:.0f} s {since_what}"
        )
    else:
        figures.emit("send-out complete after", "NEVER", f"still queued after {timeout:.0f} s")
