"""A private PostgreSQL primary and a streaming replica of it, for the tests of replica reads.

Made with PostgreSQL 15's own binaries (``initdb``, ``pg_ctl``, ``pg_basebackup -R -X stream``)
under a temporary folder, on free ports of 127.0.0.1, and removed at the end of the session: the
main server on 5432 is never copied. ``initdb`` refuses to run as root, so as root every binary
runs as the ``postgres`` user (``runuser``) in folders it owns.

Without the binaries the tests that need the pair are skipped, or fail where CI promised them
(``CEM_REQUIRE_SERVICES=1``).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from asgiref.local import Local
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from tests.conftest import skip_or_fail

PG_BIN = Path(os.environ.get("CEM_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "cem"
SUPERUSER = "postgres"
# Every wait polls; this only bounds how long a server that never comes up is waited for.
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.02


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres() -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []


def _run(*command: str) -> None:
    completed = subprocess.run(
        [*_as_postgres(), *command], capture_output=True, text=True, timeout=WAIT_SECONDS, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")


def _poll(what: str, ready) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {WAIT_SECONDS:.0f} s for {what}")
        time.sleep(POLL_SECONDS)


@dataclass
class Server:
    """One PostgreSQL server of the pair: its data folder, its port, its log."""

    name: str
    data: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.name}.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def django_settings(self, database: str = DATABASE) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": SUPERUSER,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def configure(self, **options: str) -> None:
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.writelines(f"{name} = '{value}'\n" for name, value in options.items())

    def start(self) -> None:
        _run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        _poll(f"{self.name} to accept connections", self.accepting)

    def stop(self, mode: str = "fast") -> None:
        _run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def accepting(self) -> bool:
        probe = [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False, timeout=WAIT_SECONDS).returncode == 0

    def sql(self, query: str, params: tuple = (), *, database: str = DATABASE) -> list[tuple]:
        """Run ``query`` on its own connection, in autocommit; its rows (empty when it returns none)."""
        connection = psycopg2.connect(self.url(database), connect_timeout=5)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


@dataclass
class ReplicaCluster:
    """A primary and a hot standby streaming from it, with the controls the tests need."""

    root: Path
    primary: Server
    replica: Server

    @classmethod
    def create(cls) -> "ReplicaCluster":
        root = Path(tempfile.mkdtemp(prefix="cem-replica-"))
        if os.geteuid() == 0:
            shutil.chown(root, SUPERUSER, SUPERUSER)
        cluster = cls(
            root=root,
            primary=Server("primary", root / "primary", _free_port()),
            replica=Server("replica", root / "replica", _free_port()),
        )
        try:
            cluster._build()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    def _build(self) -> None:
        primary, replica = self.primary, self.replica
        _run(
            str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        primary.configure(
            port=str(primary.port),
            listen_addresses="127.0.0.1",
            unix_socket_directories=str(self.root),
            max_connections="40",
            shared_buffers="32MB",
            # Speed over durability: the pair lives for one test session.
            fsync="off",
            full_page_writes="off",
        )
        primary.start()
        primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        _run(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", SUPERUSER,
            "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        replica.configure(port=str(replica.port), hot_standby="on")
        replica.start()
        self.wait_streaming()

    def destroy(self) -> None:
        for server in (self.replica, self.primary):
            if (server.data / "postmaster.pid").exists():
                with suppress(RuntimeError, subprocess.TimeoutExpired):
                    server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_streaming(self) -> None:
        def streaming() -> bool:
            rows = self.primary.sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
            return rows[0][0] > 0

        _poll("the replica to stream from the primary", streaming)

    def wait_replayed(self) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        self._wait_for("pg_last_wal_replay_lsn()", "replay")

    def wait_received(self) -> None:
        """Until the replica has received (not necessarily replayed) what the primary had written."""
        self._wait_for("pg_last_wal_receive_lsn()", "receive")

    def _wait_for(self, position: str, what: str) -> None:
        (lsn,) = self.primary.sql("SELECT pg_current_wal_insert_lsn()::text")[0]

        def reached() -> bool:
            return self.replica.sql(f"SELECT {position} >= %s::pg_lsn", (lsn,))[0][0]

        _poll(f"the replica to {what} up to {lsn}", reached)

    def pause_replay(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_pause()")
        _poll(
            "replay to pause",
            lambda: self.replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        )

    def resume_replay(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_resume()")

    def replay_paused(self) -> bool:
        return self.replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] != "not paused"


@pytest.fixture(scope="session")
def replica_cluster() -> Iterator[ReplicaCluster]:
    """A primary and its streaming replica for the whole session, each with an empty ``cem``."""
    missing = [
        name for name in ("initdb", "pg_ctl", "pg_basebackup", "pg_isready") if not (PG_BIN / name).exists()
    ]
    if missing:
        skip_or_fail(f"needs PostgreSQL's {', '.join(missing)} in {PG_BIN} (apt-get install postgresql-15)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        skip_or_fail("running as root needs runuser (util-linux) to start PostgreSQL as postgres")
    cluster = ReplicaCluster.create()
    try:
        yield cluster
    finally:
        cluster.destroy()


@contextmanager
def connections_to(databases: dict[str, dict]) -> Iterator[None]:
    """Django's connections pointed at ``databases`` (aliases to settings) for the time of the
    block, with the replica's router and middleware installed; then back to the test database.
    Django cannot override ``DATABASES`` as a setting: the connection handler is re-pointed."""
    connections.close_all()
    saved = connections._settings, connections.__dict__.get("settings"), connections._connections
    configured = connections.configure_settings(databases)
    connections._settings = configured
    connections.__dict__["settings"] = configured
    connections._connections = Local(connections.thread_critical)
    try:
        with override_settings(
            DATABASE_ROUTERS=["infra.db_router.ReplicaRouter"],
            MIDDLEWARE=[*settings.MIDDLEWARE, "infra.replica.ReplicaPinMiddleware"],
        ):
            yield
    finally:
        connections.close_all()
        connections._settings, connections.__dict__["settings"], connections._connections = saved
        if saved[1] is None:
            del connections.__dict__["settings"]


@pytest.fixture(scope="module")
def replica_databases(replica_cluster: ReplicaCluster, django_db_blocker) -> Iterator[ReplicaCluster]:
    """Django's ``default`` on the pair's primary (migrated) and ``replica`` on its replica, for one
    test module. Rows the tests write there stay until the session's end removes the pair."""
    databases = {
        "default": replica_cluster.primary.django_settings(),
        "replica": {**replica_cluster.replica.django_settings(), "TEST": {"MIRROR": "default"}},
    }
    with django_db_blocker.unblock(), connections_to(databases):
        call_command("migrate", interactive=False, verbosity=0)
        replica_cluster.wait_replayed()
        yield replica_cluster
