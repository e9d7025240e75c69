"""A check shared by the rollup tests: every coarser rollup equals its fine table, grouped."""

import math

from django.db.models import Sum

from analytics.models import COARSE_ROLLUPS, twin_columns


def twin_differences() -> list[str]:
    """What differs between each coarse table and its fine table summed by its key; [] if none."""
    problems = []
    for twin, fine in COARSE_ROLLUPS.items():
        keys, sums = twin_columns(twin)
        grouped = {
            tuple(row[k] for k in keys): row
            for row in fine.objects.values(*keys).annotate(**{f"total_{s}": Sum(s) for s in sums}).order_by()
        }
        stored = {tuple(row[k] for k in keys): row for row in twin.objects.values(*keys, *sums)}
        if grouped.keys() != stored.keys():
            problems.append(f"{twin.__name__}: keys {sorted(map(str, grouped.keys() ^ stored.keys()))}")
            continue
        for key, want in grouped.items():
            for name in sums:
                expected, actual = want[f"total_{name}"], stored[key][name]
                if isinstance(actual, float):
                    same = math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)
                else:
                    same = actual == expected
                if not same:
                    problems.append(f"{twin.__name__} {key} {name}: {actual} != {expected}")
    return problems
