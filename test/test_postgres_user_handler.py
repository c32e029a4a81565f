"""The database-user handler's SQL, run against a real PostgreSQL server (scripts/postgres.sh starts one,
with wal_level=logical as rds.logical_replication=1 sets it on RDS).

Secrets Manager is a stand-in that serves JSON; everything the handler does in the database is real:
the role, its password, its grants, and then, logged in as each user it creates, what DMS documents
that it does with that user (DMS guide: CHAP_Source.PostgreSQL, CHAP_Target.PostgreSQL,
CHAP_Tasks.CustomizingTasks.TaskSettings.ControlTable): full-load reads, a logical slot with
test_decoding, the heartbeat table, loads into tables that exist and new ones, the control tables.
"""
import importlib.util
import io
import json
import os
import pathlib
import uuid

import pytest

HANDLER_PATH = pathlib.Path(__file__).resolve().parent.parent / "assets" / "postgres-user" / "index.py"
spec = importlib.util.spec_from_file_location("postgres_user", HANDLER_PATH)
handler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handler)
native = handler.pg8000.native

SERVER = {"host": os.environ.get("PGTEST_HOST", "127.0.0.1"), "port": int(os.environ.get("PGTEST_PORT", "5432")),
          "username": os.environ.get("PGTEST_USER", "safe_constructs_test"),
          "password": os.environ.get("PGTEST_PASSWORD", "safe-constructs-test"), "ssl": False}


class Secrets:
    """Serves secrets by ARN, as get_secret_value does."""

    def __init__(self, **secrets):
        self.secrets = secrets

    def get_secret_value(self, SecretId):  # noqa: N803 (boto3's spelling)
        if SecretId not in self.secrets:
            raise RuntimeError("ResourceNotFoundException")
        value = self.secrets[SecretId]
        return {"SecretString": value if isinstance(value, str) else json.dumps(value)}


def connect(user, password, database):
    return native.Connection(user, password=password, host=SERVER["host"], port=SERVER["port"], database=database)


