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

"Later" is `ALTER DEFAULT PRIVILEGES`, for the tables the master creates later and, FOR ROLE each
role of TableOwners, for the tables those roles create later.

Tables (and the schema) an application role owns: only their owner, or a role with the owner's
privileges, may grant on them (PostgreSQL: GRANT; ALTER DEFAULT PRIVILEGES "for objects that will be
created by yourself or by roles that you are a member of"). RDS's master is not a superuser and is
not a member of the roles it did not create (rds_superuser:
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html),
and SET ROLE needs a membership too. So for each role of TableOwners the master lacks, the function
grants that role to the master (CREATEROLE may, on PostgreSQL 15 and older for any role that is not a
superuser; from 16 only for roles it holds ADMIN OPTION on, which it has on the roles it created:
PostgreSQL 16 release notes, "Restrict the privileges of CREATEROLE"), grants as that role, and
revokes the membership again before it commits. An object owned by a role the master cannot act for
and TableOwners does not name fails the resource, naming the object, its owner and the prop.

All or nothing: the whole of a create or update runs in one transaction, so a failure leaves no
role, no grant and no membership behind, and says in words what failed, on which object. Idempotent:
an update or a retry converges on the same role and grants. On delete it loses nothing: a role that
owns objects is left, and so is one PostgreSQL will not drop (left as it was, its grants rolled
back in); the response says what was left. Messages name roles, schemas and secrets, never a password.

RdsSuperuser (SOURCE only): the user is made a member of rds_superuser too, which the DMS guide
requires of a source user that is not the master for change data capture ("the account must have the
rds_superuser role and the rds_replication role", CHAP_Source.PostgreSQL); without it an update
revokes that membership, so the user converges on what the resource says.

The user's name must not be the master's (the function would set the master's password) nor a role
PostgreSQL or RDS reserves (public, none, pg_*, rds*): the same rule as the library's synth-time check
(private/usernames.ts), for a user secret whose username only the deploy reads.

Resource properties: MasterSecretArn, UserSecretArn, Database, Schema, DmsSchema, Access (SOURCE or
TARGET), TableOwners (a list of role names, optional), RdsSuperuser (true, optional), and Host and
Port when the database's endpoint is given instead of the master secret's.
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
# Role names PostgreSQL refuses (public, none, pg_*) and the prefix of RDS's own roles (rdsadmin, rds_superuser, ...).
RESERVED_ROLE = re.compile(r"^(public|none|pg_.*|rds.*)$", re.IGNORECASE)
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
# The prop that names the roles owning the schema's tables, as a Python user writes it (and its jsii name).
TABLE_OWNERS_PROP = "table_owners (tableOwners)"
# Relations GRANT ... ON ALL TABLES covers: tables, partitioned tables, views, materialized views, foreign tables.
TABLE_KINDS = ("r", "p", "v", "m", "f")
# How many objects of another owner a message names before "and N more".
NAMED_OBJECTS = 5


class UserSetupFailed(Exception):
    """The input or the database does not allow the user to be set up; the message is safe to show."""


def on_event(event, context=None, client=None, connect=None):
    """Provider framework entry point: returns the physical id (and what was left on delete), or raises."""
    props = event["ResourceProperties"]
    request = event["RequestType"]
    access, database, schema = props["Access"], props["Database"], props["Schema"]
    dms_schema = props.get("DmsSchema")
    owners = list(props.get("TableOwners") or [])
    rds_superuser = str(props.get("RdsSuperuser", "false")).lower() == "true"  # CloudFormation passes booleans as strings
    check_input(access, database, schema, dms_schema, owners)
    if rds_superuser and access != "SOURCE":
        raise UserSetupFailed(f"RdsSuperuser is for a SOURCE user only, got Access: {access!r}")
    client = client or secrets_client()
    given_host = {key.lower(): value for key, value in props.items() if key in ("Host", "Port") and value}
    master_keys = ("username", "password") if "host" in given_host else ("username", "password", "host")
    master = {**secret_json(client, props["MasterSecretArn"], master_keys), **given_host}
    user = secret_json(client, props["UserSecretArn"], ("username", "password"))
    check_username(user["username"], master["username"])
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
                    "Data": {"Left": remove_user(connection, user["username"], access, database, schema, dms_schema, owners)}}
        ensure_user(connection, user["username"], user["password"], access, database, schema, dms_schema, owners, rds_superuser)
        return {"PhysicalResourceId": physical_id}
    finally:
        connection.close()


def check_input(access, database, schema, dms_schema, owners=()):
    if access not in ACCESS:
        raise UserSetupFailed(f"Access must be one of {', '.join(ACCESS)}, got: {access!r}")
    check_identifier("Database", database)
    check_identifier("Schema", schema)
    if dms_schema is not None:
        check_identifier("DmsSchema", dms_schema)
        if dms_schema == schema:
            raise UserSetupFailed(f"DmsSchema must differ from Schema, got {schema!r} for both: DMS's own tables "
                                  "do not belong among the migrated data")
    for owner in owners:
        check_identifier("TableOwners", owner)


def check_identifier(what, value):
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise UserSetupFailed(f"{what} must be 1 to 63 letters, digits or underscores, starting with a letter or "
                              f"underscore, got: {value!r}")


def check_username(username, master_username):
    check_identifier("the user secret's username", username)
    if RESERVED_ROLE.match(username):
        raise UserSetupFailed(f"the user secret's username is a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: "
                              f"{username!r}; fix: give DMS's user another name, such as dms_reader")
    if username.lower() == str(master_username).lower():
        raise UserSetupFailed(f"the user secret's username is the master user's, {username!r}: the function would set the master's "
                              "password and give it DMS's grants; fix: give DMS a user of its own, with a secret of its own")


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


def sqlstate(error):
    """PostgreSQL's SQLSTATE and message of a pg8000 error (its first argument is the server's error fields)."""
    fields = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return fields.get("C", ""), fields.get("M", str(error)), fields.get("D", "")


def in_one_transaction(connection, work):
    """Runs `work()` in one transaction: committed when it returns, rolled back when anything in it fails.

    Every statement the function runs is transactional (CREATE ROLE, GRANT, ALTER DEFAULT PRIVILEGES,
    CREATE SCHEMA), so a failure leaves the database as it was. A PostgreSQL error becomes a
    UserSetupFailed naming the statement's purpose, never a raw pg8000 error.
    """
    connection.run("START TRANSACTION")
    try:
        result = work()
    except BaseException:
        try:
            connection.run("ROLLBACK")
        except Exception:  # the connection broke: the server rolls the transaction back itself
            pass
        raise
    connection.run("COMMIT")
    return result


class Steps:
    """Runs the SQL of one setup, each statement with what it does in words, for the error that ends it."""

    def __init__(self, connection):
        self.connection = connection

    def run(self, sql, doing, **params):
        try:
            return self.connection.run(sql, **params)
        except pg8000.native.DatabaseError as error:
            code, message, detail = sqlstate(error)
            raise UserSetupFailed(f"{doing} failed ({code}: {message}{'; ' + detail if detail else ''}); nothing was "
                                  "changed: the function's work is one transaction, rolled back") from None


def master_can_act_for(steps, owner):
    """Whether the logged-in master has the privileges of `owner` (is it, inherits from it, or is a superuser)."""
    return steps.run("SELECT pg_has_role(current_user, :owner, 'USAGE')", f"checking the master's membership in {owner}",
                     owner=owner)[0][0]


def act_for_owners(steps, owners, schema):
    """Makes the master able to grant as each role of `owners`; returns the memberships granted for this run.

    A membership the master lacks is granted to it and, by the caller, revoked before the commit. A
    refusal (PostgreSQL 16 and later: no ADMIN OPTION on the role) fails with what to run instead.
    """
    granted = []
    master = steps.run("SELECT current_user", "reading the master's name")[0][0]
    for owner in owners:
        if owner == master:
            continue
        if not steps.run("SELECT 1 FROM pg_roles WHERE rolname = :owner", f"looking up role {owner}", owner=owner):
            raise UserSetupFailed(f"role {owner}, named in {TABLE_OWNERS_PROP}, does not exist on the server; fix: name the "
                                  f"roles that own the tables of {schema} (SELECT DISTINCT tableowner FROM pg_tables WHERE "
                                  f"schemaname = '{schema}')")
        if master_can_act_for(steps, owner):
            continue
        try:
            steps.connection.run(f"GRANT {pg8000.native.identifier(owner)} TO {pg8000.native.identifier(master)}")
        except pg8000.native.DatabaseError as error:
            code, message, detail = sqlstate(error)
            raise UserSetupFailed(
                f"the master user {master} cannot grant on the objects of role {owner} (named in {TABLE_OWNERS_PROP}): it is "
                f"not a member of {owner}, and PostgreSQL refused to make it one ({code}: {message}{'; ' + detail if detail else ''}); "
                "nothing was changed: the function's work is one transaction, rolled back; fix: as a role with ADMIN OPTION "
                f"on {owner} (PostgreSQL 16 and later let CREATEROLE grant only those), run GRANT {owner} TO {master} "
                f"WITH ADMIN OPTION, or remove {owner} from {TABLE_OWNERS_PROP} and grant DMS's user by hand") from None
        granted.append((owner, master))
    return granted


def check_owners(steps, schema, owners):
    """Fails, naming them, when the schema or tables of it belong to a role the master cannot act for."""
    rows = steps.run(
        "SELECT 'schema ' || n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = :schema"
        " AND NOT pg_has_role(current_user, n.nspowner, 'USAGE')"
        " UNION ALL SELECT 'table ' || n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = :schema AND c.relkind = ANY(:kinds) AND NOT pg_has_role(current_user, c.relowner, 'USAGE')"
        " ORDER BY 1", f"reading the owners of schema {schema} and its tables", schema=schema, kinds=list(TABLE_KINDS))
    if not rows:
        return
    others = sorted({owner for _, owner in rows})
    named = ", ".join(f"{what} (owned by {owner})" for what, owner in rows[:NAMED_OBJECTS])
    more = f" and {len(rows) - NAMED_OBJECTS} more" if len(rows) > NAMED_OBJECTS else ""
    listed = f"; {TABLE_OWNERS_PROP} names {', '.join(owners)}" if owners else ""
    raise UserSetupFailed(
        f"the master user cannot grant DMS's user access to {named}{more}: only the owner, or a member of it, may grant on "
        f"them{listed}; nothing was changed: the function's work is one transaction, rolled back; fix: add "
        f"{', '.join(others)} to {TABLE_OWNERS_PROP}, so that the function grants as "
        f"{'that role' if len(others) == 1 else 'those roles'}, now and for the tables {'it creates' if len(others) == 1 else 'they create'} later")


def ensure_user(connection, username, password, access, database, schema, dms_schema=None, owners=(), rds_superuser=False):
    """Makes the role exist with `password` and exactly the grants of `access`, in one transaction; returns what it did."""
    return in_one_transaction(connection, lambda: _ensure_user(Steps(connection), username, password, access, database,
                                                               schema, dms_schema, list(owners), rds_superuser))


def _ensure_user(steps, username, password, access, database, schema, dms_schema, owners, rds_superuser=False):
    user, quoted_schema = pg8000.native.identifier(username), pg8000.native.identifier(schema)
    quoted_database = pg8000.native.identifier(database)
    done = []
    # DDL takes no bind parameters: the password goes in as a quoted literal, never logged (nor put in a message).
    if role_exists(steps.connection, username):
        steps.run(f"ALTER ROLE {user} WITH LOGIN PASSWORD {pg8000.native.literal(password)}", f"setting the password of {username}")
        done.append(f"set the password of {username}")
    else:
        steps.run(f"CREATE ROLE {user} WITH LOGIN PASSWORD {pg8000.native.literal(password)}", f"creating role {username}")
        done.append(f"created {username}")
    schema_exists = bool(steps.run("SELECT 1 FROM pg_namespace WHERE nspname = :schema", "looking up the schema", schema=schema))
    if access == "SOURCE":
        if not schema_exists:
            raise UserSetupFailed(f"schema {schema} does not exist in {database}: DMS has nothing to read there")
        for rds_role in ("rds_replication", *(["rds_superuser"] if rds_superuser else [])):
            if not role_exists(steps.connection, rds_role):
                raise UserSetupFailed(f"role {rds_role} does not exist: change data capture needs an RDS or Aurora "
                                      "PostgreSQL source (self-managed PostgreSQL: give the user REPLICATION by hand)")
    memberships = act_for_owners(steps, owners, schema)
    if schema_exists:
        check_owners(steps, schema, owners)
    on_schema, on_tables = f"schema {schema}", f"the tables of schema {schema}"
    if access == "SOURCE":
        steps.run(f"GRANT CONNECT ON DATABASE {quoted_database} TO {user}", f"granting CONNECT on database {database}")
        steps.run(f"REVOKE CREATE ON DATABASE {quoted_database} FROM {user}", f"revoking CREATE on database {database}")
        steps.run(f"GRANT rds_replication TO {user}", "granting rds_replication")
        if rds_superuser:
            steps.run(f"GRANT rds_superuser TO {user}", "granting rds_superuser")
            done.append("granted rds_superuser")
        elif steps.run("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
                       " WHERE r.rolname = 'rds_superuser' AND u.rolname = :u", "reading the user's membership in rds_superuser",
                       u=username):
            steps.run(f"REVOKE rds_superuser FROM {user}", "revoking rds_superuser, which RdsSuperuser no longer asks for")
            done.append("revoked rds_superuser")
        steps.run(f"GRANT USAGE ON SCHEMA {quoted_schema} TO {user}", f"granting USAGE on {on_schema}")
        steps.run(f"REVOKE CREATE ON SCHEMA {quoted_schema} FROM {user}", f"revoking CREATE on {on_schema}")
        steps.run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quoted_schema} TO {user}", f"granting SELECT on {on_tables}")
        steps.run(f"REVOKE {WRITE_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {quoted_schema} FROM {user}",
                  f"revoking writes on {on_tables}")
        later = "SELECT"
        done.append(f"granted rds_replication and SELECT on {schema}")
    else:
        steps.run(f"GRANT CONNECT, CREATE ON DATABASE {quoted_database} TO {user}", f"granting CONNECT, CREATE on database {database}")
        if not schema_exists:
            steps.run(f"CREATE SCHEMA {quoted_schema}", f"creating {on_schema}")
            done.append(f"created schema {schema}")
        steps.run(f"GRANT USAGE, CREATE ON SCHEMA {quoted_schema} TO {user}", f"granting USAGE, CREATE on {on_schema}")
        steps.run(f"GRANT {TARGET_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {quoted_schema} TO {user}",
                  f"granting {TARGET_TABLE_PRIVILEGES} on {on_tables}")
        later = TARGET_TABLE_PRIVILEGES
        done.append(f"granted CREATE and {TARGET_TABLE_PRIVILEGES} on {schema}")
    for creator in [None, *owners]:  # the master's later tables, then each owner's
        for_role = f"FOR ROLE {pg8000.native.identifier(creator)} " if creator else ""
        steps.run(f"ALTER DEFAULT PRIVILEGES {for_role}IN SCHEMA {quoted_schema} GRANT {later} ON TABLES TO {user}",
                  f"granting {later} on the tables {creator or 'the master'} creates later in {on_schema}")
    if owners:
        done.append(f"granted as {', '.join(owners)}, now and later")
    if dms_schema is not None:
        quoted_dms_schema = pg8000.native.identifier(dms_schema)
        steps.run(f"CREATE SCHEMA IF NOT EXISTS {quoted_dms_schema}", f"creating DMS's schema {dms_schema}")
        steps.run(f"GRANT USAGE, CREATE ON SCHEMA {quoted_dms_schema} TO {user}", f"granting USAGE, CREATE on DMS's schema {dms_schema}")
        done.append(f"granted USAGE and CREATE on DMS's schema {dms_schema}")
    end_memberships(steps, memberships)
    return done


def end_memberships(steps, memberships):
    """Revokes the memberships act_for_owners granted, within the same transaction: the master ends as it began."""
    for owner, master in memberships:
        steps.run(f"REVOKE {pg8000.native.identifier(owner)} FROM {pg8000.native.identifier(master)}",
                  f"revoking the master's membership in {owner}, granted for this run")


def owned_objects(connection, username):
    """How many relations and schemas of this database the role owns."""
    rows = connection.run(
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
        " + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) FROM pg_roles r WHERE r.rolname = :name",
        name=username)
    return int(rows[0][0]) if rows else 0


def remove_user(connection, username, access, database, schema, dms_schema=None, owners=()):
    """Drops the role unless that could lose anything, in one transaction; returns what was left, in words."""
    if not role_exists(connection, username):
        return f"nothing: role {username} does not exist"
    owned = owned_objects(connection, username)
    if owned:
        return (f"role {username}, which owns {owned} objects in {database}: reassign or drop them "
                f"(REASSIGN OWNED BY {username} TO ...), then DROP ROLE {username}")
    try:
        in_one_transaction(connection, lambda: _remove_user(Steps(connection), username, access, database, schema,
                                                            dms_schema, list(owners)))
    except UserSetupFailed as error:
        return f"role {username}, as it was (its grants too): {error}"
    return "nothing: role dropped"


def _remove_user(steps, username, access, database, schema, dms_schema, owners):
    user = pg8000.native.identifier(username)
    privileges = "SELECT" if access == "SOURCE" else TARGET_TABLE_PRIVILEGES
    memberships = act_for_owners(steps, owners, schema)
    for name in (schema, dms_schema):
        if name is None or not steps.run("SELECT 1 FROM pg_namespace WHERE nspname = :s", f"looking up schema {name}", s=name):
            continue
        quoted = pg8000.native.identifier(name)
        if name == schema:
            for creator in [None, *owners]:
                for_role = f"FOR ROLE {pg8000.native.identifier(creator)} " if creator else ""
                steps.run(f"ALTER DEFAULT PRIVILEGES {for_role}IN SCHEMA {quoted} REVOKE {privileges} ON TABLES FROM {user}",
                          f"revoking the later grants of {creator or 'the master'} in schema {name}")
        steps.run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM {user}", f"revoking on the tables of schema {name}")
        steps.run(f"REVOKE ALL ON SCHEMA {quoted} FROM {user}", f"revoking on schema {name}")
    steps.run(f"REVOKE ALL ON DATABASE {pg8000.native.identifier(database)} FROM {user}", f"revoking on database {database}")
    steps.run(f"DROP ROLE {user}", f"dropping role {username}, which still holds privileges elsewhere")
    end_memberships(steps, memberships)
