"""Creates a PostgreSQL role with exactly the grants DMS needs, as a CloudFormation custom resource.

Run by the CDK provider framework (which answers CloudFormation), inside the VPC of the database.
It logs in with the master secret, and makes the role of the user secret exist with that secret's
password and the grants DMS documents for its access (DMS guide: CHAP_Source.PostgreSQL,
CHAP_Target.PostgreSQL, CHAP_Tasks.CustomizingTasks.TaskSettings.ControlTable):

- SOURCE (DMS reads, with change data capture): CONNECT on the database, `rds_replication`
  (RDS's role for logical replication slots), USAGE on the schema and SELECT on its tables, now and
  later; nothing that writes the schema's data (any such grant is revoked).
- TARGET (DMS writes): CONNECT and CREATE on the database, USAGE and CREATE on the schema (created
  when missing), and SELECT, INSERT, UPDATE, DELETE, TRUNCATE on its tables, now and later, so that
  DMS loads tables a schema-conversion step created before it.
- Both: USAGE and CREATE on DMS's own schema (DmsSchema, created when missing, owned by the master),
  where DMS creates its heartbeat and DDL artifacts (source) or its control tables (target). Since
  PostgreSQL 15 only a schema's owner may create in `public` unless granted.

"Later" is `ALTER DEFAULT PRIVILEGES` run as the master: it covers the tables the master creates
later, not those another role creates (run an update of the resource after such a step).

Idempotent: an update or a retry converges on the same role and grants. On delete it loses
nothing: a role that owns objects is left, and so is one PostgreSQL will not drop; the response
says what was left. Messages name roles, schemas and secrets, never a password.

Resource properties: MasterSecretArn, UserSecretArn, Database, Schema, DmsSchema, Access (SOURCE or
TARGET), and Host and Port when the database's endpoint is given instead of the master secret's.
With Purpose DmsSlots (and Step), the same login records or sweeps a DMS task's replication slots
instead (slots.py).
"""
import json
import os
import re
import sys
import time

# After the runtime's own packages, so that boto3's dependencies stay the runtime's.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

import pg8000.native  # noqa: E402  (vendored: a pure-Python driver, shipped in the asset)

# PostgreSQL identifiers this handler accepts unquoted-safe: letters, digits, underscores, 63 at most.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
ACCESS = ("SOURCE", "TARGET")
# What DMS does with a target schema's tables (CHAP_Target.PostgreSQL, "Security requirements").
TARGET_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE"
# What a source user must never hold on the data it reads.
WRITE_TABLE_PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
CONNECT_TIMEOUT_SECONDS = 10
# A database that is still starting (an Aurora writer just created, a reboot) refuses connections for a
# while: the handler tries again for up to this long, well within the function's 2 minutes.
CONNECT_WITHIN_SECONDS = 60
CONNECT_RETRY_SECONDS = 5
# What no retry heals: a refused password (28P01), a database or role that does not exist (3D000, 28000).
FINAL_SQLSTATES = {"28P01", "3D000", "28000"}


class UserSetupFailed(Exception):
    """The input or the database does not allow the user to be set up; the message is safe to show."""


def on_event(event, context=None, client=None, connect=None):
    """Provider framework entry point: returns the physical id (and what was left on delete), or raises."""
    props = event["ResourceProperties"]
    request = event["RequestType"]
    access, database, schema = props["Access"], props["Database"], props["Schema"]
    dms_schema = props.get("DmsSchema")
    check_input(access, database, schema, dms_schema)
    client = client or secrets_client()
    given_host = {key.lower(): value for key, value in props.items() if key in ("Host", "Port") and value}
    master_keys = ("username", "password") if "host" in given_host else ("username", "password", "host")
    master = {**secret_json(client, props["MasterSecretArn"], master_keys), **given_host}
    user = secret_json(client, props["UserSecretArn"], ("username", "password"))
    check_identifier("the user secret's username", user["username"])
    physical_id = f"{user['username']}@{database}/{schema}"
    connection = (connect or connect_as)(master, database)
    try:
        if props.get("Purpose") == "DmsSlots":  # the same function records and sweeps a task's slots (slots.py)
            import slots
            return slots.on_event(event, connection, user["username"])
        if request == "Delete":
            if event.get("PhysicalResourceId") != physical_id:  # the secret names another user now: not ours to drop
                return {"PhysicalResourceId": event.get("PhysicalResourceId"),
                        "Data": {"Left": f"{event.get('PhysicalResourceId')}: the user secret now names another user"}}
            return {"PhysicalResourceId": physical_id,
                    "Data": {"Left": remove_user(connection, user["username"], access, database, schema, dms_schema)}}
        ensure_user(connection, user["username"], user["password"], access, database, schema, dms_schema)
        return {"PhysicalResourceId": physical_id}
    finally:
        connection.close()


