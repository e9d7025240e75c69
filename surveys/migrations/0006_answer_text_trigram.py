"""A trigram index for the comments search, on PostgreSQL only.

``surveys.selectors.comments`` searches free-text answers with ``icontains``, which Django
writes on PostgreSQL as ``UPPER(text::text) LIKE UPPER('%…%')``. A GIN index over that
expression with ``gin_trgm_ops``, limited to non-empty free-text answers (the rows the
search reads), finds the matches without reading every comment of the period. Built
``CONCURRENTLY`` so the answers table keeps taking writes; the model state does not know
the index, so ``makemigrations`` never tries to drop it. SQLite: no-op.
"""

from django.db import migrations

from infra.migration_ops import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("surveys", "0005_invitation_interaction_kept"),
        ("touchpoints", "0003_customer_search_trigram"),  # creates the pg_trgm extension
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS answer_text_trgm_idx "
                "ON surveys_answer USING gin ((UPPER(text::text)) gin_trgm_ops) "
                "WHERE question_type = 'text' AND text <> ''"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS answer_text_trgm_idx",
        ),
    ]
