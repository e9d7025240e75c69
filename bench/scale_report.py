"""The tables of ``bench/RESULTS.md`` ("10 million responses") from what ``bench/bench_scale.py``
stored in ``bench/scale_results.json``: each figure at 10k, 1M and 10M, its ratio to 10k, and
whether it meets its goal.

    .venv/bin/python bench/scale_report.py > /tmp/tables.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("10000", "1000000", "10000000")
HEAD = "| figure | 10k | 1M | 10M | 10M ÷ 10k | goal (at 10M) |\n| --- | --- | --- | --- | --- | --- |"


def _cell(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:,.1f} {unit}"


def reads(results: dict) -> str:
    names = sorted({name for size in SIZES for name in results.get(size, {}).get("reads", {})})
    lines = [HEAD]
    for name in names:
        values = [results.get(size, {}).get("reads", {}).get(name) for size in SIZES]
        small, large = values[0], values[2]
        ratio = f"{large / small:.2f}×" if small and large else "–"
        met = ""
        if large is not None and small:
            met = (
                "met"
                if large < 50 and large / small <= 1.5
                else ("< 50 ms, ratio over" if large < 50 else "over")
            )
        lines.append(
            f"| {name} | {' | '.join(_cell(v, 'ms') for v in values)} | {ratio} | < 50 ms, ≤ 1.5×: {met} |"
        )
    return "\n".join(lines)


def refresh(results: dict) -> str:
    lines = [
        "| after 1,000 new … | 10k | 1M | 10M | at 10M: write of the rows / old whole-day recompute | goal |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    labels = sorted({label for size in SIZES for label in results.get(size, {}).get("refresh", {})})
    for label in labels:
        cells = [results.get(size, {}).get("refresh", {}).get(label) for size in SIZES]
        values = [_cell(cell["refresh_ms"] if cell else None, "ms") for cell in cells]
        last = cells[2]
        baseline = f"{last['write_ms']:,.0f} / {last['old_way_ms']:,.0f} ms" if last else "–"
        met = "met" if last and last["refresh_ms"] < 200 else "over"
        lines.append(f"| {label} | {' | '.join(values)} | {baseline} | < 200 ms: {met} |")
    return "\n".join(lines)


def rebuild(results: dict) -> str:
    lines = ["| | 10k | 1M | 10M |", "| --- | --- | --- | --- |"]
    cells = [results.get(size, {}).get("rebuild") or {} for size in SIZES]
    lines.append("| `rebuild_metrics` | " + " | ".join(_cell(c.get("rebuild_s"), "s") for c in cells) + " |")
    lines.append(
        "| bare GROUP BYs it needs | " + " | ".join(_cell(c.get("floor_s"), "s") for c in cells) + " |"
    )
    ratios = [f"{c['rebuild_s'] / c['floor_s']:.2f}×" if c.get("floor_s") else "–" for c in cells]
    lines.append("| rebuild ÷ bare GROUP BYs (goal ≤ 3×) | " + " | ".join(ratios) + " |")
    phases = sorted({name for c in cells for name in c.get("phases", {})})
    for name in phases:
        lines.append(
            f"| phase: {name} | "
            + " | ".join(_cell(c.get("phases", {}).get(name), "s") for c in cells)
            + " |"
        )
    floors = sorted({name for c in cells for name in c.get("floors", {})})
    for name in floors:
        lines.append(
            f"| bare: {name} | " + " | ".join(_cell(c.get("floors", {}).get(name), "s") for c in cells) + " |"
        )
    loads = [results.get(size, {}).get("load") for size in SIZES]
    lines.append(
        "| load average at the start (1, 5, 15 min) | "
        + " | ".join(" / ".join(f"{v:.1f}" for v in load) if load else "–" for load in loads)
        + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default=str(ROOT / "bench" / "scale_results.json"))
    results = json.loads(Path(parser.parse_args().json).read_text())
    print("### Rebuild\n\n" + rebuild(results) + "\n\n### Refresh\n\n" + refresh(results))
    print("\n### Reads (server time, median)\n\n" + reads(results))


if __name__ == "__main__":
    main()
