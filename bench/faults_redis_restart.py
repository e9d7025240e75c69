"""Fault: Redis (broker and cache) restarts, empty, in the middle of a send-out and of answers.

Run from the repository root, with the fault services of ``bench/_faults.py`` up (a
PostgreSQL cluster on 5433, a redis-server on 6380 that this script restarts)::

    nice -n 19 .venv/bin/python bench/faults_redis_restart.py
    nice -n 19 .venv/bin/python bench/faults_redis_restart.py --invitations 2000 --down 10 --restart-at 0.3

What it does: a real Celery worker (prefork, 2 processes) and a real beat (the project's
CELERY_BEAT_SCHEDULE: ``invitations_sweep`` and ``metrics_refresh_stale`` every minute) run
against the redis-server on 6380, which runs without persistence (``--save ""
--appendonly no``), so a restart loses every queued task, every unacknowledged one and the
cache. Meanwhile:

* ``--invitations`` queued invitations are enqueued as the application enqueues them
  (``invitations_enqueue``: ``send_enqueued_at`` set, one ``invitation_send`` task each on
  commit); a local SMTP server (aiosmtpd) counts the messages per invitation;
* customers answer surveys in this process through the whole Django stack (test client,
  DEBUG off, production settings): GET ``/s/<token>/`` then POST the answers, about
  ``--answer-rate`` per second, and GET ``/health/``; every answer marks the day stale and
  asks for a metrics refresh once committed.

When ``--restart-at`` of the messages have been received, Redis is shut down without saving,
kept down ``--down`` seconds and started again, empty. The script waits (``--timeout``) until
no invitation is queued, the SMTP server has been quiet ``--settle`` seconds and no stale mark
is left, and prints: messages received, duplicates, missing; the answers' status codes
before, during and after the outage; the sweeps that re-enqueued sends; the stale marks left;
whether the rollups agree with the source rows.

It proves that, once the sweeper and the metrics refresh of beat have run, nothing is lost:
every invitation emailed exactly once, every stored answer counted in the rollups, no stale
mark left. It exits 1 otherwise (the status codes during the outage are reported, not judged).

Results go to the section "faults_redis_restart.py" of ``bench/RESULTS_hardening.md``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults
from bench._faults import Delivery, Figures, SmtpCounter, info

TEXT_ANSWER = "Answered while the cache restarts."


@dataclass
class Outage:
    down_at: float | None = None  # time.monotonic()
    up_at: float | None = None

    def phase(self, at: float) -> str:
        if self.down_at is None or at < self.down_at:
            return "before"
        if self.up_at is None or at < self.up_at:
            return "during"
        return "after"


@dataclass
class Answers:
    """What the customers saw, per phase of the outage."""

    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    posted_ok: list[int] = field(default_factory=list)  # invitation ids whose POST answered 302
    posted_failed: list[int] = field(default_factory=list)  # POST answered something else
    slowest: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def answer_loop(
    tokens: list, survey, outage: Outage, answers: Answers, *, rate: float, stop: threading.Event
):
    """GET then POST one survey (and GET /health/) about ``rate`` times a second until ``stop``."""
    from django.db import connection
    from django.test import Client

    client = Client(raise_request_exception=False)
    # The 500s and 503s of the outage are counted here; their logged tracebacks would drown the figures.
    for name in ("django.request", "analytics.views.health"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    interval = 1.0 / rate
    try:
        for invitation_id, token, language in tokens:
            if stop.is_set():
                return
            began = time.monotonic()
            for kind, call in (
                ("GET /health/", lambda: client.get("/health/")),
                ("GET /s/<token>/", lambda t=token: client.get(f"/s/{t}/")),
                (
                    "POST /s/<token>/",
                    lambda t=token, lang=language: client.post(
                        f"/s/{t}/",
                        urlencode({survey.nps_field: "3", survey.text_field: TEXT_ANSWER, "lang": lang}),
                        content_type="application/x-www-form-urlencoded",
                    ),
                ),
            ):
                at = time.monotonic()
                response = call()
                took = time.monotonic() - at
                phase = outage.phase(at)
                answers.statuses[phase][f"{kind} {response.status_code}"] += 1
                answers.slowest[f"{kind} {phase}"] = max(answers.slowest[f"{kind} {phase}"], took)
                if kind.startswith("POST"):
                    (answers.posted_ok if response.status_code == 302 else answers.posted_failed).append(
                        invitation_id
                    )
            time.sleep(max(0.0, interval - (time.monotonic() - began)))
    finally:
        connection.close()


def consistency(survey_ids: list[int]) -> dict[str, int]:
    """Source rows against the rollups, and the stale marks left."""
    from django.db.models import Sum

    from analytics.models import InvitationRollup, ResponseRollup, StaleMark
    from surveys.models import Invitation, Response

    return {
        "responses": Response.objects.filter(survey_id__in=survey_ids).count(),
        "rollup_responses": ResponseRollup.objects.aggregate(n=Sum("responses"))["n"] or 0,
        "sent": Invitation.objects.filter(sent_at__isnull=False).count(),
        "rollup_sent": InvitationRollup.objects.aggregate(n=Sum("sent"))["n"] or 0,
        "rollup_responded": InvitationRollup.objects.aggregate(n=Sum("responded"))["n"] or 0,
        "stale_marks": StaleMark.objects.count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=2000, help="invitations sent (2000)")
    parser.add_argument("--answers", type=int, default=400, help="invitations customers may answer (400)")
    parser.add_argument("--answer-rate", type=float, default=2.0, help="answers per second (2)")
    parser.add_argument("--restart-at", type=float, default=0.3, help="share of messages received (0.3)")
    parser.add_argument("--down", type=float, default=10.0, help="seconds Redis stays down (10)")
    parser.add_argument("--answer-after", type=float, default=40.0, help="seconds of answers after (40)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds to wait for recovery (1200)")
    parser.add_argument("--settle", type=float, default=20.0, help="quiet seconds before counting (20)")
    parser.add_argument("--database-url", default=_faults.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=_faults.DEFAULT_REDIS_URL)
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS_hardening.md")
    args = parser.parse_args()

    _faults.guard_redis(args.redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="faults-redis-"))
    _faults.snapshot(workdir)
    code = _faults.code_version()
    figures = Figures()
    host = _faults.machine()
    print(f"faults_redis_restart: {host}; {code}", flush=True)
    smtp = SmtpCounter.start()
    env = _faults.environment(
        database_url=args.database_url,
        redis_url=args.redis_url,
        static_root=workdir / "static",
        smtp_port=smtp.port,
    )
    processes: list = []
    worker_logs = [workdir / "worker.log"]
    stop_answers = threading.Event()
    try:
        info("collectstatic (the survey pages need the production manifest)")
        _faults.collectstatic(env)
        _faults.django_setup(env)
        _faults.redis_flush(args.redis_url)
        from django.db import transaction

        from bench.bench_surveys import customers_create, invitations_create, survey_create
        from surveys.models import Invitation, InvitationStatus, Response
        from surveys.services.invitations import invitations_enqueue

        processes.append(
            _faults.celery_beat_start(env, workdir / "beat.log", workdir / "celerybeat-schedule")
        )
        processes.append(_faults.celery_worker_start(env, worker_logs[0]))
        survey = survey_create()
        sends = invitations_create(
            survey.survey_id, customers_create(args.invitations, prefix="R"), status=InvitationStatus.QUEUED
        )
        ids = [i for i, _, _ in sends]
        answerable = invitations_create(
            survey.survey_id, customers_create(args.answers, prefix="A"), status=InvitationStatus.SENT
        )
        outage, answers = Outage(), Answers()
        responder = threading.Thread(
            target=answer_loop,
            args=(answerable, survey, outage, answers),
            kwargs={"rate": args.answer_rate, "stop": stop_answers},
            daemon=True,
        )
        info(f"{len(ids):,} queued invitations enqueued; customers answer {args.answer_rate:g}/s")
        started = time.monotonic()
        with transaction.atomic():
            invitations_enqueue(ids=ids)
        responder.start()

        point = round(len(ids) * args.restart_at)
        while smtp.messages() < point:
            if time.monotonic() - started > args.timeout:
                raise RuntimeError(f"the send-out stalled before message {point}")
            time.sleep(0.05)
        before_restart = smtp.messages()
        queued_before = _faults.redis_client(args.redis_url).llen("celery")
        outage.down_at = time.monotonic()
        stopped, answering = _faults.redis_restart(args.redis_url, down_seconds=args.down)
        outage.up_at = answering
        info(
            f"Redis shut down at {stopped - started:.1f} s ({before_restart:,} messages received, "
            f"{queued_before:,} tasks queued in Redis), answering again at {answering - started:.1f} s"
        )
        time.sleep(args.answer_after)
        stop_answers.set()
        responder.join(timeout=60)

        last_change, last_messages, last_report, finished = time.monotonic(), -1, 0.0, None
        while time.monotonic() - started < args.timeout:
            messages = smtp.messages()
            if messages != last_messages:
                last_messages, last_change = messages, time.monotonic()
            queued = Invitation.objects.filter(id__in=ids, status=InvitationStatus.QUEUED).count()
            marks = consistency([survey.survey_id])["stale_marks"]
            if queued == 0 and finished is None:
                finished = time.monotonic()
            if queued == 0 and marks == 0 and time.monotonic() - last_change >= args.settle:
                break
            if time.monotonic() - last_report >= 30:
                last_report = time.monotonic()
                info(
                    f"{time.monotonic() - started:6.0f} s: {messages:,} messages received, "
                    f"{queued:,} queued, {marks} stale marks"
                )
            time.sleep(0.5)
        delivery = Delivery.of(ids, smtp.counts())
        sweeps = _faults.sweeps_in_logs(worker_logs)
        numbers = consistency([survey.survey_id])
        stored = set(
            Response.objects.filter(invitation_id__in=[i for i, _, _ in answerable]).values_list(
                "invitation_id", flat=True
            )
        )
        ok_missing = [i for i in answers.posted_ok if i not in stored]
        failed_stored = [i for i in answers.posted_failed if i in stored]
        worker_log = worker_logs[0].read_text(errors="replace")
        send_errors = sum(
            1
            for line in worker_log.splitlines()
            if "invitation_send[" in line and " raised unexpected" in line
        )

        figures.emit("invitations enqueued", f"{len(ids):,}", "worker prefork x2, SURVEY_SEND_RATE 20/s")
        figures.emit(
            "Redis restarted (no persistence)",
            f"{outage.up_at - outage.down_at:.1f} s down",
            f"at {outage.down_at - started:.1f} s, after {before_restart:,} messages; "
            f"{queued_before:,} send tasks were waiting in the queue",
        )
        figures.emit("messages received by the SMTP server", f"{delivery.messages:,}")
        figures.emit("distinct invitations received", f"{delivery.distinct:,}", f"of {len(ids):,}")
        figures.emit("duplicates", len(delivery.duplicates), str(sorted(delivery.duplicates))[:200])
        figures.emit("missing", len(delivery.missing), str(delivery.missing[:20]))
        figures.emit(
            "sweeps that enqueued sends",
            sum(1 for n in sweeps if n),
            f"{sum(sweeps):,} sends re-enqueued by {len(sweeps)} sweeps: {[n for n in sweeps if n]}",
        )
        figures.emit("send tasks that failed (worker log)", send_errors, "raised while Redis was away")
        if finished is not None:
            figures.emit(
                "send-out complete after",
                f"{finished - started:.0f} s",
                f"{finished - outage.up_at:.0f} s after Redis came back",
            )
        else:
            figures.emit("send-out complete after", "NEVER", f"still queued after {args.timeout:.0f} s")
        for phase in ("before", "during", "after"):
            counts = answers.statuses.get(phase, Counter())
            slowest = {k.rsplit(" ", 1)[0]: v for k, v in answers.slowest.items() if k.endswith(phase)}
            figures.emit(
                f"customer requests {phase} the outage",
                sum(counts.values()),
                ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
                + "; slowest "
                + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(slowest.items())),
            )
        figures.emit(
            "answers stored / POSTs answered 302",
            f"{len(stored)} / {len(answers.posted_ok)}",
            f"302 without a stored answer: {len(ok_missing)}; other status but stored: {len(failed_stored)}",
        )
        figures.emit("stale marks left", numbers["stale_marks"])
        figures.emit(
            "rollups = source rows",
            "yes"
            if numbers["responses"] == numbers["rollup_responses"]
            and numbers["sent"] == numbers["rollup_sent"]
            and numbers["rollup_responded"] == numbers["responses"]
            else "NO",
            f"responses {numbers['responses']:,} vs ResponseRollup {numbers['rollup_responses']:,}; "
            f"invitations sent {numbers['sent']:,} vs InvitationRollup {numbers['rollup_sent']:,} "
            f"(responded {numbers['rollup_responded']:,})",
        )
        verdict = (
            delivery.exactly_once
            and finished is not None
            and not ok_missing
            and numbers["stale_marks"] == 0
            and numbers["responses"] == numbers["rollup_responses"] == numbers["rollup_responded"]
            and numbers["sent"] == numbers["rollup_sent"]
        )
        figures.emit("nothing lost after the sweeper and the refresh ran", "yes" if verdict else "NO")
        figures.emit("load average at the end", _faults.load_average())
        if not args.no_results:
            body = "\n".join(
                [
                    f"Machine: {host}. Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Code: {code} "
                    "(run from a copy taken at the start).",
                    "",
                    f"Command: `{_faults.command_line()}`",
                    "",
                    figures.markdown(),
                ]
            )
            _faults.results_write("faults_redis_restart.py", body)
        return 0 if verdict else 1
    finally:
        stop_answers.set()
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
