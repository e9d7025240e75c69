"""On PostgreSQL, a trigger refuses UPDATE and DELETE of audit events, whoever sends them.

The model already refuses in Python; the trigger also stops raw SQL, a shell and any
other client of the database. One UPDATE is let through: setting ``actor_id`` to NULL
and nothing else, which is what ``on_delete=SET_NULL`` does when a user is deleted
(``actor_label`` keeps the name). TRUNCATE, a table owner's act, is not guarded: the
test suite empties tables with it.

SQLite has no such triggers here: there the operations do nothing.
"""

from django.db import migrations

from infra.migration_ops import RunSQLOnPostgreSQL

FUNCTION = "audit_event_refuse_change"
TRIGGER = "audit_event_append_only"
TABLE = "audit_auditevent"

CREATE = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of audit event % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [RunSQLOnPostgreSQL(sql=CREATE, reverse_sql=DROP)]
