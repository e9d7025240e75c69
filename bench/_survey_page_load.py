"""The instruments of ``bench/bench_survey_page.py``: invitations made for a run and taken away
after it, and wrk driving one gunicorn.

``page_invitations`` makes sent invitations of a live survey already in a benchmark database,
to existing customers, with their tokens known; ``page_rows_delete`` deletes them afterwards with
everything answering them wrote (responses, answers, stale marks), so the data set's figures
are as they were. ``wrk_run`` runs wrk (a C load generator, one process, one connection per
thread) with a Lua script that takes the tokens from a file, each thread its own share, and
checks every answer's status.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

# Every thread stops at its own last token: a run never answers a link twice.
_LUA = r"""
local mode, token_file, expected = "%(mode)s", "%(tokens)s", %(expected)s
local body = "%(body)s"
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens, next_token, posted, bad, out, statuses = {}, 1, false, 0, 0, {}
  local line_number = 0
  if mode ~= "trivial" then
    for line in io.lines(token_file) do
      if line_number %% %(threads)d == id then table.insert(tokens, line) end
      line_number = line_number + 1
    end
  end
end

function request()
  if mode == "trivial" then return wrk.format("GET", "/bench/trivial/") end
  local token = tokens[next_token]
  if token == nil then
    out = out + 1
    return wrk.format("GET", "/bench/trivial/")
  end
  local path = "/s/" .. token .. "/"
  if mode == "get" or (mode == "pair" and not posted) then
    if mode == "get" then next_token = next_token + 1 else posted = true end
    return wrk.format("GET", path)
  end
  next_token = next_token + 1
  posted = false
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, response_body)
  if out == 0 and expected[status] == nil then bad = bad + 1 end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_bad, total_out, used = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    total_out = total_out + thread:get("out")
    used = used + thread:get("next_token") - 1
  end
  io.write(string.format(
    'WRK {"requests": %%d, "seconds": %%f, "bad": %%d, "out_of_tokens": %%d, "tokens_used": %%d, '
    .. '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}, '
    .. '"p50_ms": %%f, "p90_ms": %%f, "p99_ms": %%f}\n',
    summary.requests, summary.duration / 1e6, total_bad, total_out, used,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000))
end
"""

EXPECTED = {"trivial": "{[200] = true}", "get": "{[200] = true}", "post": "{[302] = true}"}
EXPECTED["pair"] = "{[200] = true, [302] = true}"


@dataclass
class WrkResult:
    mode: str
    requests: int
    seconds: float
    bad: int
    out_of_tokens: int
    tokens_used: int
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    cpu_seconds: float  # wrk's own user + system time
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cores: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk_run(
    port: int,
    mode: str,
    *,
    duration: float,
    threads: int,
    tokens: Path | None,
    body: str,
    workdir: Path,
) -> WrkResult:
    """wrk for ``duration`` seconds, ``threads`` threads of one connection each, in ``mode``:
    trivial, get (a fresh token per GET), post (a token per POST) or pair (GET then POST of each
    token, on one connection)."""
    script = workdir / f"{mode}.lua"
    script.write_text(
        _LUA
        % {
            "mode": mode,
            "tokens": tokens or "",
            "expected": EXPECTED[mode],
            "body": body,
            "threads": threads,
        }
    )
    command = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{duration:g}s", "--timeout", "30s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}/"]
    load_before = os.getloadavg()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    line = next((line for line in output.splitlines() if line.startswith("WRK ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    return WrkResult(
        mode=mode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        load_before=load_before,
        load_after=os.getloadavg(),
        **json.loads(line[4:]),
    )


# --- the rows of a run -------------------------------------------------------------------------------


@dataclass
class PageRows:
    """What a run made in the benchmark database, to be taken away after it."""

    survey_id: int
    invitation_ids: list[int]
    tokens: list[str]
    body: str  # the POST body: a valid answer to every required question


def _answer_body(survey) -> str:
    """Valid answers to the survey's questions: the middle of each scale, the first choice."""
    from urllib.parse import urlencode

    from surveys.models import QuestionType
    from surveys.services.answer_form import EXPECTED_SUFFIX, question_scale

    data = {}
    for question in survey.questions.order_by("order", "id"):
        name = f"q{question.id}"
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
            data[name] = str(question.choices[0]["value"])
        elif question.type == QuestionType.TEXT:
            data[name] = "Quick and friendly, solved on the first call. 服务很好"
        else:
            low, high = question_scale(question)
            data[name] = str((low + high + 1) // 2)
            if question.type == QuestionType.EXPECTATION_EXPERIENCE:
                data[name + EXPECTED_SUFFIX] = str((low + high) // 2)
    return urlencode(data)


def page_invitations(count: int) -> PageRows:
    """``count`` sent invitations of the data set's transactional survey to its first customers
    (round robin), made as ``invitation_create`` makes them but in bulk, with their tokens."""
    from django.utils import timezone

    from surveys.models import Invitation, InvitationStatus, Survey
    from surveys.tokens import token_for, token_hash, token_nonce_new
    from touchpoints.models import Customer

    survey = Survey.objects.filter(kind=Survey.Kind.TRANSACTIONAL, status=Survey.Status.LIVE).first()
    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[: min(count, 5000)])
    now = timezone.now()
    rows, tokens = [], []
    for i in range(count):
        nonce = token_nonce_new()
        token = token_for(nonce)
        tokens.append(token)
        rows.append(
            Invitation(
                survey=survey,
                customer_id=customer_ids[i % len(customer_ids)],
                token_nonce=nonce,
                token_hash=token_hash(token),
                status=InvitationStatus.SENT,
                language=survey.default_language,
                send_after=now - timedelta(minutes=1),
                sent_at=now,
                expires_at=now + timedelta(days=60),
            )
        )
    created = Invitation.objects.bulk_create(rows, batch_size=2000)
    return PageRows(survey.id, [row.id for row in created], tokens, _answer_body(survey))


def page_rows_delete(rows: PageRows) -> dict[str, int]:
    """Delete the run's invitations and what answering them wrote: the stale marks of their
    responses and of themselves, the responses and their answers. Returns what went, per table."""
    from django.db import connection, transaction

    from analytics.models import StaleKind

    invitations = [rows.invitation_ids]
    responses = "SELECT id FROM surveys_response WHERE invitation_id = ANY(%s)"
    statements = {
        "stale marks": (
            f"DELETE FROM analytics_stalemark WHERE (kind = %s AND row_id IN ({responses})) "  # noqa: S608
            "OR (kind = %s AND row_id = ANY(%s))",
            [StaleKind.RESPONSE_ROW.value, *invitations, StaleKind.INVITATION_ANSWERED.value, *invitations],
        ),
        "answers": (f"DELETE FROM surveys_answer WHERE response_id IN ({responses})", invitations),  # noqa: S608
        "responses": ("DELETE FROM surveys_response WHERE invitation_id = ANY(%s)", invitations),
        "invitations": ("DELETE FROM surveys_invitation WHERE id = ANY(%s)", invitations),
    }
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (sql, params) in statements.items():
            cursor.execute(sql, params)
            deleted[table] = cursor.rowcount
    return deleted


def table_counts() -> dict[str, int]:
    """Rows of the tables a run writes to, to compare before and after it (exact counts)."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in ("surveys_invitation", "surveys_response", "surveys_answer", "analytics_stalemark"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
    return counts


def settle(seconds: float = 2.0) -> None:
    """A pause between runs, so one run's tail (a commit, a worker finishing) is not the next's."""
    time.sleep(seconds)
