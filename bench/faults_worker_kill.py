"""Fault: the Celery worker is killed (SIGKILL) in the middle of an invitation send-out.

Run from the repository root, with the fault services of ``bench/_faults.py`` up (a
PostgreSQL cluster on 5433, a redis-server on 6380)::

    nice -n 19 .venv/bin/python bench/faults_worker_kill.py
    nice -n 19 .venv/bin/python bench/faults_worker_kill.py --invitations 2000 --kills child,main,main
    nice -n 19 .venv/bin/python bench/faults_worker_kill.py --invitations 200 --kills main --worst-moment

What it does: a local SMTP server (aiosmtpd, in a process of its own) counts the messages it
accepts per invitation (the ``X-CEM-Invitation`` header). ``--invitations`` queued
invitations of distinct customers are enqueued the way the application enqueues them
(``invitations_enqueue`` in a transaction: ``send_enqueued_at`` set, one
``invitation_send`` task each on commit) to a real Celery worker (prefork, 2 processes,
the default ``SURVEY_SEND_RATE``) with a real beat (the project's CELERY_BEAT_SCHEDULE,
whose ``invitations_sweep`` re-enqueues invitations left queued past ``SEND_LEASE``). While
they go out the worker is killed with SIGKILL, once per ``--kills`` entry, at moments spread
over the send-out (after a random delay, so anywhere within a send):

* ``child``: every prefork pool process (the main process sees the task's worker lost and,
  with ``task_reject_on_worker_lost``, puts the message back on the queue);
* ``main``: the worker's main process (its pool processes die with it: Celery sets their
  parent-death signal to SIGKILL), then a new worker is started ``--down`` seconds later;
  the messages it had reserved stay unacknowledged in Redis until the visibility timeout
  (one hour), so the sweeper has to find their invitations;
* ``group``: the main process and its pool at once, then a new worker.

``--worst-moment`` replaces the random moment with the worst one: the SMTP server kills the
worker's process group as it accepts a message, before its reply reaches the worker, so
before the worker can commit that the invitation was sent (the window
``surveys/services/invitations.py`` documents: a duplicate, never a loss).

It then waits (``--timeout``) until no invitation is queued and the SMTP server has received
nothing new for ``--settle`` seconds, and prints: messages received, distinct invitations,
duplicates, missing ones, the statuses in the database, the sweeps that enqueued sends, and
how long the recovery took. It proves that every invitation is emailed exactly once, counted
at the SMTP server, and exits 1 when one is missing or received twice.

Results go to the section "faults_worker_kill.py" of ``bench/RESULTS_hardening.md``
(``--no-results`` leaves the file alone).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults, _services
from bench._faults import Delivery
from bench._services import info

KILL_MODES = ("child", "main", "group")


def status_counts(survey_id: int) -> Counter[str]:
    from surveys.models import Invitation

    return Counter(Invitation.objects.filter(survey_id=survey_id).values_list("status", flat=True))


def kill(mode: str, worker) -> list[int]:
    """SIGKILL the worker as ``mode`` says; returns the pids killed."""
    pool = _services.children(worker.pid)
    if mode == "child":
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        return pool
    if mode == "main":
        os.kill(worker.pid, signal.SIGKILL)
    else:
        os.killpg(worker.pid, signal.SIGKILL)
    return [worker.pid, *pool]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=2000, help="invitations sent (2000)")
    parser.add_argument(
        "--kills",
        default="child,main,main",
        help="kills, in order, spread over the send-out (child,main,main)",
    )
    parser.add_argument(
        "--worst-moment", action="store_true", help="kill right after an SMTP acknowledgement"
    )
    parser.add_argument("--down", type=float, default=5.0, help="seconds a killed worker stays down (5)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds to wait for recovery (1200)")
    parser.add_argument("--settle", type=float, default=20.0, help="quiet seconds before counting (20)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the kill moments")
    _faults.add_run_arguments(
        parser, database_url=_faults.DEFAULT_DATABASE_URL, redis_url=_faults.DEFAULT_REDIS_URL
    )
    args = parser.parse_args()
    args.kill_modes = [mode.strip() for mode in args.kills.split(",") if mode.strip()]
    if any(mode not in KILL_MODES for mode in args.kill_modes):
        parser.error(f"--kills takes {', '.join(KILL_MODES)}")
    if args.worst_moment and "child" in args.kill_modes:
        parser.error("--worst-moment kills the whole worker: use main or group")
    args.default_kills = args.kills == parser.get_default("kills")
    return args


def main() -> int:
    args = parse_args()
    with _faults.fault_run("faults_worker_kill", args, smtp=True) as run:
        return kills_during_send_out(run, args)


def kills_during_send_out(run: _faults.Run, args) -> int:
    """The send-out with the worker killed in the middle; the figures; 0 when all went out once."""
    run.setup()
    from django.db import transaction

    from bench._survey_data import customers_create, invitations_create, survey_create
    from surveys.models import InvitationStatus
    from surveys.services.invitations import SEND_LEASE, invitations_enqueue

    run.beat()
    run.worker(f"worker-{len(run.worker_logs) + 1}.log")
    survey = survey_create()
    customers = customers_create(args.invitations, prefix="K")
    ids = [i for i, _, _ in invitations_create(survey.survey_id, customers, status=InvitationStatus.QUEUED)]
    info(f"{len(ids):,} queued invitations; enqueueing their sends (SEND_LEASE {SEND_LEASE})")
    started = time.monotonic()
    with transaction.atomic():
        invitations_enqueue(ids=ids)
    kill_log = kill_workers(run, args, survey.survey_id, len(ids), started)
    last_kill = time.monotonic()

    # Wait for the send-out to finish: nothing queued, and the SMTP server quiet for --settle s.
    finished = _faults.await_send_out(
        run.smtp,
        started=started,
        timeout=args.timeout,
        settle=args.settle,
        pending=lambda: {"queued": status_counts(survey.survey_id).get(InvitationStatus.QUEUED, 0)},
    )
    delivery = Delivery.of(ids, run.smtp.counts())
    emit_figures(run, args, delivery, kill_log, survey.survey_id)
    _faults.emit_completion(
        run.figures,
        finished=finished,
        started=started,
        since=last_kill,
        since_what="after the last kill",
        timeout=args.timeout,
    )
    verdict = delivery.exactly_once and finished is not None
    run.figures.emit("every invitation emailed exactly once", "yes" if verdict else "NO")
    run.figures.emit("load average at the end", _services.load_average())
    if not args.no_results:
        write_results(run, args, kill_log)
    return 0 if verdict else 1


def kill_workers(run: _faults.Run, args, survey_id: int, count: int, started: float) -> list[str]:
    """One kill per ``--kills`` entry, spread over the send-out, each followed by a new worker when
    the main process died. Returns a line per kill."""
    kill_log: list[str] = []
    worker = run.processes[-1]
    points = [round(count * (k + 1) / (len(args.kill_modes) + 1)) for k in range(len(args.kill_modes))]
    rng = random.Random(args.seed)
    for number, (mode, point) in enumerate(zip(args.kill_modes, points, strict=True), start=1):
        if args.worst_moment:
            run.smtp.kill_after(point, worker.pid)
            while worker.poll() is None:
                if time.monotonic() - started > args.timeout:
                    raise RuntimeError("the worst-moment kill never happened")
                time.sleep(0.05)
            killed = [worker.pid]
            delay = 0.0
        else:
            run.smtp.wait_for_messages(point, deadline=started + args.timeout)
            delay = rng.uniform(0.0, 1.0)  # anywhere within the next ~20 sends
            time.sleep(delay)
            killed = kill(mode, worker)
        at = time.monotonic() - started
        received = run.smtp.messages()
        statuses = status_counts(survey_id)
        line = (
            f"kill {number} ({'worst moment' if args.worst_moment else mode}) at {at:.1f} s, "
            f"{delay * 1000:.0f} ms after message {point}: pids {killed}; "
            f"{received:,} messages received, {statuses.get('sent', 0):,} marked sent"
        )
        kill_log.append(line)
        info(line)
        if mode != "child" or args.worst_moment:
            worker = restart_worker(run, args, worker, killed)
    return kill_log


def restart_worker(run: _faults.Run, args, worker, killed: list[int]):
    """Wait for the killed worker's processes to be gone, then start a new worker ``--down`` s later."""
    worker.wait(timeout=30)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in killed if Path(f"/proc/{pid}").exists()]
    if left:
        info(f"processes of the killed worker still alive 5 s later: {left}")
    time.sleep(args.down)
    worker = run.worker(f"worker-{len(run.worker_logs) + 1}.log")
    info(f"worker restarted (pid {worker.pid})")
    return worker


