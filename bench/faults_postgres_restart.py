"""Fault: PostgreSQL stops and starts again under an HTTP load; the site fails cleanly and recovers.

Run from the repository root, with the fault services of ``bench/_faults.py`` up (a
PostgreSQL cluster ``15/faults`` on 5433 that this script stops and starts, a redis-server
on 6380)::

    nice -n 19 .venv/bin/python bench/faults_postgres_restart.py
    nice -n 19 .venv/bin/python bench/faults_postgres_restart.py --modes fast --down 30

What it does: gunicorn (``cem.wsgi``, ``--workers 2``, sync workers, ``--timeout 30``, DEBUG off,
production settings) serves the application against the database ``cem_faults`` on 5433.
Three client threads, one per endpoint, each send one request after another (``--interval``
apart, ``--request-timeout`` seconds at most each):

* ``GET /health/`` (the load balancer's probe: the database and the cache);
* ``GET /s/<token>/`` (a customer's survey page; a different invitation each time);
* ``GET /api/v1/surveys/`` (the REST API, ``Authorization: Bearer`` key with ``surveys:read``).

After ``--before`` seconds the cluster is stopped (``pg_ctlcluster … stop -m MODE``, one
outage per ``--modes`` entry: ``fast`` closes the sessions, ``immediate`` is a crash), kept
down ``--down`` seconds, started again, and the clients go on ``--after`` seconds. gunicorn is
never restarted.

It prints the status codes per endpoint before, during and after each outage, the slowest
answer of each phase, how long after PostgreSQL accepted connections again every endpoint
answered 200, and whether gunicorn's worker processes are the same at the end. It proves:
while the database is down every request gets an answer within the timeout, a 503 or a
clean 500 (the JSON error of the API, the site's error page), never a traceback or a debug
page; once it is back the application answers 200 again by itself within
``--recover-within`` seconds, with the same gunicorn workers. It exits 1 otherwise.

Results go to the section "faults_postgres_restart.py" of ``bench/RESULTS_hardening.md``.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults, _services
from bench._faults import Figures
from bench._services import info

# What a debug page or an unhandled error page would show; the site's own pages never do.
LEAKS = (b"Traceback", b"technical_500", b"Django Version", b"OperationalError", b"psycopg2")


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic() when the request was sent
    endpoint: str
    outcome: str  # the status code, or the name of the client-side error
    seconds: float
    leak: bool  # the body shows a traceback or a debug page
    shape: str  # "json" / "html" / "" — what the error answer was


def client_loop(
    port: int, endpoint: str, paths, headers: dict, samples: list, stop: threading.Event, *, interval, timeout
):
    """One request after another on ``endpoint`` until ``stop``; one ``Sample`` each."""
    while not stop.is_set():
        path = next(paths)
        at = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            kind = response.getheader("Content-Type") or ""
            shape = "json" if "json" in kind else "html" if "html" in kind else kind
            sample = Sample(
                at,
                endpoint,
                str(response.status),
                time.monotonic() - at,
                any(m in body for m in LEAKS),
                shape,
            )
        except TimeoutError:
            sample = Sample(at, endpoint, "timeout", time.monotonic() - at, False, "")
        except (OSError, http.client.HTTPException) as error:
            sample = Sample(at, endpoint, type(error).__name__, time.monotonic() - at, False, "")
        finally:
            connection.close()
        samples.append(sample)
        time.sleep(interval)


def cycle(items):
    while True:
        yield from items


@dataclass
class Timeline:
    """The phases of the run (``before``, ``during MODE``, ``after MODE``) by start time, the moments
    PostgreSQL accepted connections again, and whether it is down now."""

    events: list[tuple[float, str]] = field(default_factory=list)
    outages: list[tuple[str, float]] = field(default_factory=list)  # (mode, back at)
    postgres_down: bool = False

    def phase_of(self, at: float) -> str:
        return [label for when, label in self.events if when <= at][-1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--modes", default="fast,immediate", help="stop modes, one outage each (fast,immediate)"
    )
    parser.add_argument(
        "--before", type=float, default=20.0, help="seconds of load before the first stop (20)"
    )
    parser.add_argument("--down", type=float, default=20.0, help="seconds PostgreSQL stays down (20)")
    parser.add_argument("--after", type=float, default=40.0, help="seconds of load after each start (40)")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="pause between requests of a client (0.1)"
    )
    parser.add_argument("--request-timeout", type=float, default=10.0, help="client timeout, seconds (10)")
    parser.add_argument("--recover-within", type=float, default=15.0, help="seconds allowed to recover (15)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--cluster", default=_faults.DEFAULT_PG_CLUSTER, help="VERSION/NAME of the cluster")
    _faults.add_run_arguments(
        parser, database_url=_faults.DEFAULT_DATABASE_URL, redis_url=_faults.DEFAULT_REDIS_URL
    )
    args = parser.parse_args()
    args.stop_modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if any(mode not in ("smart", "fast", "immediate") for mode in args.stop_modes):
        parser.error("--modes takes smart, fast, immediate")
    return args


def main() -> int:
    args = parse_args()
    _faults.guard_postgres_cluster(args.cluster, args.database_url)
    with _faults.fault_run("faults_postgres_restart", args) as run:
        stop_clients = threading.Event()
        timeline = Timeline()
        try:
            return restarts_under_load(run, args, stop_clients, timeline)
        finally:
            stop_clients.set()
            if timeline.postgres_down:
                _faults.pg_ctl(args.cluster, "start")


def endpoints_prepare() -> dict[str, tuple]:
    """Invitations to answer and an API key; the paths and headers of each endpoint's client."""
    from django.db import connection

    from api.keys import api_key_create
    from bench._survey_data import customers_create, invitations_create, survey_create
    from surveys.models import InvitationStatus

    survey = survey_create()
    tokens = [
        token
        for _, token, _ in invitations_create(
            survey.survey_id, customers_create(500, prefix="P"), status=InvitationStatus.SENT
        )
    ]
    _, key = api_key_create(name="faults", scopes=["surveys:read"])
    connection.close()  # this process stays off the database from here on
    return {
        "GET /health/": (cycle(["/health/"]), {}),
        "GET /s/<token>/": (cycle([f"/s/{token}/" for token in tokens]), {}),
        "GET /api/v1/surveys/": (cycle(["/api/v1/surveys/"]), {"Authorization": f"Bearer {key}"}),
    }