def check_input(access, database, schema, dms_schema):
    if access not in ACCESS:
        raise UserSetupFailed(f"Access must be one of {', '.join(ACCESS)}, got: {access!r}")
    check_identifier("Database", database)
    check_identifier("Schema", schema)
    if dms_schema is not None:
        check_identifier("DmsSchema", dms_schema)
        if dms_schema == schema:
            raise UserSetupFailed(f"DmsSchema must differ from Schema, got {schema!r} for both: DMS's own tables "
                                  "do not belong among the migrated data")


def check_identifier(what, value):
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise UserSetupFailed(f"{what} must be 1 to 63 letters, digits or underscores, starting with a letter or "
                              f"underscore, got: {value!r}")


def secrets_client():
    import boto3
    from botocore.config import Config
    return boto3.client("secretsmanager", config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}))


def secret_json(client, secret_id, required):
    """The secret's JSON object, failing with the keys it lacks (never a value)."""
    try:
        text = client.get_secret_value(SecretId=secret_id)["SecretString"]
        value = json.loads(text)
    except (KeyError, ValueError):
        raise UserSetupFailed(f"secret {secret_id} is not a JSON object") from None
    except Exception as error:  # botocore's errors: no access, no such secret, no network path
        raise UserSetupFailed(f"secret {secret_id} cannot be read ({type(error).__name__}): give the function "
                              "GetSecretValue on it and a path to Secrets Manager") from None
    missing = [key for key in required if not value.get(key)]
    if not isinstance(value, dict) or missing:
        raise UserSetupFailed(f"secret {secret_id} lacks {', '.join(missing)}")
    return value