@pytest.fixture
def database():
    """A fresh database (and the rds_replication role RDS has), dropped afterwards with the roles the test made."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = connect(SERVER["username"], SERVER["password"], "postgres")
    admin.run(f"CREATE DATABASE {name}")
    if not admin.run("SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication'"):
        admin.run("CREATE ROLE rds_replication NOLOGIN")
    yield name
    # the roles granted on this database: those its test made (other runs on the server keep theirs)
    roles = [r[0] for r in admin.run(
        "SELECT DISTINCT a.grantee::regrole::text FROM pg_database d, aclexplode(d.datacl) a "
        "WHERE d.datname = :name AND a.grantee::regrole::text LIKE 'dms_%'", name=name)]
    admin.run(f"DROP DATABASE {name} WITH (FORCE)")
    for role in roles:
        admin.run(f"DROP ROLE IF EXISTS {role}")
    admin.close()


def as_master(database):
    return connect(SERVER["username"], SERVER["password"], database)


def event(request, access, database, schema="payments", username=None, password="first-Passw0rd", physical_id=None,
          dms_schema="awsdms"):
    username = username or f"dms_{uuid.uuid4().hex[:8]}"
    secrets = Secrets(master={k: v for k, v in SERVER.items()}, user={"username": username, "password": password})
    body = {"RequestType": request, "ResourceProperties": {
        "MasterSecretArn": "master", "UserSecretArn": "user", "Database": database, "Schema": schema,
        "DmsSchema": dms_schema, "Access": access}}
    if physical_id:
        body["PhysicalResourceId"] = physical_id
    return body, secrets, username


def run(body, secrets):
    return handler.on_event(body, client=secrets)


def test_a_source_user_can_read_the_schema_now_and_later_and_may_replicate(database):
    # GIVEN a schema with a table, owned by the master user
    master = as_master(database)
    master.run("CREATE SCHEMA payments")
    master.run("CREATE TABLE payments.ledger (id int)")
    master.run("INSERT INTO payments.ledger VALUES (1)")
    # WHEN the handler creates the DMS source user
    body, secrets, username = event("Create", "SOURCE", database)
    result = run(body, secrets)
    # THEN the user logs in with its secret's password, reads the tables, and holds rds_replication
    assert result["PhysicalResourceId"] == f"{username}@{database}/payments"
    user = connect(username, "first-Passw0rd", database)
    assert user.run("SELECT id FROM payments.ledger") == [[1]]
    master.run("CREATE TABLE payments.refunds (id int)")  # a table created later
    assert user.run("SELECT count(*) FROM payments.refunds") == [[0]]
    assert master.run("SELECT pg_has_role(:u, 'rds_replication', 'MEMBER')", u=username) == [[True]]
    with pytest.raises(native.DatabaseError):
        user.run("CREATE TABLE payments.nope (id int)")  # read only
    user.close()
    master.close()


def test_a_target_user_gets_its_schema_and_may_create_in_it(database):
    body, secrets, username = event("Create", "TARGET", database, schema="payments_new")
    run(body, secrets)
    user = connect(username, "first-Passw0rd", database)
    user.run("CREATE TABLE payments_new.ledger (id int)")
    user.run("INSERT INTO payments_new.ledger VALUES (7)")
    assert user.run("SELECT id FROM payments_new.ledger") == [[7]]
    user.close()


def test_it_is_idempotent_and_an_update_takes_the_secrets_current_password(database):
    as_master(database).run("CREATE SCHEMA payments")
    body, secrets, username = event("Create", "SOURCE", database)
    run(body, secrets)
    run(body, secrets)  # a retry converges
    secrets.secrets["user"]["password"] = "rotated-Passw0rd"
    update, _, _ = event("Update", "SOURCE", database, username=username)
    run(update, secrets)
    connect(username, "rotated-Passw0rd", database).close()
    with pytest.raises(native.DatabaseError):
        connect(username, "first-Passw0rd", database)


def test_delete_drops_a_user_that_owns_nothing(database):
    as_master(database).run("CREATE SCHEMA payments")
    body, secrets, username = event("Create", "SOURCE", database)
    physical_id = run(body, secrets)["PhysicalResourceId"]
    delete, _, _ = event("Delete", "SOURCE", database, username=username, physical_id=physical_id)
    assert run(delete, secrets)["Data"]["Left"] == "nothing: role dropped"
    assert not as_master(database).run("SELECT 1 FROM pg_roles WHERE rolname = :u", u=username)


def test_delete_leaves_a_user_that_owns_data_and_says_so(database):
    body, secrets, username = event("Create", "TARGET", database)
    physical_id = run(body, secrets)["PhysicalResourceId"]
    user = connect(username, "first-Passw0rd", database)
    user.run("CREATE TABLE payments.ledger (id int)")  # data the migration wrote
    user.close()
    delete, _, _ = event("Delete", "TARGET", database, username=username, physical_id=physical_id)
    left = run(delete, secrets)["Data"]["Left"]
    assert left.startswith(f"role {username}, which owns 1 objects in {database}")
    assert as_master(database).run("SELECT count(*) FROM payments.ledger") == [[0]]  # the table is still there


@pytest.mark.parametrize("change, message", [
    ({"Schema": "pay-ments"}, "Schema must be 1 to 63 letters"),
    ({"Access": "ADMIN"}, "Access must be one of SOURCE, TARGET"),
])
def test_bad_input_fails_with_a_clear_message(database, change, message):
    body, secrets, _ = event("Create", "SOURCE", database)
    body["ResourceProperties"].update(change)
    with pytest.raises(handler.UserSetupFailed, match=message):
        run(body, secrets)


def test_a_master_secret_without_host_and_a_missing_source_schema_fail_clearly(database):
    body, secrets, _ = event("Create", "SOURCE", database)
    secrets.secrets["master"] = {"username": "x", "password": "y"}
    with pytest.raises(handler.UserSetupFailed, match="secret master lacks host"):
        run(body, secrets)
    body, secrets, _ = event("Create", "SOURCE", database, schema="absent")
    with pytest.raises(handler.UserSetupFailed, match="schema absent does not exist"):
        run(body, secrets)


def test_an_unreachable_database_is_tried_again_within_the_stated_bound_then_fails_clearly(database):
    clock = {"now": 0.0, "sleeps": 0}

    def sleep(seconds):
        clock["now"] += seconds
        clock["sleeps"] += 1
    with pytest.raises(handler.UserSetupFailed, match=r"cannot log in to 127.0.0.1 as the master user \(\w+; tried for up to 60 s\)"):
        handler.connect_as({**SERVER, "port": 1}, database, sleep=sleep, now=lambda: clock["now"])
    assert clock["sleeps"] == handler.CONNECT_WITHIN_SECONDS // handler.CONNECT_RETRY_SECONDS


def test_a_database_that_comes_up_during_the_bound_is_used_and_a_wrong_password_is_not_retried(database):
    attempts = []
    real_connection = native.Connection

    def starting(*args, **kwargs):  # the first two attempts meet a server still starting
        attempts.append(1)
        if len(attempts) <= 2:
            raise OSError("connection refused")
        return real_connection(*args, **kwargs)
    native.Connection = starting
    try:
        handler.connect_as(SERVER, database, sleep=lambda s: None).close()
    finally:
        native.Connection = real_connection
    assert len(attempts) == 3
    sleeps = []
    with pytest.raises(handler.UserSetupFailed, match="28P01"):
        handler.connect_as({**SERVER, "password": "wrong"}, database, sleep=sleeps.append)
    assert sleeps == []


# --- DMS's part, played as the users the handler creates --------------------------------------------


def denied(connection, sql, **params):
    """Whether PostgreSQL refuses `sql` to this user for lack of a privilege (SQLSTATE 42501)."""
    try:
        connection.run(sql, **params)
    except native.DatabaseError as error:
        return error.args[0].get("C") == "42501"
    return False


def source_user(database):
    """The payments schema with rows (owned by the master), and the DMS source user the handler makes for it."""
    master = as_master(database)
    master.run("CREATE SCHEMA payments")
    master.run("CREATE TABLE payments.ledger (id int PRIMARY KEY, amount numeric)")
    master.run("INSERT INTO payments.ledger VALUES (1, 10.5), (2, 20)")
    body, secrets, username = event("Create", "SOURCE", database)
    run(body, secrets)
    # Stands in for RDS: there rds_replication (granted by the handler) lets the user manage logical
    # slots; plain PostgreSQL has no such role and needs the REPLICATION attribute instead.
    master.run(f"ALTER ROLE {username} REPLICATION")
    return master, connect(username, "first-Passw0rd", database), username


def test_dms_source_user_reads_every_table_for_the_full_load(database):
    master, user, _ = source_user(database)
    assert user.run("SELECT id, amount::text FROM payments.ledger ORDER BY id") == [[1, "10.5"], [2, "20"]]
    master.run("CREATE TABLE payments.refunds (id int PRIMARY KEY)")  # created by the master after the user
    assert user.run("SELECT count(*) FROM payments.refunds") == [[0]]


def test_dms_source_user_reads_changes_through_a_logical_slot_with_test_decoding(database):
    master, user, _ = source_user(database)
    slot = f"dms_{uuid.uuid4().hex[:8]}"
    user.run("SELECT pg_create_logical_replication_slot(:slot, 'test_decoding')", slot=slot)
    try:
        master.run("INSERT INTO payments.ledger VALUES (3, 30)")
        master.run("UPDATE payments.ledger SET amount = 11 WHERE id = 1")
        changes = [row[0] for row in user.run("SELECT data FROM pg_logical_slot_get_changes(:slot, NULL, NULL)", slot=slot)]
        assert any(c.startswith("table payments.ledger: INSERT: id[integer]:3") for c in changes), changes
        assert any(c.startswith("table payments.ledger: UPDATE: id[integer]:1") for c in changes), changes
    finally:
        user.run("SELECT pg_drop_replication_slot(:slot)", slot=slot)


def test_dms_source_user_writes_its_heartbeat_in_dms_schema_and_nowhere_else(database):
    _, user, _ = source_user(database)
    # What HeartbeatEnable makes DMS do in HeartbeatSchema (here awsdms, which PostgresReplication sets)
    user.run("CREATE TABLE IF NOT EXISTS awsdms.awsdms_heartbeat (hearbeat_id serial PRIMARY KEY, hearbeat_timestamp timestamp)")
    user.run("INSERT INTO awsdms.awsdms_heartbeat (hearbeat_timestamp) VALUES (now())")
    user.run("UPDATE awsdms.awsdms_heartbeat SET hearbeat_timestamp = now()")
    assert user.run("SELECT count(*) FROM awsdms.awsdms_heartbeat") == [[1]]
    # DMS's default HeartbeatSchema, public, is closed to it since PostgreSQL 15: the failure this prevents
    assert denied(user, "CREATE TABLE public.awsdms_heartbeat (id int)")


def test_dms_source_user_cannot_change_the_data_it_reads(database):
    master, user, username = source_user(database)
    for sql in ("INSERT INTO payments.ledger VALUES (9, 9)", "UPDATE payments.ledger SET amount = 0",
                "DELETE FROM payments.ledger", "TRUNCATE payments.ledger", "CREATE TABLE payments.extra (id int)",
                "CREATE SCHEMA elsewhere"):
        assert denied(user, sql), sql
    # a write grant made by hand before an update is taken back: the user converges on read-only
    master.run(f"GRANT INSERT, DELETE ON payments.ledger TO {username}")
    update, secrets, _ = event("Update", "SOURCE", database, username=username)
    run(update, secrets)
    assert denied(user, "INSERT INTO payments.ledger VALUES (9, 9)")
    assert denied(user, "DELETE FROM payments.ledger")


def target_user(database):
    """A target schema a schema-conversion step made as the master, and the DMS target user."""
    master = as_master(database)
    master.run("CREATE SCHEMA payments")
    master.run("CREATE TABLE payments.orders (id int PRIMARY KEY, note text)")
    body, secrets, username = event("Create", "TARGET", database)
    run(body, secrets)
    return master, connect(username, "first-Passw0rd", database), username, (body, secrets)


def test_dms_target_user_loads_tables_that_exist_before_the_load(database):
    master, user, _, _ = target_user(database)
    user.run("TRUNCATE payments.orders")  # TargetTablePrepMode TRUNCATE_BEFORE_LOAD
    user.run("COPY payments.orders FROM STDIN WITH (FORMAT csv)", stream=io.StringIO("1,first\n2,second\n"))  # the full load
    user.run("INSERT INTO payments.orders VALUES (3, 'cdc')")  # then the changes
    user.run("UPDATE payments.orders SET note = 'changed' WHERE id = 1")
    user.run("DELETE FROM payments.orders WHERE id = 2")
    assert master.run("SELECT id, note FROM payments.orders ORDER BY id") == [[1, "changed"], [3, "cdc"]]
    master.run("CREATE TABLE payments.lines (id int PRIMARY KEY)")  # a table the master creates after the user
    user.run("INSERT INTO payments.lines VALUES (1)")


def test_dms_target_user_creates_and_loads_new_tables(database):
    _, user, _, _ = target_user(database)
    user.run("CREATE TABLE payments.customers (id int PRIMARY KEY, name text)")
    user.run("COPY payments.customers FROM STDIN WITH (FORMAT csv)", stream=io.StringIO("1,Ada\n"))
    assert user.run("SELECT name FROM payments.customers") == [["Ada"]]


def test_dms_target_user_creates_its_control_tables_in_dms_schema(database):
    _, user, _, _ = target_user(database)
    # What a full-load-and-cdc task does in ControlSchema (here awsdms, which PostgresReplication sets)
    for table in ("awsdms_apply_exceptions", "awsdms_status", "awsdms_suspended_tables", "awsdms_history"):
        user.run(f"CREATE TABLE awsdms.{table} (task_name varchar(128), status_time timestamp)")
        user.run(f"INSERT INTO awsdms.{table} VALUES ('task', now())")
    # the target's default schema, DMS's default ControlSchema, is closed to it since PostgreSQL 15
    assert denied(user, "CREATE TABLE public.awsdms_apply_exceptions (id int)")


def test_a_table_another_role_creates_later_is_granted_by_an_update(database):
    master, user, username, (body, secrets) = target_user(database)
    # ALTER DEFAULT PRIVILEGES run as the master covers only the master's own later tables
    master.run("CREATE ROLE converter_role_for_test NOLOGIN")
    try:
        master.run("GRANT CREATE, USAGE ON SCHEMA payments TO converter_role_for_test")
        master.run("SET ROLE converter_role_for_test")
        master.run("CREATE TABLE payments.converted (id int)")
        master.run("RESET ROLE")
        assert denied(user, "INSERT INTO payments.converted VALUES (1)")
        body["RequestType"] = "Update"
        run(body, secrets)  # what a redeploy of the resource, or a retry, does
        user.run("INSERT INTO payments.converted VALUES (1)")
    finally:
        master.run("DROP TABLE IF EXISTS payments.converted")
        master.run("REVOKE ALL ON SCHEMA payments FROM converter_role_for_test")
        master.run("DROP ROLE converter_role_for_test")


def test_the_database_host_can_be_given_instead_of_the_master_secrets(database):
    as_master(database).run("CREATE SCHEMA payments")
    body, secrets, username = event("Create", "SOURCE", database)
    # a master secret of another team, never attached: only username and password
    secrets.secrets["master"] = {"username": SERVER["username"], "password": SERVER["password"], "ssl": False}
    body["ResourceProperties"].update(Host=SERVER["host"], Port=str(SERVER["port"]))
    run(body, secrets)
    connect(username, "first-Passw0rd", database).close()


def test_dms_schema_must_not_be_the_migrated_schema(database):
    body, secrets, _ = event("Create", "TARGET", database, dms_schema="payments")
    with pytest.raises(handler.UserSetupFailed, match="DmsSchema must differ from Schema"):
        run(body, secrets)


def test_delete_leaves_dms_schema_tables_and_their_owner(database):
    _, user, username = source_user(database)
    user.run("CREATE TABLE awsdms.awsdms_heartbeat (hearbeat_id serial PRIMARY KEY)")
    user.close()
    delete, secrets, _ = event("Delete", "SOURCE", database, username=username,
                               physical_id=f"{username}@{database}/payments")
    assert run(delete, secrets)["Data"]["Left"].startswith(f"role {username}, which owns")
    assert as_master(database).run("SELECT count(*) FROM awsdms.awsdms_heartbeat") == [[0]]


# --- tables an application role owns, with a master that is no superuser (as on RDS) -----------------
#
# RDS's master user is not a PostgreSQL superuser: it has CREATEROLE and CREATEDB and is a member of
# rds_superuser (AWS: "Understanding the rds_superuser role",
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html).
# The fixture makes that master, owner of the database it logs in to, and an application role that
# owns the schema and its tables, as in real databases.


class RdsLike:
    """A database whose master is no superuser, and whose schema `payments` an application role owns."""

    def __init__(self):
        suffix = uuid.uuid4().hex[:10]
        self.database, self.master, self.app = f"t_{suffix}", f"master_{suffix}", f"app_{suffix}"
        self.password = "master-Passw0rd"

    def as_master(self):
        return connect(self.master, self.password, self.database)

    def as_admin(self):
        """The server's superuser, which plays the application (SET ROLE to its role) and checks what was left."""
        return as_master(self.database)

    def as_application(self, sql):
        admin = self.as_admin()
        admin.run(f"SET ROLE {self.app}")
        admin.run(sql)
        admin.close()

    def event(self, request, access, owners=None, username=None, physical_id=None):
        body, secrets, username = event(request, access, self.database, username=username, physical_id=physical_id)
        secrets.secrets["master"] = {**SERVER, "username": self.master, "password": self.password}
        if owners is not None:
            body["ResourceProperties"]["TableOwners"] = owners
        return body, secrets, username

    def left(self, username):
        """What the setup left behind: the role, DMS's schema, and the master's membership in the application role."""
        admin = self.as_admin()
        role = bool(admin.run("SELECT 1 FROM pg_roles WHERE rolname = :u", u=username))
        dms_schema = bool(admin.run("SELECT 1 FROM pg_namespace WHERE nspname = 'awsdms'"))
        member = admin.run("SELECT pg_has_role(:m, :a, 'MEMBER')", m=self.master, a=self.app)[0][0]
        admin.close()
        return {"role": role, "awsdms": dms_schema, "master in application role": member}


