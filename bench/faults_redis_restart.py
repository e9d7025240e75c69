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
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults, _services
from bench._faults import Delivery, Figures
from bench._services import info

TEXT_ANSWER = "Answered while the cache restarts."


@dataclass
class Outage:
    down_at: float | None = None  # time.monotonic()
    up_at: float | None = None
    messages_before: int = 0  # received by the SMTP server when Redis went down
    queued_before: int = 0  # send tasks waiting in Redis then

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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=2000, help="invitations sent (2000)")
    parser.add_argument("--answers", type=int, default=400, help="invitations customers may answer (400)")
    parser.add_argument("--answer-rate", type=float, default=2.0, help="answers per second (2)")
    parser.add_argument("--restart-at", type=float, default=0.3, help="share of messages received (0.3)")
    parser.add_argument("--down", type=float, default=10.0, help="seconds Redis stays down (10)")
    parser.add_argument("--answer-after", type=float, default=40.0, help="seconds of answers after (40)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds to wait for recovery (1200)")
    parser.add_argument("--settle", type=float, default=20.0, help="quiet seconds before counting (20)")
    _faults.add_run_arguments(
        parser, database_url=_faults.DEFAULT_DATABASE_URL, redis_url=_faults.DEFAULT_REDIS_URL
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with _faults.fault_run("faults_redis_restart", args, smtp=True) as run:
        stop_answers = threading.Event()
        try:
            return restart_during_send_out(run, args, stop_answers)
        finally:
            stop_answers.set()


def restart_during_send_out(run: _faults.Run, args, stop_answers: threading.Event) -> int:
    """The send-out and the answers, Redis restarted in the middle; the figures; 0 when nothing is lost."""
    run.setup(static="the survey pages need the production manifest")
    from django.db import transaction

    from bench._survey_data import customers_create, invitations_create, survey_create
    from surveys.models import Invitation, InvitationStatus
    from surveys.services.invitations import invitations_enqueue

    run.beat()
    run.worker()
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
    restart_redis(run, args, round(len(ids) * args.restart_at), outage, started)
    time.sleep(args.answer_after)
    stop_answers.set()
    responder.join(timeout=60)

    finished = _faults.await_send_out(
        run.smtp,
        started=started,
        timeout=args.timeout,
        settle=args.settle,
        pending=lambda: {
            "queued": Invitation.objects.filter(id__in=ids, status=InvitationStatus.QUEUED).count(),
            "stale marks": consistency([survey.survey_id])["stale_marks"],
        },
    )
    delivery = emit_send_out(run, args, ids, outage, started, finished)
    ok_missing = emit_answers(run.figures, answers, [i for i, _, _ in answerable])
    numbers = emit_consistency(run.figures, survey.survey_id)
    verdict = nothing_lost(delivery, finished, ok_missing, numbers)
    run.figures.emit("nothing lost after the sweeper and the refresh ran", "yes" if verdict else "NO")
    run.figures.emit("load average at the end", _services.load_average())
    if not args.no_results:
        run.write_results("faults_redis_restart.py")
    return 0 if verdict else 1


def nothing_lost(delivery: Delivery, finished: float | None, ok_missing: list[int], numbers: dict) -> bool:
    """Every invitation emailed once, the send-out finished, every answer stored and counted."""
    return (
        delivery.exactly_once
        and finished is not None
        and not ok_missing
        and numbers["stale_marks"] == 0
        and numbers["responses"] == numbers["rollup_responses"] == numbers["rollup_responded"]
        and numbers["sent"] == numbers["rollup_sent"]
    )


def restart_redis(run: _faults.Run, args, point: int, outage: Outage, started: float) -> None:
    """Once ``point`` messages have been received, Redis down ``--down`` seconds and up again, empty."""
    run.smtp.wait_for_messages(point, deadline=started + args.timeout)
    outage.messages_before = run.smtp.messages()
    outage.queued_before = _services.redis_client(args.redis_url).llen("celery")
    outage.down_at = time.monotonic()
    stopped, answering = _faults.redis_restart(args.redis_url, down_seconds=args.down)
    outage.up_at = answering
    info(
        f"Redis shut down at {stopped - started:.1f} s ({outage.messages_before:,} messages received, "
        f"{outage.queued_before:,} tasks queued in Redis), answering again at {answering - started:.1f} s"
    )


def emit_send_out(
    run: _faults.Run, args, ids: list[int], outage: Outage, started: float, finished: float | None
) -> Delivery:
    """The restart, what the SMTP server received, the sweeps, the failed sends, the completion."""
    figures = run.figures
    delivery = Delivery.of(ids, run.smtp.counts())
    worker_log = run.worker_logs[0].read_text(errors="replace")
    send_errors = sum(
        1 for line in worker_log.splitlines() if "invitation_send[" in line and " raised unexpected" in line
    )
    figures.emit("invitations enqueued", f"{len(ids):,}", "worker prefork x2, SURVEY_SEND_RATE 20/s")
    figures.emit(
        "Redis restarted (no persistence)",
        f"{outage.up_at - outage.down_at:.1f} s down",
        f"at {outage.down_at - started:.1f} s, after {outage.messages_before:,} messages; "
        f"{outage.queued_before:,} send tasks were waiting in the queue",
    )
    _faults.emit_received(figures, delivery)
    figures.emit("duplicates", len(delivery.duplicates), str(sorted(delivery.duplicates))[:200])
    figures.emit("missing", len(delivery.missing), str(delivery.missing[:20]))
    _faults.emit_sweeps(figures, _faults.sweeps_in_logs(run.worker_logs))
    figures.emit("send tasks that failed (worker log)", send_errors, "raised while Redis was away")
    _faults.emit_completion(
        figures,
        finished=finished,
        started=started,
        since=outage.up_at,
        since_what="after Redis came back",
        timeout=args.timeout,
    )
    return delivery


def emit_answers(figures: Figures, answers: Answers, answerable: list[int]) -> list[int]:
    """The customers' requests per phase, and the answers stored against the POSTs answered 302.
    Returns the invitations answered 302 without a stored answer."""
    from surveys.models import Response

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
    stored = set(
        Response.objects.filter(invitation_id__in=answerable).values_list("invitation_id", flat=True)
    )
    ok_missing = [i for i in answers.posted_ok if i not in stored]
    failed_stored = [i for i in answers.posted_failed if i in stored]
    figures.emit(
        "answers stored / POSTs answered 302",
        f"{len(stored)} / {len(answers.posted_ok)}",
        f"302 without a stored answer: {len(ok_missing)}; other status but stored: {len(failed_stored)}",
    )
    return ok_missing


def emit_consistency(figures: Figures, survey_id: int) -> dict[str, int]:
    """The stale marks left, and whether the rollups agree with the source rows."""
    numbers = consistency([survey_id])
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
    return numbers


if __name__ == "__main__":
    sys.exit(main())
