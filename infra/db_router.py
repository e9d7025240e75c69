"""The database router installed with a replica (``DATABASE_REPLICA_URL``): reads go where the
current ``infra.replica.replica_reads`` scope says (the primary outside any scope), writes and
migrations to the primary only."""

from infra.replica import PRIMARY, note_write, read_alias


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        # Named outright, never None: Django would otherwise read a row's relations from the
        # database the row came from, the replica, outside the scope too.
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        note_write()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: a row read from one relates to a row of the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica takes the schema from the primary's WAL; it is read-only anyway.
        return db == PRIMARY
