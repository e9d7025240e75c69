"""Benchmark of the customer's survey page against the benchmark data sets (10k, 1M, 10M responses).

Run from the repository root, once ``bench/generate_data.py`` has loaded the data sets::

    .venv/bin/python bench/bench_survey_page.py
    .venv/bin/python bench/bench_survey_page.py --sizes 10000 --duration 10 --workers 2 --threads 4

For each size, ONE gunicorn (sync workers, production mode: DEBUG off, Redis as cache and broker,
settings ``bench.surveys_bench_settings``) serves the app against that size's database
(``cem_bench_10k``, ``cem_bench_1m``, ``cem_bench_10m``), and wrk (a C load generator, in a process
of its own, one connection per thread) measures, ``--duration`` seconds each, in this order:

1. ``/bench/trivial/``: a view returning "ok" through the whole middleware, no database, no
   template (the floor every figure is divided by);
2. survey GET ``/s/<token>/``, a fresh token per request (the first opening: the page and the
   "opened" mark);
3. survey POST of valid answers to the tokens just opened (302 to the thank-you page);
4. GET + POST pairs, fresh tokens, each pair on one connection;
5. the trivial view again (the two trivial runs show how much the machine moved meanwhile).

The survey is the data set's transactional survey (NPS, an expectation/experience pair, CES).
Its invitations are made for the run (sent, with known tokens, to existing customers) and deleted
afterwards with every row answering them wrote (responses, answers, stale marks): the table
counts before and after are compared and printed. Nothing migrates or loads the databases: a
size whose database is missing or not loaded is skipped. Redis database 14 (override:
``BENCH_SURVEY_PAGE_REDIS_URL``) is emptied at the start and the end.

Also counted, in this process through Django's test client: the SQL statements of one GET and
one POST (transaction statements included). Raw figures go to ``bench/survey_page_results.json``
(``--json``); ``--markdown FILE`` writes a results section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _services
from bench._services import ROOT, info
from bench._survey_page_load import (
    PageRows,
    WrkResult,
    page_invitations,
    page_rows_delete,
    settle,
    table_counts,
    wrk_run,
)
from bench._survey_page_report import markdown
from bench._surveys_measure import cpu_window

REDIS_URL = os.environ.get("BENCH_SURVEY_PAGE_REDIS_URL", "redis://127.0.0.1:6379/14")
SETTINGS_MODULE = "bench.surveys_bench_settings"
ROLES = ["gunicorn", "postgres", "redis"]
MODES = ("get", "post", "pair")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000,10000000")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of trivial, GET, POST and pairs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=4, help="wrk threads (one connection each)")
    parser.add_argument("--invitations", type=int, default=0, help="tokens per token run (0: by duration)")
    parser.add_argument(
        "--code",
        type=Path,
        default=None,
        help="serve this tree instead of the working tree (e.g. `git archive HEAD` unpacked: a baseline)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "survey_page_results.json")
    parser.add_argument("--markdown", type=Path, default=None)
    return parser.parse_args()


def redis_claim() -> None:
    client = _services.redis_client(REDIS_URL)
    foreign = [key for key in client.scan_iter(count=1000) if not key.decode().startswith(("cem:", "_kombu"))]
    foreign = [key for key in foreign if key.decode() not in ("celery", "unacked", "unacked_index")]
    if foreign:
        raise SystemExit(f"{REDIS_URL} holds keys of something else; set BENCH_SURVEY_PAGE_REDIS_URL")
    client.flushdb()


def queries_of_one_pair(warm: str, token: str, body: str) -> tuple[int, int, int]:
    """SQL statements of a first GET, a second GET and a POST of one token, through the test client,
    once a GET of ``warm`` (another token of the same survey) has filled this process's caches."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(f"/s/{warm}/").status_code == 200
    counts = []
    for method, expected in (("get", 200), ("get", 200), ("post", 302)):
        with CaptureQueriesContext(connection) as queries:
            if method == "get":
                answer = client.get(f"/s/{token}/")
            else:
                answer = client.post(f"/s/{token}/", body, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == expected, (method, answer.status_code)
        counts.append(len(queries.captured_queries))
    return tuple(counts)


def measure(port: int, database: str, gunicorn_pid: int, mode: str, tokens: Path | None, body, args, workdir):
    roles = {gunicorn_pid: "gunicorn"}
    with cpu_window(roles, database=database) as window:
        result = wrk_run(
            port,
            mode,
            duration=args.duration,
            threads=args.threads,
            tokens=tokens,
            body=body,
            workdir=workdir,
        )
    machine, cores = window.report()
    result.cores = {"machine": machine, "load generator": result.cpu_seconds / result.seconds}
    result.cores |= {role: cores.get(role, 0.0) for role in ROLES}
    info(
        f"{mode:<8} {result.rate:8,.1f} requests/s  p50 {result.p50_ms:.1f} ms  bad {result.bad}  "
        f"errors {sum(result.errors.values())}  out of tokens {result.out_of_tokens}  "
        f"load {result.load_before[0]:.2f} → {result.load_after[0]:.2f}"
    )
    settle()
    return result


def bench_size(size: int, args, workdir: Path, static_root: Path) -> dict | None:
    from bench._dataset_load import database_url, recorded, size_label, use_database

    url = database_url(size)
    use_database(url, migrate=False)
    record = recorded()
    if record is None or record["size"] != size:
        info(f"{url}: no complete load of {size:,} responses recorded; skipped")
        return None
    from webhooks.models import WebhookEndpoint

    endpoints = WebhookEndpoint.objects.filter(active=True).count()
    if endpoints:
        raise SystemExit(f"{url} has {endpoints} active webhook endpoints: a run would write to their outbox")
    # No run may run out of tokens: room for 1,200 GETs/s and 600 pairs/s.
    per_run = args.invitations or int(1200 * args.duration) + 200
    before = table_counts()
    info(f"[{size_label(size)}] {before}; making {2 * per_run * args.rounds + 202:,} invitations")
    opened = page_invitations(per_run * args.rounds)
    # The pairs' tokens, then 200 for the warm-up and two for counting the queries.
    paired = page_invitations(per_run * args.rounds + 202)
    environment = _services.environment(
        database_url=url, redis_url=REDIS_URL, static_root=static_root, settings_module=SETTINGS_MODULE
    )
    try:
        with _services.gunicorn_start(
            environment,
            workdir / f"gunicorn-{size_label(size)}.log",
            workers=args.workers,
            timeout=60,
            ready_path="/bench/trivial/",
        ) as server:
            runs = _rounds(server, url.rsplit("/", 1)[1], opened, paired, per_run, args, workdir)
        # Counted in this process, through the working tree's code: not the code served by --code.
        queries = (None, None, None) if args.code else queries_of_one_pair(*paired.tokens[-2:], paired.body)
        return _summary(size, runs, queries, record, args)
    finally:
        for made in (opened, paired):
            info(f"deleted {page_rows_delete(made)}")
        after = table_counts()
        info(f"table counts after: {after} ({'as before' if after == before else 'CHANGED'})")


def _token_file(workdir: Path, name: str, tokens: list[str]) -> Path:
    path = workdir / f"{name}.txt"
    path.write_text("\n".join(tokens) + "\n")
    return path


def _rounds(server, database: str, opened: PageRows, paired: PageRows, per_run: int, args, workdir):
    """Warm up, then ``args.rounds`` rounds of trivial, GET, POST and pairs, and a last trivial run:
    every survey run sits between two trivial runs. Returns the runs of each mode, in order."""
    port, pid = server.port, server.process.pid
    # Every worker connects, loads its templates and renders the survey's page once.
    wrk_run(port, "trivial", duration=2, threads=args.threads, tokens=None, body="", workdir=workdir)
    warm = _token_file(workdir, "warm", paired.tokens[-202:-2])
    wrk_run(port, "pair", duration=2, threads=args.threads, tokens=warm, body=paired.body, workdir=workdir)
    runs: dict[str, list[WrkResult]] = {"trivial": [], "get": [], "post": [], "pair": []}
    for number in range(args.rounds):
        share = slice(number * per_run, (number + 1) * per_run)
        opened_file = _token_file(workdir, f"opened-{number}", opened.tokens[share])
        for mode, tokens, body in (
            ("trivial", None, ""),
            ("get", opened_file, ""),
            ("post", opened_file, opened.body),
            ("pair", _token_file(workdir, f"paired-{number}", paired.tokens[share]), paired.body),
        ):
            runs[mode].append(measure(port, database, pid, mode, tokens, body, args, workdir))
    runs["trivial"].append(measure(port, database, pid, "trivial", None, "", args, workdir))
    return runs


def _cost_ms(run: WrkResult) -> float:
    """Server CPU per request: gunicorn, PostgreSQL and Redis core-milliseconds."""
    return sum(run.cores[role] for role in ROLES) * run.seconds * 1000 / run.requests


def _summary(size, runs: dict[str, list[WrkResult]], queries, record, args) -> dict:
    trivial = runs["trivial"]
    # Each survey run against the mean of the trivial runs before and after it (same round).
    floors = [(trivial[n].rate + trivial[n + 1].rate) / 2 for n in range(args.rounds)]
    ratios = {
        mode: [run.rate / floor for run, floor in zip(runs[mode], floors, strict=True)] for mode in MODES
    }
    costs = {mode: [_cost_ms(run) for run in runs[mode]] for mode in ("trivial", *MODES)}
    return {
        "size": size,
        "database_record": {key: str(record[key]) for key in ("size", "loaded_at", "fingerprint")},
        "trivial_rate": median([run.rate for run in trivial]),
        "rates": {mode: median([run.rate for run in runs[mode]]) for mode in MODES},
        "ratios": {mode: median(values) for mode, values in ratios.items()},
        "ratios_per_round": ratios,
        "server_cpu_ms_per_request": {mode: median(values) for mode, values in costs.items()},
        "queries": {"first_get": queries[0], "second_get": queries[1], "post": queries[2]},
        "runs": {mode: [asdict(run) | {"rate": run.rate} for run in values] for mode, values in runs.items()},
        "workers": args.workers,
        "wrk_threads": args.threads,
        "duration": args.duration,
        "rounds": args.rounds,
    }


def main() -> None:
    args = parse_args()
    if args.code:
        _services.SRC = args.code.resolve()  # gunicorn runs there; this process keeps the working tree
    sizes = [int(size) for size in args.sizes.split(",")]
    facts = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _services.machine(),
        "code": f"served from {args.code}" if args.code else _services.code_version(),
        "uptime_before": Path("/proc/loadavg").read_text().strip(),
    }
    results = []
    with _services.workdir("bench-survey-page-") as workdir:
        if not args.code:
            _services.snapshot(workdir)  # edits made in the tree during the run never reach gunicorn
        static_root = workdir / "static"
        # This process makes the tokens and counts the queries: the same key and settings as gunicorn.
        environment = _services.environment(
            database_url="sqlite://", redis_url=REDIS_URL, static_root=static_root
        )
        _services.collectstatic(environment)
        os.environ.update(environment)
        redis_claim()
        try:
            for size in sizes:
                summary = bench_size(size, args, workdir, static_root)
                if summary:
                    results.append(summary)
                    print(
                        json.dumps(
                            {k: summary[k] for k in ("size", "trivial_rate", "rates", "ratios", "queries")}
                        )
                    )
        finally:
            _services.redis_flush(REDIS_URL)
    facts["uptime_after"] = Path("/proc/loadavg").read_text().strip()
    args.json.write_text(json.dumps({"facts": facts, "sizes": results}, indent=2, default=str) + "\n")
    info(f"raw figures in {args.json}")
    if args.markdown:
        args.markdown.write_text(markdown(facts, results))
        info(f"results section in {args.markdown}")


if __name__ == "__main__":
    main()
