"""Validation's and the retirement's part on PostgreSQL, played on the real server (scripts/postgres.sh) as DMS plays it.

Validation: DMS "compares each row in the source with its corresponding row at the target ... AWS DMS
issues appropriate queries to retrieve the data" (CHAP_Validating), and during validation it "creates
a new table at the target endpoint: awsdms_validation_failures_v1" in the control schema (PostgreSQL's
default: public; PostgresReplication sets ControlSchema to the target user's DMS schema). The table's
definition below is the one DMS created on a PostgreSQL target (a dump seen in a public repository,
columns as CHAP_Validating lists them). Logged in as the users PostgresDatabaseUser creates, the tests
do what DMS does with them.

Retirement: a DMS task reads changes through a logical slot, streamed over a replication connection by
a walsender of the DMS user. `pg_recvlogical` plays that consumer (PostgreSQL's own client: a logical
slot with test_decoding, streamed as the DMS user, which holds REPLICATION here as rds_replication
gives it on RDS). The slot function (assets/postgres-user/slots.py) records the slot while it is held,
and sweeps it once the consumer has gone, as after DMS deletes the task.
"""
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from handlers import ASSETS, load
from test_postgres_user_handler import (  # noqa: F401 (database is a fixture)
    SERVER, as_master, connect, database, denied, event, handler, run, source_user, target_user,
)

# index.py imports slots.py by name, as the Lambda runtime finds it beside index.py
slots = sys.modules["slots"] = load(ASSETS / "postgres-user" / "slots.py", "slots")

# What DMS creates in the control schema when validation finds a failed or suspended record.
VALIDATION_FAILURES_TABLE = """CREATE TABLE IF NOT EXISTS awsdms.awsdms_validation_failures_v1 (
    "TASK_NAME" varchar(128) NOT NULL, "TABLE_OWNER" varchar(128) NOT NULL, "TABLE_NAME" varchar(128) NOT NULL,
    "FAILURE_TIME" timestamp NOT NULL, "KEY_TYPE" varchar(128) NOT NULL, "KEY" varchar(7800) NOT NULL,
    "FAILURE_TYPE" varchar(128) NOT NULL, "DETAILS" varchar(7800) NOT NULL)"""

# The tables DMS cannot validate ("Data validation requires that the table has a primary key or unique
# index"): what README gives to run on the source before the task starts.
TABLES_WITHOUT_KEY = """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = :schema AND NOT EXISTS (
  SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisunique)) ORDER BY 1"""


# --- validation ----------------------------------------------------------------------------------------


def test_dms_target_user_creates_and_writes_the_validation_failures_table_in_its_dms_schema(database):
    master, user, _, _ = target_user(database)
    user.run("INSERT INTO payments.orders VALUES (1, 'loaded')")
    # validation reads the target's rows by key, as it reads the source's
    assert user.run("SELECT id, note FROM payments.orders WHERE id BETWEEN 1 AND 10000 ORDER BY id") == [[1, "loaded"]]
    # a mismatch found: DMS creates its failures table in ControlSchema and writes the row there
    user.run(VALIDATION_FAILURES_TABLE)
    user.run("""INSERT INTO awsdms.awsdms_validation_failures_v1 VALUES ('K55IUCGBASJS5VHZJIINA45FII', 'payments', 'orders',
             now(), 'Row', '{"key": ["1"]}', 'RECORD_DIFF', '{"note": ["loaded", "changed"]}')""")
    assert master.run('SELECT "TABLE_NAME", "FAILURE_TYPE" FROM awsdms.awsdms_validation_failures_v1') == [["orders", "RECORD_DIFF"]]
    # DMS's default place for it, public, is closed to the user since PostgreSQL 15: why ControlSchema is set
    assert denied(user, VALIDATION_FAILURES_TABLE.replace("awsdms.", "public."))


def test_dms_source_user_reads_what_validation_compares_and_nothing_more(database):
    master, user, _ = source_user(database)
    # validation's queries: the source's rows in key order, range by range
    assert user.run("SELECT id, amount::text FROM payments.ledger WHERE id BETWEEN 1 AND 10000 ORDER BY id") == [[1, "10.5"], [2, "20"]]
    assert denied(user, "CREATE TABLE payments.awsdms_validation_failures_v1 (id int)")


def test_tables_dms_cannot_validate_are_found_before_the_task_starts(database):
    master, user, _ = source_user(database)
    master.run("CREATE TABLE payments.audit_log (at timestamptz, line text)")  # no key: never "Validated"
    master.run("CREATE TABLE payments.rates (code text NOT NULL, rate numeric, UNIQUE (code))")  # a unique index will do
    assert user.run(TABLES_WITHOUT_KEY, schema="payments") == [["payments.audit_log"]]


# --- retirement: the slots DMS leaves on the source --------------------------------------------------------


# PostgreSQL's client, installed with the server (scripts/postgres.sh)
PG_RECVLOGICAL = shutil.which("pg_recvlogical") or "pg_recvlogical"


def slot_active(master, slot):
    rows = master.run("SELECT active FROM pg_replication_slots WHERE slot_name = :slot", slot=slot)
    return rows[0][0] if rows else None


def until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server did not get there in time"
        time.sleep(0.2)