def connect_as(master, database, within=CONNECT_WITHIN_SECONDS, sleep=time.sleep, now=time.monotonic):
    """A connection to `database` as the master user, tried again for `within` seconds while the server cannot be reached.

    Encrypted unless the secret says `"ssl": false`, without verifying the server's certificate
    (as DMS's `require`): the RDS certificate authorities are not in the Lambda runtime's store.
    """
    import ssl
    context = None
    if master.get("ssl", True) not in (False, "false"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    deadline = now() + within
    while True:
        try:
            return pg8000.native.Connection(master["username"], password=master["password"], host=master["host"],
                                            port=int(master.get("port", 5432)), database=database, ssl_context=context,
                                            timeout=CONNECT_TIMEOUT_SECONDS)
        except Exception as error:
            code = error.args[0].get("C", "") if error.args and isinstance(error.args[0], dict) else ""
            if code in FINAL_SQLSTATES or now() + CONNECT_RETRY_SECONDS > deadline:
                raise UserSetupFailed(f"cannot log in to {master['host']} as the master user ({type(error).__name__}"
                                      f"{': ' + code if code else ''}; tried for up to {within} s): check the security groups, "
                                      "the master secret and that the database is available") from None
            sleep(CONNECT_RETRY_SECONDS)


def role_exists(connection, name):
    return bool(connection.run("SELECT 1 FROM pg_roles WHERE rolname = :name", name=name))


def ensure_user(connection, username, password, access, database, schema, dms_schema=None):
    """Makes the role exist with `password` and exactly the grants of `access`; returns what it did."""
    user, quoted_schema = pg8000.native.identifier(username), pg8000.native.identifier(schema)
    quoted_database = pg8000.native.identifier(database)
    done = []
    # DDL takes no bind parameters: the password goes in as a quoted literal, never logged.
    if role_exists(connection, username):
        connection.run(f"ALTER ROLE {user} WITH LOGIN PASSWORD {pg8000.native.literal(password)}")
        done.append(f"set the password of {username}")
    else:
        connection.run(f"CREATE ROLE {user} WITH LOGIN PASSWORD {pg8000.native.literal(password)}")
        done.append(f"created {username}")
    schema_exists = bool(connection.run("SELECT 1 FROM pg_namespace WHERE nspname = :schema", schema=schema))
    if access == "SOURCE":
        if not schema_exists:
            raise UserSetupFailed(f"schema {schema} does not exist in {database}: DMS has nothing to read there")
        if not role_exists(connection, "rds_replication"):
            raise UserSetupFailed("role rds_replication does not exist: change data capture needs an RDS or Aurora "
                                  "PostgreSQL source (self-managed PostgreSQL: give the user REPLICATION by hand)")
        connection.run(f"GRANT CONNECT ON DATABASE {quoted_database} TO {user}")
        connection.run(f"REVOKE CREATE ON DATABASE {quoted_database} FROM {user}")
        connection.run(f"GRANT rds_replication TO {user}")
        connection.run(f"GRANT USAGE ON SCHEMA {quoted_schema} TO {user}")
        connection.run(f"REVOKE CREATE ON SCHEMA {quoted_schema} FROM {user}")
        connection.run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quoted_schema} TO {user}")
        connection.run(f"REVOKE {WRITE_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {quoted_schema} FROM {user}")
        connection.run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quoted_schema} GRANT SELECT ON TABLES TO {user}")
        done.append(f"granted rds_replication and SELECT on {schema}")
    else:
        connection.run(f"GRANT CONNECT, CREATE ON DATABASE {quoted_database} TO {user}")
        if not schema_exists:
            connection.run(f"CREATE SCHEMA {quoted_schema}")
            done.append(f"created schema {schema}")
        connection.run(f"GRANT USAGE, CREATE ON SCHEMA {quoted_schema} TO {user}")
        connection.run(f"GRANT {TARGET_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {quoted_schema} TO {user}")
        connection.run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quoted_schema} GRANT {TARGET_TABLE_PRIVILEGES} ON TABLES TO {user}")
        done.append(f"granted CREATE and {TARGET_TABLE_PRIVILEGES} on {schema}")
    if dms_schema is not None:
        quoted_dms_schema = pg8000.native.identifier(dms_schema)
        connection.run(f"CREATE SCHEMA IF NOT EXISTS {quoted_dms_schema}")
        connection.run(f"GRANT USAGE, CREATE ON SCHEMA {quoted_dms_schema} TO {user}")
        done.append(f"granted USAGE and CREATE on DMS's schema {dms_schema}")
    return done


def owned_objects(connection, username):
    """How many relations and schemas of this database the role owns."""
    rows = connection.run(
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
        " + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) FROM pg_roles r WHERE r.rolname = :name",
        name=username)
    return int(rows[0][0]) if rows else 0


def remove_user(connection, username, access, database, schema, dms_schema=None):
    """Drops the role unless that could lose anything; returns what was left, in words."""
    if not role_exists(connection, username):
        return f"nothing: role {username} does not exist"
    owned = owned_objects(connection, username)
    if owned:
        return (f"role {username}, which owns {owned} objects in {database}: reassign or drop them "
                f"(REASSIGN OWNED BY {username} TO ...), then DROP ROLE {username}")
    user = pg8000.native.identifier(username)
    privileges = "SELECT" if access == "SOURCE" else TARGET_TABLE_PRIVILEGES
    try:
        for name in (schema, dms_schema):
            if name is None or not connection.run("SELECT 1 FROM pg_namespace WHERE nspname = :s", s=name):
                continue
            quoted = pg8000.native.identifier(name)
            if name == schema:
                connection.run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quoted} REVOKE {privileges} ON TABLES FROM {user}")
            connection.run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM {user}")
            connection.run(f"REVOKE ALL ON SCHEMA {quoted} FROM {user}")
        connection.run(f"REVOKE ALL ON DATABASE {pg8000.native.identifier(database)} FROM {user}")
        connection.run(f"DROP ROLE {user}")
    except pg8000.native.DatabaseError as error:
        code = error.args[0].get("C", "") if error.args and isinstance(error.args[0], dict) else ""
        return f"role {username}, which PostgreSQL would not drop ({code}): it still holds privileges elsewhere"
    return "nothing: role dropped"
