"""The coarser copies of the fine rollups: the same sums over fewer columns.

A coarse row is the sum of the fine rows that share its key (for a
touchpoint-level twin: day × survey × touchpoint × stage, plus the dimension
for drivers), so every figure a selector computes from it equals the one from
the fine rows it sums. The refresh writes both in one transaction
(``analytics.services.freshness``).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import models

from analytics.models import coarse_models_of, twin_columns


def twin_rows(rows: Iterable[models.Model]) -> list[models.Model]:
    """The coarse rows of the fine rollup rows ``rows``, for every coarser copy of their models."""
    totals: dict[type[models.Model], dict[tuple, dict[str, float]]] = defaultdict(dict)
    for row in rows:
        for coarse in coarse_models_of(type(row)):
            keys, sums = twin_columns(coarse)
            key = tuple(getattr(row, name) for name in keys)
            bucket = totals[coarse].get(key)
            if bucket is None:
                totals[coarse][key] = {name: getattr(row, name) for name in sums}
            else:
                for name in sums:
                    bucket[name] += getattr(row, name)
    result = []
    for coarse, groups in totals.items():
        keys, _ = twin_columns(coarse)
        result += [coarse(**dict(zip(keys, key, strict=True)), **values) for key, values in groups.items()]
    return result
