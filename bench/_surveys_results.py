"""The figures of ``bench/bench_surveys.py``: one line each as they come, then the results file.

``emit`` prints a figure and keeps it; ``emit_cpu`` the cores used during a run, per role;
``NOTES`` and ``CPU`` keep the numbers the notes of the results file quote; ``write_results``
writes the machine, the command, the figures and the notes (``notes``: the reading of the
figures, a claim made only when this run's numbers bear it out).
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import _services
from bench._services import info
from bench._surveys_measure import CpuWindow


@dataclass
class Figure:
    section: str
    name: str
    value: str
    detail: str = ""


FIGURES: list[Figure] = []
NOTES: dict[str, float] = {}  # numbers the notes of the results file quote
CPU: dict[str, tuple[float, dict[str, float]]] = {}  # phase → (cores busy, cores per role)


def emit(section: str, name: str, value: str, detail: str = "") -> None:
    """Print one figure on one line and keep it for the results file."""
    FIGURES.append(Figure(section, name, value, detail))
    print(f"{section:<7} {name:<44} {value:>16}  {detail}".rstrip(), flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def emit_cpu(section: str, phase: str, window: CpuWindow, order: list[str]) -> None:
    """One line: the cores the machine used during the window, per role; kept for the notes."""
    machine, roles = window.report()
    CPU[phase] = (machine, roles)
    parts = [f"{role} {roles.get(role, 0.0):.2f}" for role in order]
    known = sum(roles.get(role, 0.0) for role in order)
    parts.append(f"other {max(0.0, machine - known):.2f}")
    emit(section, f"  cpu during the {phase} run", f"{machine:.2f} cores", "of which " + ", ".join(parts))


# --- results file ----------------------------------------------------------------------------------


def host_facts() -> dict[str, str]:
    """The machine and the versions of what runs on it, for the results file."""
    import django
    import gunicorn
    from celery import __version__ as celery_version

    return {
        "cpus": str(os.cpu_count()),
        "cpu": _services.cpu_model(),
        "ram": f"{_services.memory_gib():.1f} GiB",
        "postgres": _services.postgres_version(),
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


def _cores_of(phase: str, role: str) -> float:
    return CPU.get(phase, (0.0, {}))[1].get(role, 0.0)


def _others(phase: str) -> float:
    machine, roles = CPU.get(phase, (0.0, {}))
    return max(0.0, machine - sum(v for role, v in roles.items() if role != "other"))


def notes(args) -> list[str]:
    """The reading of the figures, with this run's numbers; a claim is only made when they bear it out."""
    n = NOTES
    items = _notes_machine(n)
    if "pairs_rate" in n:
        items += _notes_pages(n, args)
    if "inprocess_ms" in n:
        items.append(_note_send(n))
    if "celery_T" in n:
        items += _notes_rate_limit(n, args)
    if "celery_U" in n:
        items.append(_note_worker_sessions(n))
    return items


