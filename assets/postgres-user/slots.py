"""A DMS task's replication slots on its PostgreSQL source: recorded while the task runs, swept once it is deleted.

Run by the database-user function (index.py hands it the master's connection when the resource's
Purpose is DmsSlots), inside the VPC. A logical replication slot keeps the WAL its consumer has not
confirmed, "even when they are not connected" (AWS Knowledge Center, DMS high storage consumption
on PostgreSQL); DMS's guide says it "automatically drops replication slots when the task is deleted,
if DMS created the slot" and, in its older text, only "Make sure to manually delete open slots"
(CHAP_Source.PostgreSQL). DMS's slot names are opaque, so a slot is known as the task's by its
consumer while the task runs: the walsender's user is the DMS source user (pg_stat_activity).

Two custom resources do it, in the order CloudFormation deletes them (each on delete only):
- `record`, deleted before the task is stopped: the logical slots of this database that a session of
  the DMS user holds now go into `<DmsSchema>.safe_constructs_dms_slots`;
- `sweep`, deleted after the task: each recorded slot DMS left is dropped
  (`pg_drop_replication_slot`: a superuser or a role with REPLICATION, on RDS `rds_replication`,
  may drop one; an active one cannot be dropped). A recorded slot still active after a short wait
  fails the delete, naming it, its consumer and the WAL it holds: stop the consumer and delete again.
  Other inactive logical slots of the database are reported, never dropped: nothing shows them as DMS's.
"""
import time

import pg8000.native

RECORD_TABLE = "safe_constructs_dms_slots"
# How long the sweep waits for a recorded slot to be let go (DMS deleting the task ends its walsender).
ACTIVE_WAIT_SECONDS = 30
ACTIVE_POLL_SECONDS = 2


class SlotStillActive(Exception):
    """A recorded slot that a session still holds: it cannot be dropped; the message says who holds it."""


def on_event(event, connection, username, sleep=time.sleep, now=time.monotonic):
    """Provider framework entry point for Purpose DmsSlots: work on delete only."""
    props = event["ResourceProperties"]
    step = props["Step"]
    physical_id = f"dms-slots-{step}@{props['Database']}"
    if event["RequestType"] != "Delete":
        return {"PhysicalResourceId": physical_id}
    if step == "record":
        return {"PhysicalResourceId": physical_id, "Data": {"Recorded": ", ".join(record_slots(connection, props["DmsSchema"], username)) or "none"}}
    return {"PhysicalResourceId": physical_id, "Data": {"Left": sweep_slots(connection, props["DmsSchema"], sleep=sleep, now=now)}}


def record_table(dms_schema):
    return f"{pg8000.native.identifier(dms_schema)}.{RECORD_TABLE}"


def record_slots(connection, dms_schema, username):
    """Records the logical slots of this database held by a session of `username`; returns every slot recorded."""
    table = record_table(dms_schema)
    connection.run(f"CREATE TABLE IF NOT EXISTS {table} (slot_name name PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now())")
    connection.run(
        f"INSERT INTO {table} (slot_name) SELECT s.slot_name FROM pg_replication_slots s JOIN pg_stat_activity a ON a.pid = s.active_pid "
        "WHERE s.slot_type = 'logical' AND s.database = current_database() AND a.usename = :username ON CONFLICT DO NOTHING",
        username=username)
    return [row[0] for row in connection.run(f"SELECT slot_name FROM {table} ORDER BY slot_name")]


def slot_state(connection, name):
    """(active, the pid holding it, bytes of WAL it holds), or None when there is no such slot."""
    rows = connection.run("SELECT active, active_pid, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint "
                          "FROM pg_replication_slots WHERE slot_name = :name", name=name)
    return tuple(rows[0]) if rows else None


def sweep_slots(connection, dms_schema, sleep=time.sleep, now=time.monotonic):
    """Drops each recorded slot DMS left, reports the database's other inactive logical slots; returns what was found, in words."""
    exists = connection.run("SELECT to_regclass(:table) IS NOT NULL", table=f"{dms_schema}.{RECORD_TABLE}")[0][0]
    recorded = [row[0] for row in connection.run(f"SELECT slot_name FROM {record_table(dms_schema)}")] if exists else []
    dropped, gone, held = [], [], []
    for name in recorded:
        deadline = now() + ACTIVE_WAIT_SECONDS
        state = slot_state(connection, name)
        while state and state[0] and now() + ACTIVE_POLL_SECONDS <= deadline:
            sleep(ACTIVE_POLL_SECONDS)
            state = slot_state(connection, name)
        if state is None:
            gone.append(name)
        elif state[0]:
            held.append(f"{name} (held by pid {state[1]}, {state[2] or 0} bytes of WAL kept)")
        else:
            connection.run("SELECT pg_drop_replication_slot(:name)", name=name)
            dropped.append(name)
    if held:
        raise SlotStillActive(f"the replication task is deleted, and its slot is still held: {', '.join(held)}. An active slot "
                              "cannot be dropped, and it keeps WAL on the source: stop the session that holds it "
                              "(SELECT pg_terminate_backend(<pid>)), then delete again, which drops it")
    others = connection.run(
        "SELECT slot_name, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots "
        "WHERE slot_type = 'logical' AND database = current_database() AND NOT active ORDER BY slot_name")
    others = [f"{name} ({size or 0} bytes of WAL kept)" for name, size in others if name not in recorded]
    if exists:
        connection.run(f"DROP TABLE {record_table(dms_schema)}")
    words = [f"dropped {', '.join(dropped)}" if dropped else "", f"dropped by DMS with the task: {', '.join(gone)}" if gone else "",
             "no slot of the task was recorded (it did not run when it was deleted)" if not recorded else "",
             (f"other inactive logical slots of this database, not known as the task's, left as they are: {', '.join(others)}: "
              "check them (pg_replication_slots), as they keep WAL on the source") if others else ""]
    return "; ".join(w for w in words if w)