@pytest.fixture
def rds_like():
    db = RdsLike()
    admin = connect(SERVER["username"], SERVER["password"], "postgres")
    for role in ("rds_superuser", "rds_replication"):  # RDS's own roles, shared by every run on the server
        if not admin.run("SELECT 1 FROM pg_roles WHERE rolname = :r", r=role):
            admin.run(f"CREATE ROLE {role} NOLOGIN")
    admin.run("GRANT rds_replication TO rds_superuser WITH ADMIN OPTION")
    admin.run(f"CREATE ROLE {db.master} LOGIN PASSWORD '{db.password}' NOSUPERUSER CREATEROLE CREATEDB INHERIT")
    admin.run(f"GRANT rds_superuser TO {db.master}")
    admin.run(f"CREATE ROLE {db.app} NOLOGIN")
    admin.run(f"CREATE DATABASE {db.database} OWNER {db.master}")
    in_db = db.as_admin()
    in_db.run(f"CREATE SCHEMA payments AUTHORIZATION {db.app}")
    in_db.close()
    db.as_application("CREATE TABLE payments.ledger (id int PRIMARY KEY, amount numeric)")
    db.as_application("INSERT INTO payments.ledger VALUES (1, 10.5), (2, 20)")
    yield db
    users = [r[0] for r in admin.run(
        "SELECT DISTINCT a.grantee::regrole::text FROM pg_database d, aclexplode(d.datacl) a "
        "WHERE d.datname = :name AND a.grantee::regrole::text LIKE 'dms_%'", name=db.database)]
    admin.run(f"DROP DATABASE {db.database} WITH (FORCE)")
    for role in [*users, db.app, db.master]:
        admin.run(f"DROP ROLE IF EXISTS {role}")
    admin.close()