def _notes_machine(n: dict[str, float]) -> list[str]:
    cores = os.cpu_count()
    return [
        f"One machine for everything: the load generator, gunicorn, PostgreSQL, Redis, the SMTP server "
        f"and the Celery worker share its {cores} cores, and so did other work (other engineers' test "
        f"runs and benchmarks on the same PostgreSQL): {n.get('background', 0):.2f} cores were busy "
        "before the run started; during the runs that other work took "
        + ", ".join(f"{_others(phase):.2f} ({phase})" for phase in CPU)
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


def _notes_pages(n: dict[str, float], args) -> list[str]:
    cores = os.cpu_count()
    trivial, pairs = n["trivial_rate"], n["pairs_rate"]
    busy, _ = CPU.get("trivial", (0.0, {}))
    limit = (
        f"the machine was saturated ({busy:.2f} of {cores} cores busy), so the figure is what the CPU "
        "left to gunicorn"
        if busy >= 0.95 * cores
        else f"the machine was not saturated ({busy:.2f} of {cores} cores busy)"
    )
    return [
        f"Trivial view ({trivial:,.0f} requests/s): {limit}; the load generator (one Python process, "
        f"its threads share one interpreter lock) used {_cores_of('trivial', 'load generator'):.2f} "
        f"cores, gunicorn {_cores_of('trivial', 'gunicorn'):.2f}, other work {_others('trivial'):.2f}. "
        "gunicorn's sync workers serve one request at a time and close the connection after each "
        f"response, so every request opens a TCP connection; {args.workers} workers on {cores} cores.",
        f"A survey pair took {_cores_of('pair', 'gunicorn') / pairs * 1000:.1f} ms of gunicorn CPU and "
        f"{_cores_of('pair', 'postgres') / pairs * 1000:.1f} ms of PostgreSQL CPU, against "
        f"{_cores_of('trivial', 'gunicorn') / trivial * 1000:.2f} ms of gunicorn CPU for a trivial "
        "request, so pairs/s ÷ trivial requests/s is small by construction: a pair is two requests "
        f"with {n['get_queries']:.0f} + {n['post_queries']:.0f} SQL statements, a template rendering "
        "and Redis round trips (the failure counter on each request, the metrics-refresh task "
        "published after the commit). In the pair run the load generator used only "
        f"{_cores_of('pair', 'load generator'):.2f} cores, gunicorn and PostgreSQL "
        f"{_cores_of('pair', 'gunicorn') + _cores_of('pair', 'postgres'):.2f} of the "
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


def _note_send(n: dict[str, float]) -> str:
    smtp_ms, locmem_ms = n["inprocess_ms"], n["locmem_ms"]
    return (
        f"Sending in one process costs {smtp_ms:.1f} ms per invitation through SMTP and "
        f"{locmem_ms:.1f} ms with the in-memory backend (locking, suppression checks, rendering "
        "the HTML and text bodies, the update, the stale marks and the Redis publish: "
        f"{n.get('send_queries', 0):.0f} SQL statements with the transaction's). The difference "
        f"({smtp_ms - locmem_ms:.1f} ms) is the SMTP conversation: `invitation_send` opens "
        f"{n.get('smtp_connections', 0):.2f} SMTP connections per email (`EmailMessage.send()` "
        "without a shared connection: connect, EHLO, MAIL, RCPT, DATA, QUIT each time). Against a "
        "real relay every email also pays the network round trips, STARTTLS and authentication."
    )


def _notes_rate_limit(n: dict[str, float], args) -> list[str]:
    throttled = n["celery_T"]
    text = f"With the default SURVEY_SEND_RATE of 20/s the worker (2 pool processes) sent {throttled:.1f}/s"
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
    items = [text + "."]
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
    return items


def _note_worker_sessions(n: dict[str, float]) -> str:
    text = (
        f"At 1000/s the worker sent {n['celery_U']:.1f}/s with 2 processes, against "
        f"{n.get('inprocess_rate', 0):.1f}/s in one process, opening "
        f"{n.get('celery_U_sessions', 0):.2f} new PostgreSQL sessions per email (gunicorn: "
        f"{n.get('sessions_pages', 0):.0f} in all for both page runs); PostgreSQL sessions that "
        f"ended during the run used {_cores_of('Celery 1000/s', 'ended sessions'):.2f} cores, the "
        f"worker itself {_cores_of('Celery 1000/s', 'celery'):.2f}."
    )
    if n.get("celery_U_sessions", 0) >= 0.5:
        text += (
            " Celery's Django fix-up closes every database connection before and after each task "
            "(celery/fixups/django.py, DjangoWorkerFixup.on_task_prerun/on_task_postrun → "
            "close_database() → conn.close(), unless CELERY_DB_REUSE_MAX is set), so CONN_MAX_AGE "
            "does not apply in the worker: each task (the send, and the metrics refresh it enqueues) "
            "pays a new PostgreSQL backend, its authentication and cold catalog caches."
        )
    return text
