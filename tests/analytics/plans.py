"""Query plans as a test of scale: which scans of the tables that grow with responses, interactions
and journeys a statement would make without an index serving it.

Timings on a test database say nothing about a production one; plans do. ``record_statements``
captures every statement a block runs (SQL and parameters, as the driver received them);
``plan_problems`` then asks PostgreSQL for each one's plan (``EXPLAIN (FORMAT JSON)``, never
``ANALYZE``: nothing runs) with sequential scans disabled, so that on a small table the planner
still takes an index wherever one can serve. The principle: a row read is a row used. What it
reports on a growing table:

- a ``Seq Scan`` that survives — no index can serve the statement's conditions — except of a
  rollup the statement sums whole (no condition on it: an all-time figure reads every bucket);
- an index scan without an ``Index Cond``: with sequential scans off the planner walks a whole
  index instead (for its order), reading every row all the same; not when a ``Limit`` above stops
  the walk, nor when it feeds a merge or hash join (see ``_nodes``), nor of a rollup summed whole;
- an index or bitmap scan whose ``Filter`` tests a column a documented filter narrows by
  (``FILTER_COLUMNS``: the period, survey, touchpoint, stage, channel, segment, value tier,
  journey map): the index finds rows the statement then reads and throws away. Not when the
  index already narrowed by another such column (a combination no rollup copy holds is found by
  the index of one of its filters), nor a lookup per row of another table, nor when the table
  has an index leading with the filtered column (on a small test table the planner may prefer
  another; at scale the one that serves is there). ``filtered`` narrows the tables this applies
  to (the refresh may filter source rows it found by id or by time).

Small catalogue tables (surveys, questions, touchpoints, journey maps, users, rollup buckets,
stale marks) may be read any way. The rollup tables are found from the analytics models, so a
rollup added later is checked without editing this list.
"""

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

# Source tables whose rows grow with the business (the rollups are added from the models).
SOURCE_TABLES = frozenset(
    {
        "surveys_response",
        "surveys_answer",
        "surveys_invitation",
        "touchpoints_interaction",
        "touchpoints_customer",
        "journeys_journey",
        "analytics_journeyscore",
    }
)
# Rollup-named tables that hold bookkeeping, one row per refreshed day, not figures.
ROLLUP_BOOKKEEPING = frozenset({"analytics_rollupbucket"})
READS = ("SELECT", "WITH")
REFRESH = ("SELECT", "WITH", "DELETE", "UPDATE", "INSERT")
SQL_SHOWN = 300

_SEQ_SCAN = "Seq Scan"
_INDEX_SCANS = frozenset({"Index Scan", "Index Only Scan", "Bitmap Heap Scan"})
# Nodes that hand rows up as they read them, so a Limit above still stops the scan below.
_STREAMING = frozenset({"Limit", "Nested Loop", "Result", "Subquery Scan", "Append"})
_STREAMED_CHILDREN = frozenset({"Outer", "Subquery", "Member"})
_JOINS_READING_WHOLE_INPUTS = frozenset({"Merge Join", "Hash Join"})
_JOIN_INPUT_STEPS = frozenset({"Sort", "Incremental Sort", "Materialize", "Hash"})
_QUOTED = re.compile(r"'(?:[^']|'')*'")
# Casts name types, not columns (``(question_type)::text``: surveys_answer has a column "text").
_CAST = re.compile(
    r"::(?:timestamp with(?:out)? time zone|character varying|double precision|\"?\w+\"?)(?:\[\])?"
)
_IDENTIFIER = re.compile(r'"([^"]+)"|\b([a-z_][a-z0-9_$]*)\b')
_LEADING_NOISE = re.compile(r"^[\s(]+")


def rollup_tables() -> frozenset[str]:
    """Every analytics table whose name says rollup, but the buckets' bookkeeping."""
    tables = {model._meta.db_table for model in apps.get_app_config("analytics").get_models()}
    return frozenset(t for t in tables if "rollup" in t and t not in ROLLUP_BOOKKEEPING)


def growing_tables() -> frozenset[str]:
    return SOURCE_TABLES | rollup_tables()


@dataclass(frozen=True)
class Statement:
    sql: str
    params: object

    @property
    def verb(self) -> str:
        words = _LEADING_NOISE.sub("", self.sql).split(None, 1)
        return words[0].upper() if words else ""

    def explainable(self, verbs: Iterable[str]) -> bool:
        """Of one of ``verbs``; an INSERT only when it inserts what a SELECT reads."""
        verb = self.verb
        if verb not in verbs:
            return False
        return verb != "INSERT" or re.search(r"\bSELECT\b", self.sql, re.IGNORECASE) is not None


