"""How wide is the duplicate window of ``invitation_send``: from the SMTP server's 250 to the commit.

Run from the repository root (a PostgreSQL cluster on 5433 and a redis-server on 6380 of
your own, as for the other fault scripts)::

    nice -n 19 .venv/bin/python bench/faults_send_window.py
    nice -n 19 .venv/bin/python bench/faults_send_window.py --sends 500

A worker killed after the SMTP server accepted an invitation's email but before the commit
that marks it sent leaves it queued: the sweeper sends it again (a duplicate). The chance
that a kill at a random moment of a send does that is the share of the send spent in that
window. This script sends ``--sends`` queued invitations, one after another, with
``invitation_send`` in this process through a local SMTP server (aiosmtpd in a process of
its own), and times each step by wrapping ``smtplib.SMTP.data``/``quit`` and the database
commit. It prints the median of each step, the window (the 250 reply to DATA → COMMIT done)
and its share of a send. The database is ``cem_faults_window`` (emptied at every run).

A measurement, not a check: it always exits 0.
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _faults

MARKS: dict[str, float] = {}


def instrument() -> None:
    """Record when DATA starts and is answered, when QUIT is answered, when COMMIT ends."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    data, quit_, commit = smtplib.SMTP.data, smtplib.SMTP.quit, BaseDatabaseWrapper._commit

    def timed_data(self, message):
        MARKS["data"] = time.perf_counter()
        reply = data(self, message)
        MARKS["accepted"] = time.perf_counter()
        return reply

    def timed_quit(self):
        reply = quit_(self)
        MARKS["quit"] = time.perf_counter()
        return reply

    def timed_commit(self):
        MARKS["commit"] = time.perf_counter()
        result = commit(self)
        MARKS["committed"] = time.perf_counter()
        return result

    smtplib.SMTP.data, smtplib.SMTP.quit, BaseDatabaseWrapper._commit = timed_data, timed_quit, timed_commit


STEPS = (
    "whole send",
    "start → DATA sent",
    "DATA sent → 250",
    "250 → COMMIT done (the window)",
    "COMMIT",
    "QUIT (after 250)",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=300, help="invitations sent (300; the first 20 warm up)")
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5433/cem_faults_window")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6380/2")
    args = parser.parse_args()
    with _faults.fault_run("faults_send_window", args, smtp=True, snapshot=False, owns_redis=False) as run:
        run.setup()
        from bench._survey_data import queued_invitations, survey_create

        instrument()
        survey = survey_create()
        steps, shares = time_sends(queued_invitations(survey.survey_id, args.sends, "W"))
        for name, values in steps.items():
            print(f"{name:<34} median {statistics.median(values) * 1000:7.2f} ms", flush=True)
        print(f"{'window share of a send':<34} mean   {statistics.mean(shares):7.0%}", flush=True)
        quit_first = statistics.median(steps["QUIT (after 250)"]) < statistics.median(
            steps["250 → COMMIT done (the window)"]
        )
        print(f"{'QUIT before the commit':<34} {'yes' if quit_first else 'no'}", flush=True)
        return 0


def time_sends(ids: list[int]) -> tuple[dict[str, list[float]], list[float]]:
    """Send each invitation in this process (the first 20 warm up); the seconds of each step per send,
    and the window's share of each send."""
    from surveys.services.invitations import invitation_send

    steps: dict[str, list[float]] = {name: [] for name in STEPS}
    shares = []
    for number, invitation_id in enumerate(ids):
        MARKS.clear()
        began = time.perf_counter()
        outcome = invitation_send(invitation_id=invitation_id)
        ended = time.perf_counter()
        if outcome != "sent" or number < 20:
            continue
        window = MARKS["committed"] - MARKS["accepted"]
        values = (
            ended - began,
            MARKS["data"] - began,
            MARKS["accepted"] - MARKS["data"],
            window,
            MARKS["committed"] - MARKS["commit"],
            MARKS["quit"] - MARKS["accepted"],
        )
        for name, seconds in zip(STEPS, values, strict=True):
            steps[name].append(seconds)
        shares.append(window / (ended - began))
    return steps, shares


if __name__ == "__main__":
    sys.exit(main())
