"""The instruments of ``bench/bench_surveys.py``: an HTTP load generator, CPU accounting from /proc.

``run_load`` runs an operation (``trivial_operation``, ``pair_operation``: GET a survey page,
POST its answers) in client threads for a while and returns the rates and latencies;
``cpu_window`` says how many cores each role (the load generator, gunicorn, PostgreSQL, Redis,
the rest of the machine) used meanwhile; ``postgres_sessions`` counts the sessions PostgreSQL
opened.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench._survey_data import BenchSurvey

TEXT_ANSWER = "Quick and friendly service, the agent solved it on the first call. 服务很好，谢谢！"
CLK_TCK = os.sysconf("SC_CLK_TCK")


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


def _role_by_name(entry: Path, name: str, database: str) -> str:
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
        return "postgres" if backend.group(1) == database else "other"
    return "other" if "parallel worker" in title else "postgres"  # checkpointer, WAL writer, …


def cpu_snapshot(roles: dict[int, str], *, database: str) -> CpuSnapshot:
    """CPU seconds per process, each given a role: ``roles`` by its pid or its parent's pid,
    else PostgreSQL (its own processes and the backends of ``database``), Redis or other by its name."""
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
        role = roles.get(pid) or roles.get(ppid) or _role_by_name(entry, name, database)
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


@dataclass
class CpuWindow:
    """The CPU snapshots at the start and the end of a ``with cpu_window(…)`` block."""

    before: CpuSnapshot
    after: CpuSnapshot | None = None

    def report(self) -> tuple[float, dict[str, float]]:
        return cpu_report(self.before, self.after)


@contextlib.contextmanager
def cpu_window(roles: dict[int, str], *, database: str) -> Iterator[CpuWindow]:
    """Snapshots of the CPU used per role (see ``cpu_snapshot``) before and after the block."""
    window = CpuWindow(cpu_snapshot(roles, database=database))
    yield window
    window.after = cpu_snapshot(roles, database=database)


def postgres_sessions() -> int:
    """Sessions ever opened on the benchmark database (PostgreSQL counts them; 14 and later)."""
    from django.db import connection

    time.sleep(1.2)  # backends publish their statistics at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0] or 0)
