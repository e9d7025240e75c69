"""The comments search has a trigram index on PostgreSQL, over the expression the search filters on."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_free_text_answers_have_a_trigram_index_over_the_search_expression():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'answer_text_trgm_idx'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition
    assert "upper(text) gin_trgm_ops" in definition
    assert "question_type)::text = 'text'::text" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_planner_can_answer_a_comment_search_from_the_index():
    from surveys.selectors.comments import _comments

    sql, params = _comments(search="delivery late").values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "answer_text_trgm_idx" in plan
