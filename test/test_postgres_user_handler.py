"""The database-user handler's SQL, run against a real PostgreSQL server (scripts/postgres.sh starts one).

Secrets Manager is a stand-in that serves JSON; everything the handler does in the database is real:
the role, its password, its grants, and what it may then do logged in as itself.
"""
import importlib.util
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
    roles = [r[0] for r in admin.run("SELECT rolname FROM pg_roles WHERE rolname LIKE 'dms_%'")]
    admin.run(f"DROP DATABASE {name} WITH (FORCE)")
    for role in roles:
        admin.run(f"DROP ROLE IF EXISTS {role}")
    admin.close()


def as_master(database):
    return connect(SERVER["username"], SERVER["password"], database)


def event(request, access, database, schema="payments", username=None, password="first-Passw0rd", physical_id=None):
    username = username or f"dms_{uuid.uuid4().hex[:8]}"
    secrets = Secrets(master={k: v for k, v in SERVER.items()}, user={"username": username, "password": password})
    body = {"RequestType": request, "ResourceProperties": {
        "MasterSecretArn": "master", "UserSecretArn": "user", "Database": database, "Schema": schema, "Access": access}}
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


def test_an_unreachable_database_fails_fast_not_in_an_hour(database):
    body, secrets, _ = event("Create", "SOURCE", database)
    secrets.secrets["master"] = {**SERVER, "port": 1}
    with pytest.raises(handler.UserSetupFailed, match="cannot log in to 127.0.0.1 as the master user"):
        run(body, secrets)
