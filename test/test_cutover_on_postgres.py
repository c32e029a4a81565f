"""Validation's part on PostgreSQL, played on the real server (scripts/postgres.sh) as DMS plays it.

Validation: DMS "compares each row in the source with its corresponding row at the target ... AWS DMS
issues appropriate queries to retrieve the data" (CHAP_Validating), and during validation it "creates
a new table at the target endpoint: awsdms_validation_failures_v1" in the control schema (PostgreSQL's
default: public; PostgresReplication sets ControlSchema to the target user's DMS schema). The table's
definition below is the one DMS created on a PostgreSQL target (a dump seen in a public repository,
columns as CHAP_Validating lists them). Logged in as the users PostgresDatabaseUser creates, the tests
do what DMS does with them.
"""
from test_postgres_user_handler import database, denied, source_user, target_user  # noqa: F401 (database is a fixture)

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

