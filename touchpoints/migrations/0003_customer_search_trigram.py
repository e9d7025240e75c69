"""Trigram indexes for the agents' as-you-type customer search, on PostgreSQL only.

``touchpoints.selectors.customer_search`` filters with ``icontains``, which Django
writes on PostgreSQL as ``UPPER(column::text) LIKE UPPER('%…%')``. A GIN index over
the same expression with ``gin_trgm_ops`` serves those substring searches at a million
customers; a B-tree cannot. SQLite has no pg_trgm: there the operation does nothing
and the search falls back to a scan, which is fine at the sizes SQLite is used for.

The indexes are built ``CONCURRENTLY`` (hence ``atomic = False``) so a production
table keeps taking writes while they build. The model state does not know these
indexes, so ``makemigrations`` never tries to drop them.
"""

from django.db import migrations

from infra.migration_ops import RunSQLOnPostgreSQL

TABLE = "touchpoints_customer"
COLUMNS = ("name", "email", "external_id", "phone")


def _index(column: str) -> str:
    return f"customer_{column}_trgm_idx"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("touchpoints", "0002_score_validators"),
    ]

    operations = [
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        # Rolling back keeps the extension: something else may use it by then.
        RunSQLOnPostgreSQL(sql="CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop),
        *(
            RunSQLOnPostgreSQL(
                sql=(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {_index(column)} "
                    f"ON {TABLE} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
                ),
                reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {_index(column)}",
            )
            for column in COLUMNS
        ),
    ]