def restarts_under_load(run: _faults.Run, args, stop_clients: threading.Event, timeline: Timeline) -> int:
    """The clients against gunicorn while PostgreSQL stops and starts; the figures; 0 when clean."""
    run.setup(static="gunicorn serves the production manifest")
    endpoints = endpoints_prepare()
    server = run.gunicorn(workers=args.workers)
    workers_before = sorted(_services.children(server.process.pid))
    info(f"gunicorn on 127.0.0.1:{server.port}, master {server.process.pid}, workers {workers_before}")
    samples: list[Sample] = []
    threads = [
        threading.Thread(
            target=client_loop,
            args=(server.port, endpoint, paths, headers, samples, stop_clients),
            kwargs={"interval": args.interval, "timeout": args.request_timeout},
            daemon=True,
        )
        for endpoint, (paths, headers) in endpoints.items()
    ]
    started = time.monotonic()
    timeline.events.append((started, "before"))
    for thread in threads:
        thread.start()
    time.sleep(args.before)
    outages(args, timeline, started)
    stop_clients.set()
    for thread in threads:
        thread.join(timeout=args.request_timeout + 5)
    workers_after = sorted(_services.children(server.process.pid))
    gunicorn_log = (run.workdir / "gunicorn.log").read_text(errors="replace")

    emit_phases(run.figures, samples, timeline, list(endpoints))
    problems = emit_recovery(run.figures, args, samples, timeline)
    problems += emit_cleanliness(run.figures, args, samples, timeline)
    figures = run.figures
    figures.emit(
        "gunicorn workers unchanged",
        "yes" if workers_before == workers_after else "NO",
        f"{workers_before} → {workers_after}; "
        f"worker timeouts in its log: {gunicorn_log.count('WORKER TIMEOUT')}",
    )
    figures.emit("tracebacks written to gunicorn's log", gunicorn_log.count("Traceback"), "logged, not shown")
    if workers_before != workers_after:
        problems.append("gunicorn workers were replaced")
    figures.emit("fails cleanly and recovers by itself", "yes" if not problems else "NO", "; ".join(problems))
    figures.emit("load average at the end", _services.load_average())
    if not args.no_results:
        run.write_results("faults_postgres_restart.py")
    return 0 if not problems else 1