def emit_figures(run: _faults.Run, args, delivery: Delivery, kill_log: list[str], survey_id: int) -> None:
    """The kills, what the SMTP server received, the statuses, the sweeps, what Redis still holds."""
    figures = run.figures
    statuses = status_counts(survey_id)
    unacked = _services.redis_client(args.redis_url).hlen("unacked")
    figures.emit(
        "invitations enqueued",
        f"{delivery.expected:,}",
        f"worker prefork x2, SURVEY_SEND_RATE {run.env.get('SURVEY_SEND_RATE', '20/s')}",
    )
    for number, (mode, line) in enumerate(zip(args.kill_modes, kill_log, strict=True), start=1):
        figures.emit(
            f"kill {number}", "worst moment" if args.worst_moment else mode, line.split(" at ", 1)[1]
        )
    _faults.emit_received(figures, delivery)
    figures.emit(
        "duplicates (invitations received twice or more)",
        len(delivery.duplicates),
        ", ".join(
            f"#{i}: {len(t)} copies, {t[-1] - t[0]:.1f} s apart"
            for i, t in sorted(delivery.duplicates.items())
        ),
    )
    figures.emit(
        "missing (never received)", len(delivery.missing), ", ".join(map(str, delivery.missing[:20]))
    )
    figures.emit(
        "invitation statuses in the database",
        ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())),
    )
    _faults.emit_sweeps(figures, _faults.sweeps_in_logs(run.worker_logs))
    figures.emit(
        "messages left unacknowledged in Redis",
        unacked,
        "reserved by killed workers; Redis hands them out again after the 1 h visibility timeout",
    )


def write_results(run: _faults.Run, args, kill_log: list[str]) -> None:
    notes = [
        f"Kills: {'; '.join(kill_log)}.",
        "A kill that lands while a send is between the SMTP server's 250 and the commit that marks "
        "the invitation sent leaves it queued although it was delivered: it is sent again, by the "
        "requeued task (child) or by the sweeper once SEND_LEASE has passed (main, group).",
    ]
    section = "faults_worker_kill.py" + (" (worst moment)" if args.worst_moment else "")
    if not args.default_kills:
        section += f", kills {args.kills}"
    run.write_results(section, notes=notes)


if __name__ == "__main__":
    sys.exit(main())
