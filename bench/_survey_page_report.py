"""The results section of ``bench/bench_survey_page.py``, in Markdown, from its raw figures."""

from __future__ import annotations

SIZE_NAMES = {10_000: "10k", 1_000_000: "1M", 10_000_000: "10M"}
MODE_NAMES = {
    "trivial": "trivial view",
    "get": "survey GET (first opening)",
    "post": "survey POST (valid answers)",
    "pair": "GET + POST pairs (requests)",
}


def _cores(run: dict) -> str:
    cores = run["cores"]
    return (
        f"{cores['machine']:.2f} (wrk {cores['load generator']:.2f}, gunicorn {cores['gunicorn']:.2f}, "
        f"postgres {cores['postgres']:.2f})"
    )


def _size_table(result: dict) -> list[str]:
    """Every run of one size in the order it ran: rate, latency, load, cores."""
    lines = [
        "| round | run | requests/s | p50 / p99 | not as expected | load 1-min before → after | cores used |",
        "|---:|---|---:|---|---:|---|---|",
    ]
    order = [("trivial", n) for n in range(result["rounds"] + 1)]
    order += [(mode, n) for mode in ("get", "post", "pair") for n in range(result["rounds"])]
    order.sort(key=lambda item: (item[1], ["trivial", "get", "post", "pair"].index(item[0])))
    for mode, number in order:
        run = result["runs"][mode][number]
        bad = run["bad"] + sum(run["errors"].values()) + run["out_of_tokens"]
        lines.append(
            f"| {number + 1} | {MODE_NAMES[mode]} | {run['rate']:,.0f} | "
            f"{run['p50_ms']:.1f} / {run['p99_ms']:.1f} ms | {bad} | "
            f"{run['load_before'][0]:.2f} → {run['load_after'][0]:.2f} | {_cores(run)} |"
        )
    return lines


def _figures(results: list[dict]) -> list[tuple[str, callable]]:
    cpu = "server_cpu_ms_per_request"
    return [
        ("trivial view, requests/s (median of the runs)", lambda r: f"{r['trivial_rate']:,.0f}"),
        ("survey GET, requests/s", lambda r: f"{r['rates']['get']:,.0f}"),
        ("survey POST, requests/s", lambda r: f"{r['rates']['post']:,.0f}"),
        ("GET + POST pairs, requests/s", lambda r: f"{r['rates']['pair']:,.0f}"),
        ("GET + POST pairs, pairs/s", lambda r: f"{r['rates']['pair'] / 2:,.1f}"),
        ("GET ÷ trivial", lambda r: f"{r['ratios']['get']:.3f}"),
        ("POST ÷ trivial", lambda r: f"{r['ratios']['post']:.3f}"),
        ("**pair requests/s ÷ trivial**", lambda r: f"**{r['ratios']['pair']:.3f}**"),
        (
            "pair requests/s ÷ trivial, per round",
            lambda r: " / ".join(f"{v:.3f}" for v in r["ratios_per_round"]["pair"]),
        ),
        ("pairs/s ÷ trivial", lambda r: f"{r['ratios']['pair'] / 2:.3f}"),
        (
            "server CPU per request, ms: trivial / GET / POST / pair request",
            lambda r: " / ".join(f"{r[cpu][mode]:.2f}" for mode in ("trivial", "get", "post", "pair")),
        ),
        (
            "trivial ÷ pair request in server CPU",
            lambda r: f"{r[cpu]['trivial'] / r[cpu]['pair']:.3f}",
        ),
        (
            "SQL statements: first GET / second GET / POST",
            lambda r: " / ".join(
                str(r["queries"][key] or "–") for key in ("first_get", "second_get", "post")
            ),
        ),
    ]


def markdown(facts: dict, results: list[dict]) -> str:
    """The section: the ratios of every size side by side, then each size's runs."""
    sizes = [SIZE_NAMES.get(result["size"], str(result["size"])) for result in results]
    first = results[0] if results else {}
    lines = [
        "## Survey page: GET, POST and pairs against a trivial view, per data set",
        "",
        f"Machine: {facts['machine']}. Code: {facts['code']}. Run started {facts['started']}; "
        f"/proc/loadavg before `{facts['uptime_before']}`, after `{facts['uptime_after']}`.",
        "",
        "Command: `.venv/bin/python bench/bench_survey_page.py` "
        f"(gunicorn sync workers: {first.get('workers')}, wrk threads of one connection each: "
        f"{first.get('wrk_threads')}, {first.get('rounds')} rounds of {first.get('duration')} s runs; "
        "a ratio is a run's requests/s over the mean of the trivial runs before and after it, the "
        "median of the rounds).",
        "",
        "| figure | " + " | ".join(sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name, value in _figures(results):
        lines.append(f"| {name} | " + " | ".join(value(result) for result in results) + " |")
    for result, size in zip(results, sizes, strict=True):
        lines += ["", f"### {size} (`{result['database_record']['size']}` responses), every run", ""]
        lines += _size_table(result)
    return "\n".join(lines) + "\n"