@pytest.mark.parametrize("access", ["SOURCE", "TARGET"])
def test_fails_naming_each_table_and_its_owner_when_table_owners_lacks_it_and_leaves_nothing(rds_like, access):
    body, secrets, username = rds_like.event("Create", access)
    with pytest.raises(handler.UserSetupFailed) as failed:
        run(body, secrets)
    message = str(failed.value)
    assert (f"the master user cannot grant DMS's user access to schema payments (owned by {rds_like.app}), "
            f"table payments.ledger (owned by {rds_like.app})") in message
    assert "nothing was changed: the function's work is one transaction, rolled back" in message
    assert message.endswith(f"fix: add {rds_like.app} to table_owners (tableOwners), so that the function grants as that role, "
                            "now and for the tables it creates later")
    # all or nothing: no role, no DMS schema, no membership
    assert rds_like.left(username) == {"role": False, "awsdms": False, "master in application role": False}


def test_dms_source_user_reads_the_tables_an_application_role_owns_now_and_later(rds_like):
    body, secrets, username = rds_like.event("Create", "SOURCE", owners=[rds_like.app])
    run(body, secrets)
    assert rds_like.left(username) == {"role": True, "awsdms": True, "master in application role": False}
    rds_like.as_admin().run(f"ALTER ROLE {username} REPLICATION")  # stands in for rds_replication, as above
    user = connect(username, "first-Passw0rd", rds_like.database)
    # the full load reads what exists, and what the application creates after the deploy
    assert user.run("SELECT id, amount::text FROM payments.ledger ORDER BY id") == [[1, "10.5"], [2, "20"]]
    rds_like.as_application("CREATE TABLE payments.refunds (id int PRIMARY KEY)")
    rds_like.as_application("INSERT INTO payments.refunds VALUES (7)")
    assert user.run("SELECT id FROM payments.refunds") == [[7]]
    # change data capture through a logical slot, on the application's tables
    slot = f"dms_{uuid.uuid4().hex[:8]}"
    user.run("SELECT pg_create_logical_replication_slot(:slot, 'test_decoding')", slot=slot)
    try:
        rds_like.as_application("INSERT INTO payments.refunds VALUES (8)")
        changes = [row[0] for row in user.run("SELECT data FROM pg_logical_slot_get_changes(:slot, NULL, NULL)", slot=slot)]
        assert any(c.startswith("table payments.refunds: INSERT: id[integer]:8") for c in changes), changes
    finally:
        user.run("SELECT pg_drop_replication_slot(:slot)", slot=slot)
    for sql in ("INSERT INTO payments.ledger VALUES (9, 9)", "DELETE FROM payments.refunds", "TRUNCATE payments.ledger"):
        assert denied(user, sql), sql
    user.close()


