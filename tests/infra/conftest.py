"""The private primary and replica of the replica-read tests (``tests.replica_cluster``)."""

from tests.replica_cluster import replica_cluster, replica_databases

__all__ = ["replica_cluster", "replica_databases"]