@contextmanager
def record_statements() -> Iterator[list[Statement]]:
    """Every statement run on the default connection inside the block (``executemany`` batches,
    which only ever insert given rows, left out)."""
    statements: list[Statement] = []

    def wrapper(execute, sql, params, many, context):
        if not many:
            statements.append(Statement(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


@dataclass(frozen=True)
class PlanProblem:
    sql: str
    table: str
    alias: str
    node: str
    index: str
    condition: str

    def __str__(self) -> str:
        using = f" using {self.index}" if self.index else ""
        lines = [f"{self.node} on {self.table}{using} — {self.condition}", f"    query: {_cut(self.sql)}"]
        # A long select list hides what matters: show where the query reads the table, by the
        # alias the plan names (Django calls a subquery's tables U0, U1…; the main query's none).
        name = f'"{re.escape(self.table)}"'
        at = rf"{name} {re.escape(self.alias)}\b" if self.alias != self.table else rf"{name}(?! [A-Z]\d)"
        found = re.search(rf"\b(?:FROM|JOIN) {at}", self.sql, re.IGNORECASE)
        if found and found.start() > SQL_SHOWN:
            lines.append(f"    at:    …{_cut(self.sql[found.start() :])}")
        return "\n".join(lines)


def _cut(sql: str) -> str:
    return sql if len(sql) <= SQL_SHOWN else sql[:SQL_SHOWN] + "…"


def _table_columns() -> dict[str, frozenset[str]]:
    columns: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        names = columns.setdefault(model._meta.db_table, set())
        names.update(field.column for field in model._meta.concrete_fields)
    return {table: frozenset(names) for table, names in columns.items()}


def filtered_columns(condition: str, columns: frozenset[str]) -> list[str]:
    """The columns of the table that a plan's ``Filter`` expression tests (literals skipped)."""
    found = []
    for quoted, bare in _IDENTIFIER.findall(_CAST.sub("", _QUOTED.sub("''", condition))):
        name = quoted or bare
        if name in columns and name not in found:
            found.append(name)
    return found


def _nodes(plan: dict, excuse: str = "") -> Iterator[tuple[dict, str]]:
    """Every node with why reading all of it would be no sign of growth ("" when nothing excuses
    it): "limit" when a ``Limit`` above stops it early (nothing between them reads all its input
    first, and it is not run again per row, as a nested loop's inner side or a subplan is);
    "join" when it feeds a merge or hash join, which a small table makes cheaper than probing an
    index per row (the join's other side and the join key's index decide what it costs at scale)."""
    yield plan, excuse
    kind = plan.get("Node Type")
    for child in plan.get("Plans", ()):
        streamed = child.get("Parent Relationship") in _STREAMED_CHILDREN
        if kind in _JOINS_READING_WHOLE_INPUTS or (excuse == "join" and kind in _JOIN_INPUT_STEPS):
            keeps = "join"
        elif streamed and (kind == "Limit" or (excuse == "limit" and kind in _STREAMING)):
            keeps = "limit"
        else:
            keeps = ""
        yield from _nodes(child, keeps)


# The columns the documented filters narrow rows by (the period among them, on rollups and sources).
FILTER_COLUMNS = frozenset(
    {
        "day",
        "survey_id",
        "touchpoint_id",
        "stage",
        "channel",
        "segment",
        "value_tier",
        "journey_map_id",
        "submitted_at",
        "occurred_at",
        "sent_at",
        "started_at",
    }
)
_NOT_NULL = re.compile(r"\(?\s*\"?\w+\"?\s*\)?\s+IS NOT NULL", re.IGNORECASE)
# ``(id = U0.customer_id)``: an index probe per row of another relation (a join lookup).
_PROBE = re.compile(r"=\s*\(?\s*\"?\w+\"?\.\"?\w+", re.IGNORECASE)


def _tested(condition: str | None, columns: frozenset[str]) -> set[str]:
    """The filter columns a plan condition tests (``IS NOT NULL`` tests, which no filter makes, left out)."""
    if not condition:
        return set()
    return set(filtered_columns(_NOT_NULL.sub("", condition), columns)) & FILTER_COLUMNS


def leading_columns() -> dict[str, frozenset[str]]:
    """Each table's columns that lead one of its indexes (expression indexes left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indkey[0] <> 0"
        )
        leading: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            leading.setdefault(table, set()).add(column)
    return {table: frozenset(names) for table, names in leading.items()}


def _reason(
    node: dict,
    *,
    excused: bool,
    filter_is_waste: bool,
    columns: frozenset[str],
    rollup: bool,
    leading: frozenset[str] = frozenset(),
) -> str | None:
    """Why this scan reads rows the statement does not need, or None when it does not.

    A rollup may be read whole when the statement sums every row of it (no condition on it: an
    all-time figure reads every bucket there is). Otherwise a row found must be a row used: an
    index scan whose ``Filter`` tests a filter column wastes the rows it throws away, unless
    the index already narrowed the rows by another filter column (a combination of filters no
    copy holds is found by the index of one of them), or it is a lookup per row of another table,
    or the table has an index that leads with a column the ``Filter`` tests: on a small test
    table the planner may prefer another index, but at scale the one that serves is there.
    """
    kind, condition = node.get("Node Type", ""), node.get("Filter")
    if kind == _SEQ_SCAN:
        if rollup and not condition:
            return None
        return f"sequential scan, Filter: {condition}" if condition else "sequential scan of every row"
    if kind not in _INDEX_SCANS:
        return None
    found_by = node.get("Index Cond") or node.get("Recheck Cond")
    if kind != "Bitmap Heap Scan" and not node.get("Index Cond") and not excused:
        if rollup and not _tested(condition, columns):
            return None
        if condition and "~~" in condition and not _tested(condition, columns):
            # A substring search (``LIKE '%…%'``) over all time: a trigram index serves it at scale
            # (surveys 0006); on a small table the planner walks the index that gives the order.
            return None
        # Sequential scans off, the planner may walk a whole index instead (for its order): every
        # row is read all the same.
        return "no Index Cond: the whole index is walked" + (f", Filter: {condition}" if condition else "")
    if not filter_is_waste or not _tested(condition, columns):
        return None
    if found_by and (_PROBE.search(found_by) or _tested(found_by, columns) - {"day"}):
        return None
    if _tested(condition, columns) & leading:
        return None
    return f"Filter: {condition} (rows found by {found_by or 'walking the whole index'}, then thrown away)"


def node_problems(
    plan: dict,
    *,
    growing: frozenset[str],
    filtered: frozenset[str],
    columns: dict[str, frozenset[str]],
    leading: dict[str, frozenset[str]] | None = None,
) -> list[tuple[str, str, str, str, str]]:
    """(table, alias, node type, index, why) of each scan of a growing table the plan should not make:
    any sequential scan or walk of a whole index (but those ``_nodes`` excuses), and on a table of
    ``filtered`` an index scan whose ``Filter`` tests the table's columns."""
    leading = leading or {}
    problems = []
    for node, excuse in _nodes(plan):
        table = node.get("Relation Name", "")
        if table not in growing:
            continue
        columns_of = columns.get(table, frozenset())
        why = _reason(
            node,
            excused=bool(excuse),
            filter_is_waste=table in filtered,
            columns=columns_of,
            rollup=table not in SOURCE_TABLES,
            leading=leading.get(table, frozenset()),
        )
        if why:
            alias, index = node.get("Alias", table), node.get("Index Name", "")
            problems.append((table, alias, node["Node Type"], index, why))
    return problems


def explain(statements: Iterable[Statement]) -> list[tuple[Statement, dict]]:
    """Each statement with its plan, planned with sequential scans off, in a savepoint rolled back
    (the setting ends with it; ``EXPLAIN`` without ``ANALYZE`` runs nothing)."""
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for statement in statements:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.params)
            (document,) = cursor.fetchone()
            if isinstance(document, str):
                document = json.loads(document)
            plans.append((statement, document[0]["Plan"]))
        transaction.set_rollback(True)
    return plans


def plan_problems(
    statements: Iterable[Statement],
    *,
    verbs: Iterable[str] = READS,
    filtered: frozenset[str] | None = None,
) -> list[PlanProblem]:
    """What the plans of ``statements`` (those of ``verbs``) scan on growing tables without an
    index that serves them. ``filtered``: the tables on which an index scan must not filter rows
    (default: every growing table)."""
    verbs = tuple(verbs)
    growing = growing_tables()
    filtered = growing if filtered is None else filtered
    columns = _table_columns()
    leading = leading_columns()
    # Only a statement naming a growing table can scan one (there are no views): the others (the
    # session, the user, the catalogues) need no plan.
    chosen = [
        statement
        for statement in statements
        if statement.explainable(verbs) and any(table in statement.sql for table in growing)
    ]
    problems = []
    for statement, plan in explain(chosen):
        for table, alias, node, index, why in node_problems(
            plan, growing=growing, filtered=filtered, columns=columns, leading=leading
        ):
            shown = connection.ops.compose_sql(statement.sql, statement.params)
            problems.append(PlanProblem(shown, table, alias, node, index, why))
    return problems


def describe(problems: list[PlanProblem]) -> str:
    """One readable paragraph per scan (a query scanning two tables badly appears twice)."""
    return f"{len(problems)} scan(s) of growing tables not served by an index:\n" + "\n".join(
        f"- {problem}" for problem in problems
    )
