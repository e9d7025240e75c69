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
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults
from bench._faults import Delivery, Figures, SmtpCounter, info

KILL_MODES = ("child", "main", "group")


def status_counts(survey_id: int) -> Counter[str]:
    from surveys.models import Invitation

    return Counter(Invitation.objects.filter(survey_id=survey_id).values_list("status", flat=True))


def kill(mode: str, worker) -> list[int]:
    """SIGKILL the worker as ``mode`` says; returns the pids killed."""
    pool = _faults.children(worker.pid)
    if mode == "child":
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        return pool
    if mode == "main":
        os.kill(worker.pid, signal.SIGKILL)
    else:
        os.killpg(worker.pid, signal.SIGKILL)
    return [worker.pid, *pool]


def main() -> int:
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
    parser.add_argument("--database-url", default=_faults.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=_faults.DEFAULT_REDIS_URL)
    parser.add_argument("--seed", type=int, default=None, help="random seed of the kill moments")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS_hardening.md")
    args = parser.parse_args()
    kills = [mode.strip() for mode in args.kills.split(",") if mode.strip()]
    if any(mode not in KILL_MODES for mode in kills):
        parser.error(f"--kills takes {', '.join(KILL_MODES)}")
    if args.worst_moment and "child" in kills:
        parser.error("--worst-moment kills the whole worker: use main or group")
    rng = random.Random(args.seed)

    _faults.guard_redis(args.redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="faults-worker-kill-"))
    _faults.snapshot(workdir)
    code = _faults.code_version()
    figures = Figures()
    host = _faults.machine()
    print(f"faults_worker_kill: {host}; {code}", flush=True)
    smtp = SmtpCounter.start()
    env = _faults.environment(
        database_url=args.database_url,
        redis_url=args.redis_url,
        static_root=workdir / "static",
        smtp_port=smtp.port,
    )
    processes: list = []
    worker_logs: list[Path] = []
    try:
        _faults.django_setup(env)
        _faults.redis_flush(args.redis_url)
        from django.db import transaction

        from bench.bench_surveys import customers_create, invitations_create, survey_create
        from surveys.models import InvitationStatus
        from surveys.services.invitations import SEND_LEASE, invitations_enqueue

        beat = _faults.celery_beat_start(env, workdir / "beat.log", workdir / "celerybeat-schedule")
        processes.append(beat)

        def worker_start():
            log = workdir / f"worker-{len(worker_logs) + 1}.log"
            worker_logs.append(log)
            started = _faults.celery_worker_start(env, log)
            processes.append(started)
            return started

        worker = worker_start()
        survey = survey_create()
        customers = customers_create(args.invitations, prefix="K")
        ids = [
            i for i, _, _ in invitations_create(survey.survey_id, customers, status=InvitationStatus.QUEUED)
        ]
        info(f"{len(ids):,} queued invitations; enqueueing their sends (SEND_LEASE {SEND_LEASE})")
        started = time.monotonic()
        with transaction.atomic():
            invitations_enqueue(ids=ids)

        kill_log: list[str] = []
        points = [round(len(ids) * (k + 1) / (len(kills) + 1)) for k in range(len(kills))]
        for number, (mode, point) in enumerate(zip(kills, points, strict=True), start=1):
            if args.worst_moment:
                smtp.kill_after(point, worker.pid)
                while worker.poll() is None:
                    if time.monotonic() - started > args.timeout:
                        raise RuntimeError("the worst-moment kill never happened")
                    time.sleep(0.05)
                killed = [worker.pid]
                delay = 0.0
            else:
                while smtp.messages() < point:
                    if time.monotonic() - started > args.timeout:
                        raise RuntimeError(f"the send-out stalled before message {point}")
                    time.sleep(0.05)
                delay = rng.uniform(0.0, 1.0)  # anywhere within the next ~20 sends
                time.sleep(delay)
                killed = kill(mode, worker)
            at = time.monotonic() - started
            received = smtp.messages()
            statuses = status_counts(survey.survey_id)
            line = (
                f"kill {number} ({'worst moment' if args.worst_moment else mode}) at {at:.1f} s, "
                f"{delay * 1000:.0f} ms after message {point}: pids {killed}; "
                f"{received:,} messages received, {statuses.get('sent', 0):,} marked sent"
            )
            kill_log.append(line)
            info(line)
            if mode != "child" or args.worst_moment:
                worker.wait(timeout=30)
                deadline = time.monotonic() + 5
                while any(Path(f"/proc/{pid}").exists() for pid in killed) and time.monotonic() < deadline:
                    time.sleep(0.1)
                left = [pid for pid in killed if Path(f"/proc/{pid}").exists()]
                if left:
                    info(f"processes of the killed worker still alive 5 s later: {left}")
                time.sleep(args.down)
                worker = worker_start()
                info(f"worker restarted (pid {worker.pid})")
        last_kill = time.monotonic()

        # Wait for the send-out to finish: nothing queued, and the SMTP server quiet for --settle s.
        last_change, last_messages, last_report = time.monotonic(), -1, 0.0
        finished = None
        while time.monotonic() - started < args.timeout:
            messages = smtp.messages()
            if messages != last_messages:
                last_messages, last_change = messages, time.monotonic()
            queued = status_counts(survey.survey_id).get(InvitationStatus.QUEUED, 0)
            if queued == 0 and finished is None:
                finished = time.monotonic()
            if queued == 0 and time.monotonic() - last_change >= args.settle:
                break
            if time.monotonic() - last_report >= 30:
                last_report = time.monotonic()
                info(
                    f"{time.monotonic() - started:6.0f} s: {messages:,} messages received, {queued:,} queued"
                )
            time.sleep(0.5)
        delivery = Delivery.of(ids, smtp.counts())
        statuses = status_counts(survey.survey_id)
        sweeps = _faults.sweeps_in_logs(worker_logs)
        unacked = _faults.redis_client(args.redis_url).hlen("unacked")

        figures.emit(
            "invitations enqueued",
            f"{len(ids):,}",
            f"worker prefork x2, SURVEY_SEND_RATE {env.get('SURVEY_SEND_RATE', '20/s')}",
        )
        for number, (mode, line) in enumerate(zip(kills, kill_log, strict=True), start=1):
            figures.emit(
                f"kill {number}", "worst moment" if args.worst_moment else mode, line.split(" at ", 1)[1]
            )
        figures.emit("messages received by the SMTP server", f"{delivery.messages:,}")
        figures.emit("distinct invitations received", f"{delivery.distinct:,}", f"of {len(ids):,}")
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
        figures.emit(
            "sweeps that enqueued sends",
            sum(1 for n in sweeps if n),
            f"{sum(sweeps):,} sends re-enqueued by {len(sweeps)} sweeps: {[n for n in sweeps if n]}",
        )
        figures.emit(
            "messages left unacknowledged in Redis",
            unacked,
            "reserved by killed workers; Redis hands them out again after the 1 h visibility timeout",
        )
        if finished is not None:
            figures.emit(
                "send-out complete after",
                f"{finished - started:.0f} s",
                f"{finished - last_kill:.0f} s after the last kill",
            )
        else:
            figures.emit("send-out complete after", "NEVER", f"still queued after {args.timeout:.0f} s")
        verdict = delivery.exactly_once and finished is not None
        figures.emit("every invitation emailed exactly once", "yes" if verdict else "NO")
        figures.emit("load average at the end", _faults.load_average())

        if not args.no_results:
            notes = [
                f"Kills: {'; '.join(kill_log)}.",
                "A kill that lands while a send is between the SMTP server's 250 and the commit that marks "
                "the invitation sent leaves it queued although it was delivered: it is sent again, by the "
                "requeued task (child) or by the sweeper once SEND_LEASE has passed (main, group).",
            ]
            body = "\n".join(
                [
                    f"Machine: {host}. Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Code: {code} "
                    "(run from a copy taken at the start).",
                    "",
                    f"Command: `{_faults.command_line()}`",
                    "",
                    figures.markdown(),
                    "",
                    *[f"- {note}" for note in notes],
                ]
            )
            section = "faults_worker_kill.py" + (" (worst moment)" if args.worst_moment else "")
            if args.kills != parser.get_default("kills"):
                section += f", kills {args.kills}"
            _faults.results_write(section, body)
        return 0 if verdict else 1
    finally:
        for process in reversed(processes):
            _faults.stop(process)
        smtp.stop()
        try:
            _faults.redis_flush(args.redis_url)
        except Exception as error:  # noqa: BLE001 - cleanup must not hide the run's own error
            print(f"could not empty {args.redis_url}: {error}", file=sys.stderr)
        _faults.workdir_remove(workdir, keep=args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
