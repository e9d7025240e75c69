"""How fast a fresh Celery worker drains a backlog of rate-limited invitation sends.

Run from the repository root (a PostgreSQL cluster on 5433 and a redis-server on 6380 of
your own, as for the other fault scripts)::

    nice -n 19 .venv/bin/python bench/faults_send_rate.py
    nice -n 19 .venv/bin/python bench/faults_send_rate.py --invitations 300 --seconds 120

A backlog is what the sweeper leaves after a broker outage or a killed worker: many queued
invitations enqueued at once. This script starts a worker as docker-compose.yml runs it
(prefork, 2 processes, the default ``SURVEY_SEND_RATE`` of 20/s), enqueues ``--invitations``
queued invitations at once (``invitations_enqueue``), and prints how many emails the local
SMTP server (aiosmtpd) has received after each second, for ``--seconds`` at most, then the
rate over the first 3 seconds and over the rest. On this machine a quiet run sends about 50
at once and then one a second (the worker's log shows each task received at once and run
about 1.0 s later), where the rate limit allows 20 a second; with ``SURVEY_SEND_RATE=1000/s``
in the environment the same backlog goes out at about 50–70 a second throughout, so the
stall comes with the rate limit. See "Findings" in ``bench/RESULTS_hardening.md``. The
database is ``cem_faults_rate`` (emptied at every run).

A measurement, not a check: it always exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults, _services


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--invitations", type=int, default=300, help="queued invitations enqueued at once (300)"
    )
    parser.add_argument("--seconds", type=float, default=120.0, help="longest wait (120)")
    _faults.add_run_arguments(
        parser,
        database_url="postgres://root@127.0.0.1:5433/cem_faults_rate",
        redis_url="redis://127.0.0.1:6380/3",
        results=False,
    )
    args = parser.parse_args()
    with _faults.fault_run("faults_send_rate", args, smtp=True) as run:
        run.setup()
        from django.db import transaction

        from bench._survey_data import queued_invitations, survey_create
        from surveys.services.invitations import invitations_enqueue

        run.worker()
        survey = survey_create()
        ids = queued_invitations(survey.survey_id, args.invitations, "S")
        began = time.monotonic()
        with transaction.atomic():
            invitations_enqueue(ids=ids)
        received: list[int] = []
        while time.monotonic() - began < args.seconds:
            time.sleep(1.0)
            received.append(run.smtp.messages())
            if received[-1] >= len(ids):
                break
        print(f"received after each second: {received}", flush=True)
        early = received[min(2, len(received) - 1)]
        late_seconds = max(1, len(received) - 3)
        print(f"first 3 s: {early / 3:.1f} emails/s", flush=True)
        print(f"after that: {(received[-1] - early) / late_seconds:.1f} emails/s", flush=True)
        print(f"all {len(ids)} sent: {'yes' if received[-1] >= len(ids) else 'no'}", flush=True)
        print(f"load average at the end: {_services.load_average()}", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
