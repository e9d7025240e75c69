"""Which database an export reads: the replica when one is configured, fresh and allowed (see
``infra.replica``), else the primary. The rows are read on a connection of their own, opened on
the alias chosen when the export starts; the job's own bookkeeping writes go to the primary."""

from infra.replica import read_alias, replica_reads

export_reads = replica_reads


def export_alias() -> str:
    """The database alias the export's own connection (a thread of its own) should open."""
    return read_alias()