class Consumer:
    """A logical slot streamed over a replication connection by the DMS user, as the task's walsender does."""

    def __init__(self, master, database, username, slot):
        self.master, self.slot = master, slot
        self.process = subprocess.Popen(
            [PG_RECVLOGICAL, "-h", SERVER["host"], "-p", str(SERVER["port"]), "-U", username, "-d", database, "--slot", slot,
             "--create-slot", "--start", "-P", "test_decoding", "-f", os.devnull, "--no-loop"],
            env={**os.environ, "PGPASSWORD": "first-Passw0rd"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        until(lambda: slot_active(master, slot) or self.process.poll() is not None)
        assert self.process.poll() is None, self.process.stderr.read().decode()

    def stop(self):
        """The task stopped and deleted: the walsender goes, the slot stays."""
        self.process.terminate()
        self.process.wait(10)
        until(lambda: slot_active(self.master, self.slot) is False)


def slots_event(database, username, step):
    body, secrets, _ = event("Delete", "SOURCE", database, username=username, physical_id=f"dms-slots-{step}@{database}")
    body["ResourceProperties"].update(Purpose="DmsSlots", Step=step)
    return body, secrets


@pytest.fixture
def consumers():
    """The consumers a test starts, stopped and their slots dropped afterwards."""
    started = []
    yield started
    for consumer in started:
        if consumer.process.poll() is None:
            consumer.process.terminate()
            consumer.process.wait(10)
        rows = consumer.master.run("SELECT 1 FROM pg_replication_slots WHERE slot_name = :s", s=consumer.slot)
        if rows:
            until(lambda: slot_active(consumer.master, consumer.slot) is False)
            consumer.master.run("SELECT pg_drop_replication_slot(:s)", s=consumer.slot)


def test_a_slot_dms_left_is_dropped_and_another_inactive_slot_is_reported_not_dropped(database, consumers):
    master, _, username = source_user(database)
    task_slot = f"dms_{uuid.uuid4().hex[:12]}"
    consumers.append(Consumer(master, database, username, task_slot))
    other = f"other_{uuid.uuid4().hex[:8]}"  # another tool's slot, idle: not the task's to drop
    master.run("SELECT pg_create_logical_replication_slot(:s, 'test_decoding')", s=other)
    try:
        master.run("INSERT INTO payments.ledger VALUES (3, 30)")  # WAL the slot keeps
        # GIVEN the record step, run while the task streams (deleted before the task is stopped)
        body, secrets = slots_event(database, username, "record")
        assert run(body, secrets)["Data"]["Recorded"] == task_slot
        # WHEN DMS stops and deletes the task but leaves its slot, and the sweep runs (deleted after the task)
        consumers[0].stop()
        body, secrets = slots_event(database, username, "sweep")
        left = run(body, secrets)["Data"]["Left"]
        # THEN the task's slot is dropped, the other is reported with the WAL it keeps and left alone
        assert left.startswith(f"dropped {task_slot}; other inactive logical slots of this database, not known as the task's, "
                               f"left as they are: {other} (")
        assert slot_active(master, task_slot) is None and slot_active(master, other) is False
        assert not master.run("SELECT to_regclass('awsdms.safe_constructs_dms_slots')")[0][0]  # its record goes too
    finally:
        master.run("SELECT pg_drop_replication_slot(:s)", s=other)


def test_a_slot_still_held_after_the_task_is_deleted_is_reported_and_kept_for_the_next_try(database, consumers, monkeypatch):
    master, _, username = source_user(database)
    slot = f"dms_{uuid.uuid4().hex[:12]}"
    consumers.append(Consumer(master, database, username, slot))
    body, secrets = slots_event(database, username, "record")
    run(body, secrets)
    # the slot is still streamed when the sweep runs: it cannot be dropped
    monkeypatch.setattr(slots, "ACTIVE_WAIT_SECONDS", 1)
    body, secrets = slots_event(database, username, "sweep")
    with pytest.raises(slots.SlotStillActive, match=rf"the replication task is deleted, and its slot is still held: {slot} \(held "
                                                    r"by pid \d+, \d+ bytes of WAL kept\)\. An active slot cannot be dropped"):
        run(body, secrets)
    assert slot_active(master, slot) is True
    # once its consumer has gone, the next delete drops it: the record was kept
    consumers[0].stop()
    assert run(body, secrets)["Data"]["Left"] == f"dropped {slot}"


def test_a_slot_dms_dropped_itself_is_said_and_a_task_that_never_ran_leaves_nothing_recorded(database, consumers):
    master, _, username = source_user(database)
    slot = f"dms_{uuid.uuid4().hex[:12]}"
    consumers.append(Consumer(master, database, username, slot))
    body, secrets = slots_event(database, username, "record")
    run(body, secrets)
    consumers[0].stop()
    master.run("SELECT pg_drop_replication_slot(:s)", s=slot)  # DMS "automatically drops replication slots when the task is deleted"
    body, secrets = slots_event(database, username, "sweep")
    assert run(body, secrets)["Data"]["Left"] == f"dropped by DMS with the task: {slot}"
    # a task stopped before its retirement: nothing held, nothing recorded, and the sweep says so
    body, secrets = slots_event(database, username, "record")
    assert run(body, secrets)["Data"]["Recorded"] == "none"
    body, secrets = slots_event(database, username, "sweep")
    assert run(body, secrets)["Data"]["Left"] == "no slot of the task was recorded (it did not run when it was deleted)"


def test_create_and_update_of_the_slot_resources_touch_nothing(database):
    _, _, username = source_user(database)
    for step in ("record", "sweep"):
        body, secrets = slots_event(database, username, step)
        body["RequestType"] = "Create"
        assert run(body, secrets) == {"PhysicalResourceId": f"dms-slots-{step}@{database}"}
    assert not as_master(database).run("SELECT to_regclass('awsdms.safe_constructs_dms_slots')")[0][0]