def test_dms_target_user_loads_the_tables_an_application_role_owns_now_and_later(rds_like):
    body, secrets, username = rds_like.event("Create", "TARGET", owners=[rds_like.app])
    run(body, secrets)
    rds_like.as_application("CREATE TABLE payments.refunds (id int PRIMARY KEY, amount numeric)")  # after the deploy
    user = connect(username, "first-Passw0rd", rds_like.database)
    for table in ("ledger", "refunds"):
        user.run(f"TRUNCATE payments.{table}")  # TargetTablePrepMode TRUNCATE_BEFORE_LOAD
        user.run(f"COPY payments.{table} FROM STDIN WITH (FORMAT csv)", stream=io.StringIO("1,5\n2,6\n"))
        user.run(f"INSERT INTO payments.{table} VALUES (3, 7)")
        user.run(f"UPDATE payments.{table} SET amount = 4 WHERE id = 1")
        user.run(f"DELETE FROM payments.{table} WHERE id = 2")
        assert user.run(f"SELECT id FROM payments.{table} ORDER BY id") == [[1], [3]]
    user.close()


def test_an_update_and_a_delete_with_table_owners_converge_and_drop_the_user(rds_like):
    body, secrets, username = rds_like.event("Create", "SOURCE", owners=[rds_like.app])
    physical_id = run(body, secrets)["PhysicalResourceId"]
    update, _, _ = rds_like.event("Update", "SOURCE", owners=[rds_like.app], username=username)
    run(update, secrets)
    delete, _, _ = rds_like.event("Delete", "SOURCE", owners=[rds_like.app], username=username, physical_id=physical_id)
    assert run(delete, secrets)["Data"]["Left"] == "nothing: role dropped"
    assert rds_like.left(username) == {"role": False, "awsdms": True, "master in application role": False}
    admin = rds_like.as_admin()
    assert admin.run("SELECT count(*) FROM pg_default_acl WHERE defaclacl::text LIKE :u", u=f"%{username}%") == [[0]]


