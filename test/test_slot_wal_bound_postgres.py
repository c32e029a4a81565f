"""What the bound on a slot's WAL and DMS's heartbeat do, played on a real PostgreSQL server.

`max_slot_wal_keep_size` is server-wide, so these tests start a private, throwaway server (initdb in a
temporary directory, as the postgres user when run as root, as CI runs after scripts/postgres.sh; WAL
segments of 1 MB so that a few MB show what RDS's gigabytes would), stopped and removed at the end: the
shared server of the other tests is not touched.

The DMS source user is the one the library's database-user function makes (assets/postgres-user), with
the REPLICATION attribute standing in for RDS's rds_replication; its slot is made as DMS makes it, with
test_decoding. What stands in for DMS: reading nothing (a stopped task), or confirming only the changes it
received (the premise of DMS's heartbeat). What only an account shows (RDS applying the parameter group,
DMS's own confirmations) is in README.
"""
import importlib.util
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("postgres_user_for_wal", ROOT / "assets" / "postgres-user" / "index.py")
handler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handler)
native = handler.pg8000.native

SEGMENT_MB = 1
# max_wal_size and min_wal_size: what the server keeps for its own checkpoints, slot or not
MAX_WAL_MB = 4


def postgres_bin():
    """The newest installed PostgreSQL's programs, as scripts/postgres.sh picks the version."""
    versions = sorted((p for p in pathlib.Path("/usr/lib/postgresql").iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    return versions[-1] / "bin"


def as_server_owner(*command):
    """Runs a server program as the postgres user when root (initdb and postgres refuse to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + [str(c) for c in command], check=True, capture_output=True, text=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """A private PostgreSQL server with logical decoding (wal_level=logical, as rds.logical_replication=1 sets it)."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="safe-constructs-wal-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    data, port, bin_dir = directory / "data", free_port(), postgres_bin()
    as_server_owner(bin_dir / "initdb", "-D", data, f"--wal-segsize={SEGMENT_MB}", "-A", "trust", "-U", "postgres", "--no-sync")
    options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c wal_level=logical -c fsync=off "
               f"-c min_wal_size={2 * SEGMENT_MB}MB -c max_wal_size={MAX_WAL_MB}MB")
    as_server_owner(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", directory / "server.log", "-w", "start")
    try:
        yield {"host": "127.0.0.1", "port": port, "username": "postgres", "password": "unused", "ssl": False}
    finally:
        as_server_owner(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(directory)


def connect(server, database, user="postgres", password="unused"):
    return native.Connection(user, password=password, host=server["host"], port=server["port"], database=database)


class Secrets:
    def __init__(self, **secrets):
        self.secrets = secrets

    def get_secret_value(self, SecretId):  # noqa: N803 (boto3's spelling)
        return {"SecretString": json.dumps(self.secrets[SecretId])}


@pytest.fixture
def source(server):
    """A source database with a table, its DMS source user (made by the library's function), and a slot of that user."""
    name = f"payments_{uuid.uuid4().hex[:8]}"
    admin = connect(server, "postgres")
    admin.run(f"CREATE DATABASE {name}")
    if not admin.run("SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication'"):
        admin.run("CREATE ROLE rds_replication NOLOGIN")
    master = connect(server, name)
    master.run("CREATE SCHEMA payments")
    master.run("CREATE TABLE payments.ledger (id serial PRIMARY KEY, memo text)")
    username = f"dms_{uuid.uuid4().hex[:8]}"
    handler.on_event({"RequestType": "Create", "ResourceProperties": {
        "MasterSecretArn": "master", "UserSecretArn": "user", "Database": name, "Schema": "payments", "DmsSchema": "awsdms",
        "Access": "SOURCE"}}, client=Secrets(master=server, user={"username": username, "password": "Passw0rd-1"}))
    admin.run(f"ALTER ROLE {username} REPLICATION")  # stands in for RDS's rds_replication
    user = connect(server, name, username, "Passw0rd-1")
    slot = f"dms_slot_{uuid.uuid4().hex[:8]}"
    user.run("SELECT pg_create_logical_replication_slot(:slot, 'test_decoding')", slot=slot)
    yield {"database": name, "master": master, "user": user, "slot": slot, "admin": admin}
    for connection in (user, master):
        connection.close()
    admin.run("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :slot", slot=slot)
    admin.run(f"DROP DATABASE {name} WITH (FORCE)")
    admin.run(f"DROP OWNED BY {username}")
    admin.run(f"DROP ROLE {username}")
    set_bound(admin, None)
    admin.close()


@pytest.fixture
def busy(server, source):
    """Another database of the same server, with a table to write to (WAL is the server's, not a database's)."""
    name = f"other_{uuid.uuid4().hex[:8]}"
    source["admin"].run(f"CREATE DATABASE {name}")
    connection = connect(server, name)
    connection.run("CREATE TABLE t (id serial, memo text)")
    yield connection
    connection.close()
    source["admin"].run(f"DROP DATABASE {name} WITH (FORCE)")


def set_bound(admin, mb):
    """Sets max_slot_wal_keep_size as a parameter group does on RDS (a dynamic parameter): configuration, then a reload."""
    admin.run("ALTER SYSTEM RESET max_slot_wal_keep_size" if mb is None else f"ALTER SYSTEM SET max_slot_wal_keep_size = {mb}")
    admin.run("SELECT pg_reload_conf()")
    expected = "-1" if mb is None else f"{mb}MB"
    for _ in range(100):  # the reload is a signal: wait until this session sees the new value (5 s at most)
        if admin.run("SHOW max_slot_wal_keep_size") == [[expected]]:
            return
        time.sleep(0.05)
    raise AssertionError(f"max_slot_wal_keep_size did not become {expected} after a reload")


def write_wal(connection, megabytes, table="payments.ledger"):
    """Writes about `megabytes` of WAL, one segment switch per MB, then a checkpoint (which removes what nothing keeps)."""
    for _ in range(megabytes):
        connection.run(f"INSERT INTO {table} (memo) SELECT repeat('x', 1000) FROM generate_series(1, 700)")
        connection.run("SELECT pg_switch_wal()")
    connection.run("CHECKPOINT")


def slot_state(admin, slot):
    [[status, restart_lsn, held, safe]] = admin.run(
        "SELECT wal_status, restart_lsn::text, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, safe_wal_size "
        "FROM pg_replication_slots WHERE slot_name = :slot", slot=slot)
    return {"status": status, "restart_lsn": restart_lsn, "held_mb": None if held is None else held / 2**20, "safe": safe}


def wal_on_disk_mb(admin):
    return admin.run("SELECT coalesce(sum(size), 0)::bigint FROM pg_ls_waldir()")[0][0] / 2**20


def test_the_bound_is_a_reloadable_setting_in_mb_from_postgresql_13(server):
    admin = connect(server, "postgres")
    # what the construct relies on: MB (it writes whole MB), a reload applies it (RDS: a dynamic parameter)
    assert admin.run("SELECT unit, context, boot_val FROM pg_settings WHERE name = 'max_slot_wal_keep_size'") == [["MB", "sighup", "-1"]]
    assert int(admin.run("SHOW server_version_num")[0][0]) >= 130000
    admin.close()


def test_without_a_bound_an_unread_slot_keeps_every_segment(server, source):
    admin = source["admin"]
    # GIVEN a slot nobody reads (a stopped or failed task) and no bound
    assert slot_state(admin, source["slot"])["status"] == "reserved"
    # WHEN the source writes 12 MB of WAL
    write_wal(source["master"], 12)
    # THEN the slot keeps all of it on disk, past the server's own max_wal_size: the disk fills as long as the writes go on
    state = slot_state(admin, source["slot"])
    assert state["status"] == "extended" and state["held_mb"] >= 12 and state["safe"] is None
    assert wal_on_disk_mb(admin) >= 12


def test_with_the_bound_an_unread_slot_is_lost_and_the_server_keeps_its_disk(server, source):
    admin, bound_mb = source["admin"], 3
    # GIVEN the bound, applied to the running server by a reload, and the slot still unread
    set_bound(admin, bound_mb)
    state = slot_state(admin, source["slot"])
    # safe_wal_size: what may still be written before the slot is in danger (to the end of a segment past the bound)
    assert state["status"] == "reserved" and 0 < state["safe"] <= (bound_mb + SEGMENT_MB) * 2**20
    # WHEN the source writes four times the bound
    write_wal(source["master"], 4 * bound_mb)
    # THEN the checkpoint removed the WAL the slot needed: the slot is lost...
    state = slot_state(admin, source["slot"])
    assert (state["status"], state["restart_lsn"], state["safe"]) == ("lost", None, None)
    # ...and the disk holds what the bound and the server's own checkpoints allow, not the 12 MB written
    assert wal_on_disk_mb(admin) <= bound_mb + MAX_WAL_MB + 2 * SEGMENT_MB
    # AND what DMS meets next: the slot can no longer be read, so the task fails and must reload (DMS guide,
    # CHAP_Source.PostgreSQL: "the DMS task fails due to removal of required WAL files")
    with pytest.raises(native.DatabaseError) as raised:
        source["user"].run("SELECT * FROM pg_logical_slot_get_changes(:slot, NULL, NULL)", slot=source["slot"])
    assert "can no longer get changes from replication slot" in raised.value.args[0]["M"]


def received_and_confirmed(user, slot):
    """A consumer that confirms only the changes it received (the premise of DMS's heartbeat): it reads what the slot
    decodes for its database, and confirms the commit of the last change, if any. Returns the changes."""
    changes = user.run("SELECT lsn::text, data FROM pg_logical_slot_peek_changes(:slot, NULL, NULL)", slot=slot)
    commits = [lsn for lsn, data in changes if data.startswith("COMMIT")]
    if commits:
        user.run("SELECT pg_replication_slot_advance(:slot, CAST(:lsn AS pg_lsn))", slot=slot, lsn=commits[-1])
    return [data for _, data in changes]


def test_an_idle_sources_slot_holds_the_wal_others_write_until_a_heartbeat_in_its_own_database_is_confirmed(source, busy):
    admin, user, slot = source["admin"], source["user"], source["slot"]
    # GIVEN the replicated database idle, while another database on the server writes
    write_wal(busy, 6, table="t")
    before = slot_state(admin, slot)
    # WHEN the consumer reads: nothing of its database, so nothing to confirm
    assert received_and_confirmed(user, slot) == []
    busy.run("CHECKPOINT")
    # THEN the slot keeps the other database's WAL
    assert slot_state(admin, slot)["restart_lsn"] == before["restart_lsn"] and before["held_mb"] >= 6
    # WHEN DMS's heartbeat writes in the source user's DMS schema (HeartbeatSchema, as PostgresReplication sets
    # it), and the consumer confirms the change it received; the heartbeat recurs (every 5 minutes by default)
    user.run("CREATE TABLE awsdms.awsdms_heartbeat (hb_key int PRIMARY KEY, hb_last_heartbeat_at timestamp)")
    for _ in range(2):
        user.run("INSERT INTO awsdms.awsdms_heartbeat VALUES (1, now()) ON CONFLICT (hb_key) DO UPDATE SET hb_last_heartbeat_at = now()")
        received = received_and_confirmed(user, slot)
        assert any(change.startswith("table awsdms.awsdms_heartbeat:") for change in received), received
    busy.run("CHECKPOINT")
    # THEN the slot moved on: it holds less than a segment, and the checkpoint removed the rest
    after = slot_state(admin, slot)
    assert after["status"] == "reserved" and after["held_mb"] < SEGMENT_MB
    assert wal_on_disk_mb(admin) <= MAX_WAL_MB + 2 * SEGMENT_MB


def test_what_postgresql_does_with_a_consumer_that_confirms_the_servers_position(source, busy):
    """The finding README states: PostgreSQL itself moves an idle slot on when its consumer confirms the position the
    server reached (pg_logical_slot_get_changes does), heartbeat or not. So the heartbeat matters for a consumer that
    confirms only the changes it received; how DMS confirms is not documented, and AWS documents the heartbeat as what
    "prevents idle logical replication slots from holding onto old WAL logs" (DMS API, PostgreSQLSettings)."""
    admin, user, slot = source["admin"], source["user"], source["slot"]
    write_wal(busy, 5, table="t")
    assert slot_state(admin, slot)["held_mb"] >= 5
    for _ in range(2):  # the first read confirms; the next moves restart_lsn past what was confirmed
        assert user.run("SELECT count(*) FROM pg_logical_slot_get_changes(:slot, NULL, NULL)", slot=slot) == [[0]]
    assert slot_state(admin, slot)["held_mb"] < SEGMENT_MB