def outages(args, timeline: Timeline, started: float) -> None:
    """One outage per ``--modes`` entry: stop the cluster, ``--down`` s, start it, ``--after`` s of load."""
    for mode in args.stop_modes:
        stop_at = time.monotonic()
        timeline.events.append((stop_at, f"during {mode}"))
        timeline.postgres_down = True
        stop_seconds = _faults.pg_ctl(args.cluster, "stop", mode=mode)
        info(f"PostgreSQL stopped (-m {mode}) at {stop_at - started:.1f} s, in {stop_seconds:.1f} s")
        time.sleep(args.down)
        start_seconds = _faults.pg_ctl(args.cluster, "start")
        timeline.postgres_down = False
        back_at = time.monotonic()
        timeline.events.append((back_at, f"after {mode}"))
        info(
            f"PostgreSQL accepting connections again at {back_at - started:.1f} s "
            f"(start took {start_seconds:.1f} s)"
        )
        timeline.outages.append((mode, back_at))
        time.sleep(args.after)


def emit_phases(figures: Figures, samples: list[Sample], timeline: Timeline, endpoints: list[str]) -> None:
    """The answers per endpoint and the slowest answer in each phase; the error answers' shapes."""
    by_phase: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    slowest: dict[str, float] = defaultdict(float)
    shapes: dict[str, Counter[str]] = defaultdict(Counter)
    for sample in samples:
        phase = timeline.phase_of(sample.at)
        by_phase[phase][sample.endpoint][sample.outcome] += 1
        slowest[phase] = max(slowest[phase], sample.seconds)
        if sample.outcome != "200":
            shapes[sample.endpoint][f"{sample.outcome} {sample.shape}"] += 1
    for _, label in timeline.events:
        for endpoint in endpoints:
            counts = by_phase[label][endpoint]
            figures.emit(
                f"{label}: {endpoint}",
                sum(counts.values()),
                ", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items())),
            )
        figures.emit(f"{label}: slowest answer", f"{slowest[label]:.2f} s")
    for endpoint, counts in shapes.items():
        figures.emit(
            f"error answers of {endpoint}",
            sum(counts.values()),
            ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        )


def emit_recovery(figures: Figures, args, samples: list[Sample], timeline: Timeline) -> list[str]:
    """How long after each start every endpoint answered 200 again; the problems found."""
    problems = []
    for mode, back_at in timeline.outages:
        after = [s for s in samples if timeline.phase_of(s.at) == f"after {mode}"]
        failing = [s.at for s in after if s.outcome != "200"]
        recovered = (max(failing) - back_at) if failing else 0.0
        tail = [s for s in after if s.at >= back_at + args.after - 10]
        figures.emit(
            f"after {mode}: all endpoints 200 again within",
            f"{max(recovered, 0.0):.1f} s",
            f"of PostgreSQL accepting connections; {len(failing)} non-200 answers after it was back",
        )
        if recovered > args.recover_within:
            problems.append(f"recovery after {mode} took {recovered:.1f} s")
        if not tail or any(s.outcome != "200" for s in tail):
            problems.append(f"not all 200 in the last 10 s after {mode}")
    return problems


def emit_cleanliness(figures: Figures, args, samples: list[Sample], timeline: Timeline) -> list[str]:
    """Leaked tracebacks, requests without an answer, answers other than 200/500/503; the problems."""
    leaks = [s for s in samples if s.leak]
    hung = [s for s in samples if s.outcome == "timeout" or s.seconds > args.request_timeout]
    unclean = [s for s in samples if s.outcome not in ("200", "500", "503")]
    before_bad = [s for s in samples if timeline.phase_of(s.at) == "before" and s.outcome != "200"]
    figures.emit("answers showing a traceback or debug page", len(leaks))
    figures.emit("requests without an answer in time", len(hung), f"timeout {args.request_timeout:g} s")
    figures.emit(
        "answers other than 200, 500, 503",
        len(unclean),
        ", ".join(f"{k}: {v}" for k, v in Counter(s.outcome for s in unclean).items()),
    )
    problems = []
    if leaks:
        problems.append(f"{len(leaks)} answers showed a traceback or a debug page")
    if hung:
        problems.append(f"{len(hung)} requests got no answer within {args.request_timeout:g} s")
    if unclean:
        problems.append(f"{len(unclean)} answers were neither 200 nor a clean 500/503")
    if before_bad:
        problems.append(f"{len(before_bad)} failures before the first outage")
    return problems


if __name__ == "__main__":
    sys.exit(main())
