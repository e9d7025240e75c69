"""Raw exports at 1M and 10M responses: our streams and jobs against bare ``COPY`` of the same rows.

For each size (``bench._setup.dataset``) and each export:

* **bare COPY**: ``psql -c "COPY (<the export's own SELECT>) TO STDOUT WITH (FORMAT csv)"`` into
  /dev/null — the same rows, the same text, nothing of ours in between;
* **stream**: the export page's download through gunicorn (one sync worker, as production runs
  it), read by an HTTP client in this process: rows/s, time to the first byte, and the worker's
  peak resident memory (``VmHWM``) before and after;
* **job**: the same export as a job, run by a real Celery worker consuming only the ``exports``
  queue (``--pool=solo``, so the worker process is the one that writes): rows/s from the job's own
  start and finish times and the worker's peak memory.

Ratios are ours / bare COPY, measured back to back in the same run. Raw figures go to
``bench/exports_results.json``; ``bench/RESULTS.md`` quotes them.

    .venv/bin/python bench/bench_exports.py --sizes 1000000,10000000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _services, _setup

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = "bench-exports-"
RESULTS = Path(__file__).with_name("exports_results.json")


def hwm_kib(pid: int) -> int:
    """The peak resident memory of process ``pid`` so far (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def bare_copy(database_url: str, sql: str) -> float:
    started = time.monotonic()
    subprocess.run(
        ["psql", "-X", "-q", "-d", database_url, "-c", f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def export_sql(kind: str, filters) -> str:
    from django.db import connection

    from exports.services.jobs import ExportSpec

    query = ExportSpec(kind, "csv", filters, {}).query()
    sql, params = query.select(as_text=True)
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


class Session:
    """A signed-in manager's cookies against the gunicorn under test."""

    def __init__(self, port: int) -> None:
        from access.roles import MANAGER

        client = _setup.signed_in_client("bench-exports", MANAGER)
        self.port = port
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        page = self.request("GET", "/exports/")
        assert page.status == 200, page.status
        self.csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read()).group(1).decode()

    def request(self, method: str, path: str, body: str | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response


def stream(session: Session, form: dict[str, str]) -> dict:
    """POST the export form and read the whole download; seconds, first byte, bytes, lines."""
    body = "&".join(f"{k}={v}" for k, v in {**form, "csrfmiddlewaretoken": session.csrf}.items())
    started = time.monotonic()
    response = session.request("POST", "/exports/", body)
    assert response.status == 200, (response.status, response.read()[:500])
    first, size, lines = None, 0, 0
    while chunk := response.read(1 << 16):
        first = first or time.monotonic() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {"seconds": time.monotonic() - started, "first_byte": first, "bytes": size, "lines": lines - 1}


def run_job(kind: str, file_format: str, filters, worker_pid: int) -> dict:
    from exports.models import ExportJob, ExportStatus
    from exports.services import jobs

    spec = jobs.ExportSpec(kind, file_format, filters, jobs.echo_of(filters))
    before = hwm_kib(worker_pid)
    job = jobs.export_job_create(spec=spec, rows_total=None)
    while True:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.5)  # polling the job as its page does (a benchmark, not a test)
    assert job.status == ExportStatus.DONE, job.error
    seconds = (job.finished_at - job.started_at).total_seconds()
    ExportJob.objects.filter(pk=job.pk).delete()
    (Path(os.environ["EXPORTS_ROOT"]) / job.file_name).unlink(missing_ok=True)
    return {
        "seconds": seconds,
        "rows": job.rows_done,
        "bytes": job.file_size,
        "worker_hwm_mib_before": before / 1024,
        "worker_hwm_mib_after": hwm_kib(worker_pid) / 1024,
    }


FIRST_DAY = date(2025, 1, 1)  # before the data set's year: every row


def cases(size: int):
    from django.utils import timezone

    from analytics.selectors import MetricFilters

    today = timezone.localdate()
    period = {"period": "custom", "start": FIRST_DAY.isoformat(), "end": today.isoformat()}
    every = MetricFilters(start=FIRST_DAY, end=today)
    wide = MetricFilters(start=FIRST_DAY, end=today, survey_id=2)  # transactional: 45 % of the responses
    yield "responses_wide", wide, {**period, "survey": "2"}, ("csv", "xlsx")
    yield "responses_long", every, period, ("csv",) if size > 1_000_000 else ("csv", "xlsx")
    yield "interactions", every, period, ("csv",)
    yield "customers", every, period, ("csv",)


def measure(size: int, gunicorn_pid: int, port: int, worker_pid: int) -> list[dict]:
    database_url = _setup.database_url(size)
    session = Session(port)
    rows = []
    for kind, filters, form, formats in cases(size):
        sql = export_sql(kind, filters)
        copy_seconds = bare_copy(database_url, sql)
        before = hwm_kib(gunicorn_pid)
        streamed = stream(session, {"kind": kind, "file_format": "csv", **form})
        row = {
            "size": size,
            "kind": kind,
            "rows": streamed["lines"],
            "copy_seconds": copy_seconds,
            "stream": {
                **streamed,
                "web_hwm_mib_before": before / 1024,
                "web_hwm_mib_after": hwm_kib(gunicorn_pid) / 1024,
            },
            "jobs": {fmt: run_job(kind, fmt, filters, worker_pid) for fmt in formats},
        }
        row["stream_ratio"] = copy_seconds / streamed["seconds"]
        row["job_csv_ratio"] = copy_seconds / row["jobs"]["csv"]["seconds"]
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def worker_start(env: dict[str, str], log: Path) -> subprocess.Popen:
    """A Celery worker on the exports queue only, solo pool: the process that writes is this one."""
    command = [_services.PYTHON, "-m", "celery", "-A", "cem", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "-Q", f"{PREFIX}exports", "-n", f"{PREFIX}@%h"]
    worker = _services.spawn(command, env=env, log=log)
    _services.wait_for_log(worker, log, "ready.")
    return worker


def run_size(size: int, work: Path) -> list[dict]:
    _setup.dataset(size)
    env = _services.environment(
        database_url=_setup.database_url(size),
        redis_url=REDIS_URL,
        static_root=work / "static",
        EXPORTS_ROOT=str(work / "exports"),
        EXPORT_SYNC_MAX_ROWS=str(10**12),  # the page streams every size: that is what is measured
        CELERY_QUEUE_PREFIX=PREFIX,
    )
    _services.collectstatic(env)
    worker = worker_start(env, work / f"worker-{size}.log")
    try:
        with _services.gunicorn_start(env, work / f"gunicorn-{size}.log", workers=1, timeout=3600) as web:
            web_pid = _services.children(web.process.pid)[0]
            return measure(size, web_pid, web.port, worker.pid)
    finally:
        _services.stop(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    args = parser.parse_args()
    print(
        f"machine: {_services.cpu_model()}, {_services.memory_gib():.0f} GiB; load {_services.load_average()}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as work:
        # This process signs the manager in and enqueues the jobs: the same key, broker and folder.
        os.environ.update(
            DJANGO_SECRET_KEY=_services.SECRET_KEY,
            REDIS_URL=REDIS_URL,
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_QUEUE_PREFIX=PREFIX,
            EXPORTS_ROOT=str(Path(work) / "exports"),
        )
        for size in (int(value) for value in args.sizes.split(",")):
            rows += run_size(size, Path(work))
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous.update({str(row["size"]) + ":" + row["kind"]: row for row in rows})
    previous["_machine"] = {"cpu": _services.cpu_model(), "load_at_end": _services.load_average()}
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    main()
