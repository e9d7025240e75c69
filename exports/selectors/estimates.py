"""How many rows an export will hold, cheaply: what decides between streaming now and a job,
and what a job's progress bar divides by.

Responses and interactions are counted from the rollups with the export's own filters (the
same cut, so the count is exact as of the last refresh, seconds behind at most). Answers have no
rollup of their own: their count is the planner's estimate, and never fewer than the responses.
Customers are counted.
"""

import json

from django.db import connections
from django.db.models import Sum

from analytics.models import InteractionRollup, ResponseRollup
from analytics.selectors import MetricFilters
from analytics.selectors.sources import rollup_model
from infra.copy import ExportQuery
from touchpoints.models import Customer

from ..models import ExportKind


def _rollup_sum(fine, condition, column: str, filters: MetricFilters) -> int:
    model = rollup_model(fine, filters)
    return model.objects.filter(condition).aggregate(total=Sum(column))["total"] or 0


def planned_rows(query: ExportQuery, *, using: str = "default") -> int:
    """The planner's estimate of the rows ``query`` returns (no rows are read)."""
    sql, params = query.select(as_text=False)
    with connections[using].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def rows_expected(kind: str, filters: MetricFilters, query: ExportQuery, *, using: str = "default") -> int:
    if kind == ExportKind.RESPONSES_WIDE:
        return _rollup_sum(ResponseRollup, filters.for_responses(), "responses", filters)
    if kind == ExportKind.INTERACTIONS:
        return _rollup_sum(InteractionRollup, filters.for_interactions(), "interactions", filters)
    if kind == ExportKind.CUSTOMERS:
        customers = Customer.objects.using(using)
        if filters.segment is not None:
            customers = customers.filter(segment=filters.segment)
        if filters.value_tier:
            customers = customers.filter(value_tier=filters.value_tier)
        return customers.count()
    # Answers: at least one a response; the planner's estimate when it knows better.
    responses = _rollup_sum(ResponseRollup, filters.for_responses(), "responses", filters)
    return max(planned_rows(query, using=using), responses)
