"""The touchpoint-level twins of the fine rollups: the same sums without channel, segment and tier.

A twin row is the sum of the fine rows that share its key (day × survey ×
touchpoint × stage, plus the dimension for drivers), so every figure a
selector computes from the twin equals the one from the fine rows it sums. The
refresh writes both in one transaction (``analytics.services.freshness``).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import models

from analytics.models import ROLLUP_TWINS

_SUMMED = (models.PositiveIntegerField, models.IntegerField, models.FloatField)


def twin_columns(twin: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The key columns and the summed columns of a twin model (attribute names)."""
    keys, sums = [], []
    for field in twin._meta.concrete_fields:
        if field.primary_key:
            continue
        (sums if isinstance(field, _SUMMED) and not field.is_relation else keys).append(field.attname)
    return tuple(keys), tuple(sums)


def twin_rows(rows: Iterable[models.Model]) -> list[models.Model]:
    """The twin rows of the fine rollup rows ``rows`` (rows of models without a twin are skipped)."""
    totals: dict[type[models.Model], dict[tuple, dict[str, float]]] = defaultdict(dict)
    for row in rows:
        twin = ROLLUP_TWINS.get(type(row))
        if twin is None:
            continue
        keys, sums = twin_columns(twin)
        key = tuple(getattr(row, name) for name in keys)
        bucket = totals[twin].get(key)
        if bucket is None:
            totals[twin][key] = {name: getattr(row, name) for name in sums}
        else:
            for name in sums:
                bucket[name] += getattr(row, name)
    result = []
    for twin, groups in totals.items():
        keys, _ = twin_columns(twin)
        result += [twin(**dict(zip(keys, key, strict=True)), **values) for key, values in groups.items()]
    return result