def test_an_owner_the_master_may_not_join_fails_with_what_to_run_and_leaves_nothing(rds_like):
    # A role the master cannot be granted: on PostgreSQL 15 a superuser role (CREATEROLE cannot grant those);
    # from 16 any role it holds no ADMIN OPTION on (one it did not create)
    admin = connect(SERVER["username"], SERVER["password"], rds_like.database)
    owner = f"sup_{uuid.uuid4().hex[:8]}"
    admin.run(f"CREATE ROLE {owner} NOLOGIN SUPERUSER")
    try:
        body, secrets, username = rds_like.event("Create", "SOURCE", owners=[rds_like.app, owner])
        with pytest.raises(handler.UserSetupFailed) as failed:
            run(body, secrets)
        message = str(failed.value)
        assert message.startswith(f"the master user {rds_like.master} cannot grant on the objects of role {owner} (named in "
                                  f"table_owners (tableOwners)): it is not a member of {owner}, and PostgreSQL refused to make it "
                                  "one (42501: ")
        assert f"fix: as a role with ADMIN OPTION on {owner}" in message and f"run GRANT {owner} TO {rds_like.master}" in message
        assert rds_like.left(username) == {"role": False, "awsdms": False, "master in application role": False}
    finally:
        admin.run(f"DROP ROLE {owner}")
        admin.close()


def test_table_owners_naming_a_role_that_does_not_exist_fails_clearly(rds_like):
    body, secrets, _ = rds_like.event("Create", "TARGET", owners=["app_gone"])
    with pytest.raises(handler.UserSetupFailed, match=r"role app_gone, named in table_owners \(tableOwners\), does not exist"):
        run(body, secrets)
    body["ResourceProperties"]["TableOwners"] = ["app-gone"]
    with pytest.raises(handler.UserSetupFailed, match="TableOwners must be 1 to 63 letters"):
        run(body, secrets)


# --- rds_superuser for a source user that is not the master (DMS guide, CHAP_Source.PostgreSQL) --------


def test_a_source_user_is_made_a_member_of_rds_superuser_when_asked_and_an_update_without_it_revokes_it(rds_like):
    # GIVEN RDS's stand-in roles and a master that is no superuser (the rds_like fixture)
    body, secrets, username = rds_like.event("Create", "SOURCE", owners=[rds_like.app])
    body["ResourceProperties"]["RdsSuperuser"] = "true"  # as CloudFormation passes a boolean
    # WHEN the handler creates the source user with RdsSuperuser
    run(body, secrets)
    # THEN the user is a direct member of rds_superuser and of rds_replication, as the DMS guide asks,
    admin = rds_like.as_admin()
    member = "SELECT pg_has_role(:u, :r, 'MEMBER')"
    assert admin.run(member, u=username, r="rds_superuser") == [[True]]
    assert admin.run(member, u=username, r="rds_replication") == [[True]]
    # and still reads what it is granted and writes nothing it is not
    admin.run(f"ALTER ROLE {username} REPLICATION")  # stands in for rds_replication, as above
    user = connect(username, "first-Passw0rd", rds_like.database)
    assert user.run("SELECT count(*) FROM payments.ledger") == [[2]]
    slot = f"dms_{uuid.uuid4().hex[:8]}"
    user.run("SELECT pg_create_logical_replication_slot(:slot, 'test_decoding')", slot=slot)
    user.run("SELECT pg_drop_replication_slot(:slot)", slot=slot)
    for sql in ("INSERT INTO payments.ledger VALUES (9, 9)", "TRUNCATE payments.ledger"):
        assert denied(user, sql), sql
    user.close()
    admin.run(f"ALTER ROLE {username} NOREPLICATION")  # the stand-in removed: on RDS the master may alter the user
    # WHEN an update no longer asks for it, THEN the membership is revoked (the user converges on the resource)
    update, _, _ = rds_like.event("Update", "SOURCE", owners=[rds_like.app], username=username)
    run(update, secrets)
    assert admin.run(member, u=username, r="rds_superuser") == [[False]]
    assert admin.run(member, u=username, r="rds_replication") == [[True]]
    admin.close()


def test_rds_superuser_for_a_target_user_is_refused(database):
    body, secrets, _ = event("Create", "TARGET", database)
    body["ResourceProperties"]["RdsSuperuser"] = True
    with pytest.raises(handler.UserSetupFailed, match="RdsSuperuser is for a SOURCE user only, got Access: 'TARGET'"):
        run(body, secrets)


@pytest.mark.parametrize("username, message", [
    ("rds_superuser", "a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: 'rds_superuser'"),
    ("rdsadmin", "a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: 'rdsadmin'"),
    ("pg_reader", "a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: 'pg_reader'"),
    (SERVER["username"], f"the user secret's username is the master user's, {SERVER['username']!r}: the function would set the master's"),
])
def test_a_user_secret_naming_a_reserved_role_or_the_master_fails_before_anything_is_changed(database, username, message):
    body, secrets, _ = event("Create", "SOURCE", database, username=username)
    with pytest.raises(handler.UserSetupFailed) as failed:
        run(body, secrets)
    assert message in str(failed.value)
    # nothing changed: the master's password still works, and rds_superuser has no new member
    admin = as_master(database)
    assert admin.run("SELECT count(*) FROM pg_roles WHERE rolname = 'pg_reader'") == [[0]]
    admin.close()
