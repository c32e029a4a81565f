"""PostgresReplication: the migration as one construct, its engine, its users and its task."""
import datetime
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import (
    AURORA_POSTGRES, EXTERNAL_ARN, ISOLATED, LOGICAL_REPLICATION, POSTGRES, aurora_migration, logical_id, migration, migration_with_users,
    new_stack, only_resource, private_vpc, statements_of, synth, warnings_of,
)
from safe_constructs import (
    DmsAccess, DmsAccountRolesMode, DmsEndpointType, DmsLobMode, DmsMigrationType, DmsMySqlEngine, DmsTargetTablePrep,
    PostgresDatabaseUser, PostgresReplication, RotatingSecret, SecureDmsMySqlEndpoint, SecureDmsPostgresEndpoint,
)


def test_the_replication_is_private_encrypted_and_lets_out_only_what_it_needs():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template = synth(stack)
    instance = only_resource(template, "AWS::DMS::ReplicationInstance")["Properties"]
    assert instance["PubliclyAccessible"] is False
    group_id = stack.resolve(replication.security_group.security_group_id)
    egress = [r for r in template.to_json()["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupEgress"
              and r["Properties"]["GroupId"] == group_id]
    # the source's and the target's port (attributes of the instances), and 443 to the endpoint; nothing else
    assert len(egress) == 3 and [r["Properties"]["FromPort"] for r in egress].count(443) == 1
    assert all("CidrIp" not in r["Properties"] for r in egress)
    # it reuses the VPC's Secrets Manager endpoint: a second one with private DNS would clash
    assert len(template.find_resources("AWS::EC2::VPCEndpoint")) == 1


def test_the_task_settings_are_explicit_and_lose_nothing_by_default():
    stack = new_stack()
    migration(stack)
    task = only_resource(synth(stack), "AWS::DMS::ReplicationTask")
    settings = json.loads(task["Properties"]["ReplicationTaskSettings"])
    assert settings["TargetMetadata"]["FullLobMode"] is True and settings["TargetMetadata"]["LimitedSizeLobMode"] is False
    assert settings["FullLoadSettings"]["TargetTablePrepMode"] == "DO_NOTHING"
    assert any(d.startswith("TargetDb") for d in task["DependsOn"])  # the task waits for the target database


def test_every_problem_of_the_props_comes_out_at_once():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        migration(stack, schemas=[], lob_mode=DmsLobMode.LIMITED, lob_max_size_kb=102401, allocated_storage=4)
    lines = str(raised.value).split("\n")
    ids = [line.split("]")[0].split(":")[-1] for line in lines if "[safe-constructs:" in line]
    assert ids == ["SchemasInvalid", "LobMaxSizeOutOfRange", "AllocatedStorageOutOfRange"], lines
    # the bound is written once: the message and its fix read it
    assert "lob_max_size_kb (lobMaxSizeKb) must be a whole number from 1 to 102400, got: 102401; fix: give a size in KB " \
           "from 1 to 102400 (100 MB)" in str(raised.value)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:LobMaxSizeUnused\] Test/Replication: lob_max_size_kb "
                                           r"\(lobMaxSizeKb\) is used only with lob_mode \(lobMode\) LIMITED, got lob_mode: FULL"):
        migration(new_stack(), lob_max_size_kb=64)


def test_limited_lob_mode_is_a_choice_with_a_size():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:LobMaxSizeMissing\] Test/Replication: lob_max_size_kb "
                                            r"\(lobMaxSizeKb\) is required with lob_mode \(lobMode\) LIMITED")):
        migration(stack, lob_mode=DmsLobMode.LIMITED)
    stack = new_stack()
    migration(stack, lob_mode=DmsLobMode.LIMITED, lob_max_size_kb=64)
    settings = json.loads(only_resource(synth(stack), "AWS::DMS::ReplicationTask")["Properties"]["ReplicationTaskSettings"])
    assert settings["TargetMetadata"]["LobMaxSize"] == 64


def test_dropping_target_tables_is_a_visible_choice():
    stack = new_stack()
    migration(stack, target_table_prep=DmsTargetTablePrep.DROP_AND_CREATE)
    synth(stack)
    assert any("targetTablesDropped" in w for w in warnings_of(stack))


def test_cdc_from_a_source_without_logical_replication_is_refused():
    stack = new_stack()
    migration(stack, parameters=None)
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:CdcWithoutLogicalReplication\] migration_type \(migrationType\) is full-load-and-cdc, and "
            r"the source database SourceDb\w+ has no parameter group that sets rds.logical_replication to 1")):
        synth(stack)
    stack = new_stack()
    migration(stack, parameters=None, migration_type=DmsMigrationType.FULL_LOAD)  # a full load needs none
    synth(stack)


@pytest.mark.parametrize("mode, roles", [(DmsAccountRolesMode.EXISTING, 0), (DmsAccountRolesMode.CREATE, 2)])
def test_the_account_roles_are_used_as_they_are_unless_asked_to_create_them(mode, roles):
    stack = new_stack()
    migration(stack, account_roles=mode)
    template = synth(stack)
    names = [r["Properties"].get("RoleName") for r in template.find_resources("AWS::IAM::Role").values()]
    assert len([n for n in names if n in ("dms-vpc-role", "dms-cloudwatch-logs-role")]) == roles


def test_a_replication_in_a_vpc_without_an_endpoint_adds_one_it_alone_may_use():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    source_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "SourceSecret", EXTERNAL_ARN)
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret", EXTERNAL_ARN.replace("master", "t"))
    source_db = rds.DatabaseInstance(stack, "SourceDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    target_db = rds.DatabaseInstance(stack, "TargetDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=source_db,
        target_database=target_db, migration_type=DmsMigrationType.FULL_LOAD, schemas=["payments"],
        source=SecureDmsPostgresEndpoint(stack, "Source", secret=source_secret, endpoint_type=DmsEndpointType.SOURCE,
                                         database_name="payments"),
        target=SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                         database_name="payments"))
    template = synth(stack)  # the replication instance reaches Secrets Manager: the network check passes
    [endpoint] = template.find_resources("AWS::EC2::VPCEndpoint").values()
    assert endpoint["Properties"]["ServiceName"].endswith(".secretsmanager")


def settings_of(template):
    return json.loads(only_resource(template, "AWS::DMS::ReplicationTask")["Properties"]["ReplicationTaskSettings"])


def test_the_engine_is_pinned_to_a_version_dms_documents_for_postgres_17():
    stack = new_stack()
    migration(stack)
    instance = only_resource(synth(stack), "AWS::DMS::ReplicationInstance")["Properties"]
    assert instance["EngineVersion"] == "3.6.1" and instance["AutoMinorVersionUpgrade"] is True


# The date after which DMS creates no new instance with a version. 3.6.1: "TBD" in the English release
# notes (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html), 2027-04-30 in the
# Chinese copy (https://docs.amazonaws.cn/dms/latest/userguide/CHAP_ReleaseNotes.md): the earlier, the
# safe side. An older revision's 15 September 2026 (default engine 3.5.3) was moved later by every later copy.
NO_NEW_INSTANCE_AFTER = {"3.6.1": datetime.date(2027, 4, 30)}


def test_the_default_engine_is_one_dms_still_creates_instances_with():
    stack = new_stack()
    migration(stack)
    version = only_resource(synth(stack), "AWS::DMS::ReplicationInstance")["Properties"]["EngineVersion"]
    assert datetime.date.today() <= NO_NEW_INSTANCE_AFTER[version], (
        f"DMS creates no new instance with {version} after {NO_NEW_INSTANCE_AFTER[version]}: move the default "
        "engine_version to a version the release notes still allow and the PostgreSQL source page names for 17")


def test_an_engine_older_than_the_databases_need_is_refused_naming_both():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:EngineVersionTooOld\] Test/Replication: engine_version \(engineVersion\) is 3.5.4, and the "
            r"source database is PostgreSQL 17, which needs DMS 3.6.1 or later; fix: give engine_version \"3.6.1\" or later")):
        migration(stack, engine_version="3.5.4")
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:EngineVersionInvalid\] .*got: \"3.6\"; fix"):
        migration(stack, engine_version="3.6")
    stack = new_stack()
    migration(stack, engine_version="3.6.2", auto_minor_version_upgrade=False, preferred_maintenance_window="sun:02:00-sun:02:30")
    instance = only_resource(synth(stack), "AWS::DMS::ReplicationInstance")["Properties"]
    assert (instance["EngineVersion"], instance["AutoMinorVersionUpgrade"]) == ("3.6.2", False)
    assert instance["PreferredMaintenanceWindow"] == "sun:02:00-sun:02:30"


def test_databases_whose_major_cannot_be_read_leave_a_warning_naming_what_17_needs():
    stack = new_stack()
    vpc = private_vpc(stack)
    imported = [rds.DatabaseInstance.from_database_instance_attributes(stack, name, instance_identifier=name.lower(),
        instance_endpoint_address=f"{name.lower()}.example.com", port=5432, security_groups=[]) for name in ("Old", "New")]
    secrets = [secretsmanager.Secret.from_secret_complete_arn(stack, f"S{i}", EXTERNAL_ARN.replace("master", f"m{i}"))
               for i in range(2)]
    PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=imported[0],
        target_database=imported[1], migration_type=DmsMigrationType.FULL_LOAD_AND_CDC, schemas=["payments"],
        source=SecureDmsPostgresEndpoint(stack, "Source", secret=secrets[0], endpoint_type=DmsEndpointType.SOURCE, database_name="p"),
        target=SecureDmsPostgresEndpoint(stack, "Target", secret=secrets[1], endpoint_type=DmsEndpointType.TARGET, database_name="p"))
    synth(stack)
    warnings = warnings_of(stack)
    assert any("dmsEngineUnchecked" in w and "the PostgreSQL major of the source and the target database cannot be read" in w
               and "PostgreSQL 17 needs DMS 3.6.1 or later" in w for w in warnings), warnings
    # CDC from a source outside the app: its parameter group cannot be read, and the warning says what to check
    assert any("cdcSourceUndecided" in w and "rds.logical_replication to 1" in w for w in warnings), warnings


def test_values_dms_checks_only_after_the_slow_resources_exist_are_refused_together():
    stack = new_stack()
    one_zone = ec2.Vpc(stack, "OneZone", max_azs=1, nat_gateways=0)
    one_zone.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    with pytest.raises(RuntimeError) as raised:
        migration(stack, vpc=one_zone, replication_instance_class="t3.medium", allocated_storage=2)
    message = str(raised.value)
    assert ('[safe-constructs:ReplicationInstanceClassInvalid] Test/Replication: replication_instance_class '
            '(replicationInstanceClass) is not a DMS instance class, got: "t3.medium"; fix: name a class with its dms. prefix') in message
    assert ('[safe-constructs:AllocatedStorageOutOfRange] Test/Replication: allocated_storage (allocatedStorage) must be a '
            'whole number from 5 to 30000, got: 2') in message
    # the zone's name is CDK's placeholder here (no context lookup ran)
    assert ('[safe-constructs:SubnetsInOneZone] Test/Replication: vpc_subnets (vpcSubnets) select subnets in 1 Availability '
            'Zone(s) (dummy1a), and a DMS replication subnet group needs two at least') in message


def test_an_endpoint_in_the_wrong_place_or_twice_is_refused():
    stack = new_stack()
    vpc = private_vpc(stack)
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "S", EXTERNAL_ARN)
    backwards = SecureDmsPostgresEndpoint(stack, "Backwards", secret=secret, endpoint_type=DmsEndpointType.TARGET, database_name="p")
    with pytest.raises(RuntimeError) as raised:
        migration(stack, vpc=vpc, source=backwards, target=backwards)
    message = str(raised.value)
    assert ("[safe-constructs:EndpointTypeMismatch] Test/Replication: source is an endpoint of type TARGET (Test/Backwards), "
            "and DMS needs a SOURCE endpoint there; fix: build it with endpoint_type=DmsEndpointType.SOURCE") in message
    assert "[safe-constructs:SameEndpointTwice] Test/Replication: target is the source endpoint (Test/Backwards) too" in message


def test_the_task_waits_for_its_users_and_dms_tables_go_where_they_may_create():
    stack = new_stack()
    _, (reader, writer) = migration_with_users(stack)
    template = synth(stack)
    task = only_resource(template, "AWS::DMS::ReplicationTask")
    for user in (reader, writer):  # found by their secrets: no depends_on needed
        assert stack.get_logical_id(user.resource.node.default_child) in task["DependsOn"]
    assert settings_of(template)["ControlTablesSettings"] == {"ControlSchema": "awsdms"}
    endpoints = {e["Properties"]["EndpointType"]: e["Properties"]["PostgreSqlSettings"]
                 for e in template.find_resources("AWS::DMS::Endpoint").values()}
    # the heartbeat in the source user's schema, and no DDL capture (nothing to capture into)
    assert endpoints["source"]["HeartbeatSchema"] == "awsdms" and endpoints["source"]["CaptureDdls"] is False
    assert "CaptureDdls" not in endpoints["target"] and "HeartbeatSchema" not in endpoints["target"]


def test_ddl_capture_turned_on_goes_to_the_users_schema_and_says_what_the_master_must_create():
    stack = new_stack()
    migration_with_users(stack, cdc_settings={"capture_ddls": True})
    template = synth(stack)
    [source] = [e for e in template.find_resources("AWS::DMS::Endpoint").values() if e["Properties"]["EndpointType"] == "source"]
    assert source["Properties"]["PostgreSqlSettings"]["DdlArtifactsSchema"] == "awsdms"
    assert any("ddlCaptureNeedsArtifacts" in w and "awsdms_intercept_ddl" in w for w in warnings_of(stack))


def test_a_dms_user_nobody_creates_is_refused_at_synth():
    stack = new_stack()
    vpc = private_vpc(stack)
    source_db = rds.DatabaseInstance(stack, "SourceDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    target_db = rds.DatabaseInstance(stack, "TargetDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    secret = RotatingSecret(stack, "ReaderSecret", username="dms_reader",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    secret.attach(source_db)
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret", EXTERNAL_ARN)
    PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=source_db,
        target_database=target_db, migration_type=DmsMigrationType.FULL_LOAD, schemas=["payments"],
        source=SecureDmsPostgresEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE, database_name="p"),
        target=SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET, database_name="p"))
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:DmsUserNotCreated\] the source endpoint's secret \(Test/ReaderSecret\) is created by this app for "
            r"a user that nothing creates, so DMS and the first rotation fail to log in; fix: add PostgresDatabaseUser\(\.\.\., "
            r"user_secret=<that secret>, access=DmsAccess.SOURCE\)")):
        synth(stack)


def test_a_user_with_the_other_access_is_refused_at_synth():
    stack = new_stack()
    migration_with_users(stack, target_access=DmsAccess.SOURCE)
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:DmsUserAccessMismatch\] the target endpoint logs in as Test/TargetUser, a user with SOURCE "
            r"access, and DMS needs TARGET access there")):
        synth(stack)


def test_dms_tables_where_the_user_may_not_create_are_refused_at_synth():
    stack = new_stack()
    migration_with_users(stack, cdc_settings={"heartbeat_enable": True, "heartbeat_schema": "public"},
                         task_settings={"ControlTablesSettings": {"ControlSchema": "public"}})
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    message = str(raised.value)
    assert ("[safe-constructs:HeartbeatSchemaNotWritable] the source endpoint's heartbeat_schema (heartbeatSchema) is \"public\", "
            "and its user Test/SourceUser may create only in \"awsdms\"") in message
    assert ("[safe-constructs:ControlSchemaNotWritable] task_settings (taskSettings) sets ControlTablesSettings.ControlSchema to "
            "\"public\", and the target user Test/TargetUser may create only in \"awsdms\"") in message


def test_task_settings_extend_and_override_key_by_key():
    stack = new_stack()
    migration(stack, task_settings={"Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]},
                                    "FullLoadSettings": {"MaxFullLoadSubTasks": 4}})
    settings = settings_of(synth(stack))
    assert settings["Logging"] == {"EnableLogging": True,
                                   "LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]}
    assert settings["FullLoadSettings"] == {"TargetTablePrepMode": "DO_NOTHING", "MaxFullLoadSubTasks": 4}
    assert settings["TargetMetadata"]["FullLobMode"] is True  # untouched keys stay the construct's




def test_an_aurora_source_gets_its_user_once_the_writer_exists_and_its_engine_checked():
    stack = new_stack()
    cluster, user = aurora_migration(stack)
    template = synth(stack)
    resource = template.to_json()["Resources"][stack.get_logical_id(user.resource.node.default_child)]
    writer = stack.get_logical_id(cluster.node.find_child("Writer").node.default_child)
    assert writer in resource["DependsOn"]  # the cluster alone accepts no connection
    assert only_resource(template, "AWS::DMS::ReplicationInstance")["Properties"]["EngineVersion"] == "3.6.1"


def test_an_aurora_target_gets_a_writing_user_on_its_writer_and_dms_control_tables_in_its_schema():
    # GIVEN an RDS PostgreSQL source migrated into an Aurora PostgreSQL cluster, DMS writing as its own user
    stack = new_stack()
    vpc = private_vpc(stack)
    rotation = lambda: secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)  # noqa: E731
    params = rds.ParameterGroup(stack, "Params", engine=POSTGRES, parameters=LOGICAL_REPLICATION)
    source_master = RotatingSecret(stack, "SourceMaster", username="postgres", hosted_rotation=rotation())
    source_db = rds.DatabaseInstance(stack, "SourceDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                                     parameter_group=params, credentials=rds.Credentials.from_secret(source_master))
    cluster_master = RotatingSecret(stack, "ClusterMaster", username="postgres", hosted_rotation=rotation())
    cluster = rds.DatabaseCluster(stack, "Cluster", engine=AURORA_POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
        credentials=rds.Credentials.from_secret(cluster_master),
        writer=rds.ClusterInstance.provisioned("Writer", instance_type=ec2.InstanceType("r6g.large")))
    writer_secret = RotatingSecret(stack, "WriterSecret", username="dms_writer", hosted_rotation=rotation())
    writer_secret.attach(cluster)
    user = PostgresDatabaseUser(stack, "Writer", master_secret=cluster_master, user_secret=writer_secret, database_name="payments",
                                schema_name="payments", access=DmsAccess.TARGET, vpc=vpc, vpc_subnets=ISOLATED, database=cluster)
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=writer_secret, endpoint_type=DmsEndpointType.TARGET,
                                       database_name="payments")
    replication = PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=source_db,
        target_database=cluster, migration_type=DmsMigrationType.FULL_LOAD, schemas=["payments"], target=target,
        source=SecureDmsPostgresEndpoint(stack, "Source", secret=source_master, endpoint_type=DmsEndpointType.SOURCE,
                                         database_name="payments"))
    # WHEN synthesized
    template = synth(stack)
    resources = template.to_json()["Resources"]
    # THEN the user is made once the writer accepts connections, and the task waits for it
    writer = stack.get_logical_id(cluster.node.find_child("Writer").node.default_child)
    assert writer in resources[stack.get_logical_id(user.resource.node.default_child)]["DependsOn"]
    task = resources[stack.get_logical_id(replication.task)]
    assert stack.get_logical_id(user.resource.node.default_child) in task["DependsOn"]
    # DMS's control tables go where the writing user may create, and the target endpoint reads the attached secret
    assert json.loads(task["Properties"]["ReplicationTaskSettings"])["ControlTablesSettings"]["ControlSchema"] == "awsdms"
    assert replication.user_of(target).node.path == user.node.path


def test_cdc_from_an_aurora_cluster_without_logical_replication_is_refused():
    stack = new_stack()
    aurora_migration(stack, cluster_parameters=None)
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:CdcWithoutLogicalReplication\] migration_type \(migrationType\) is "
                                            r"full-load-and-cdc, and the source database Cluster\w+ has no parameter group")):
        synth(stack)


# The MySQL family (issue #36): PostgresReplication's checks and settings are PostgreSQL's, so it refuses
# MySQL-family endpoints and databases with the reason, rather than half-checking them.

def test_fails_with_a_mysql_family_endpoint_which_python_refuses_by_its_type():
    stack = new_stack()
    orders = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    mysql = SecureDmsMySqlEndpoint(stack, "OrdersEndpoint", secret=orders, endpoint_type=DmsEndpointType.SOURCE,
                                   engine=DmsMySqlEngine.MYSQL, certificate_arn="arn:aws:dms:eu-west-1:123456789012:cert:ABC")
    # jsii's check, before the constructor runs: it names the argument, the type it takes and the one given
    with pytest.raises(TypeError, match=(r"^type of argument source must be safe_constructs.SecureDmsPostgresEndpoint; "
                                         r"got safe_constructs.SecureDmsMySqlEndpoint instead$")):
        migration(stack, source=mysql)


@pytest.mark.parametrize("prop, engine, shown", [
    ("source_database", rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_0), "mysql"),
    ("target_database", rds.DatabaseInstanceEngine.maria_db(version=rds.MariaDbEngineVersion.VER_10_11), "mariadb"),
])
def test_fails_with_a_database_of_another_engine(prop, engine, shown):
    stack = new_stack()
    vpc = private_vpc(stack)
    database = rds.DatabaseInstance(stack, "Orders", engine=engine, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    jsii_name = {"source_database": "sourceDatabase", "target_database": "targetDatabase"}[prop]
    with pytest.raises(RuntimeError, match=(
            rf'^\[safe-constructs:DatabaseNotPostgres\] Test/Replication: {prop} \({jsii_name}\) is a database of engine "{shown}", '
            r"and PostgresReplication replicates PostgreSQL into PostgreSQL; fix: give the PostgreSQL database its endpoint "
            r"connects to; for a MySQL-family migration use SecureDmsMySqlEndpoint with aws_dms.CfnReplicationInstance and "
            r"CfnReplicationTask, gated by DmsConnectionGate$")):
        migration(stack, vpc=vpc, **{prop: database})


# Issue #32: the task and its users held to each other, task settings DMS documents, one Secrets Manager
# endpoint per VPC, logical replication where Aurora reads it, and migrations split across stacks.

def test_fails_when_the_task_migrates_a_schema_its_users_are_not_granted_on():
    # GIVEN users granted on "sales", and a task that migrates "public"
    stack = new_stack()
    migration_with_users(stack, schemas=["public"], source_user={"schema_name": "sales"}, target_user={"schema_name": "sales"})
    # THEN the synth refuses both sides: the source cannot read it, the target user is not granted where DMS writes
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    message = str(raised.value)
    assert ('[safe-constructs:DmsUserSchemaMismatch] schemas selects "public", and the source endpoint logs in as Test/SourceUser, '
            'which is granted only on schema "sales" (its schema_name), so DMS cannot read it; fix: migrate the user\'s schema '
            '(schemas=["sales"]), or give the user schema_name="public"') in message
    assert ('[safe-constructs:DmsUserSchemaMismatch] DMS writes the target schema "public" (the name of the source schema, as '
            'task_settings sets no TargetMetadata.TargetSchema), and the target endpoint logs in as Test/TargetUser, which is '
            'granted only on schema "sales" (its schema_name); fix: give the target user schema_name="public", or write into its '
            'schema: task_settings={"TargetMetadata": {"TargetSchema": "sales"}}') in message


def test_a_schema_pattern_or_a_target_schema_that_the_users_hold_is_accepted():
    stack = new_stack()
    migration_with_users(stack, schemas=["pay%"], target_user={"schema_name": "ledger"},
                         task_settings={"TargetMetadata": {"TargetSchema": "ledger"}})
    synth(stack)
    stack = new_stack()
    migration_with_users(stack, target_user={"schema_name": "ledger"}, task_settings={"TargetMetadata": {"TargetSchema": "archive"}})
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:DmsUserSchemaMismatch\] DMS writes the target schema \"archive\" "
                                            r"\(task_settings \(taskSettings\) sets TargetMetadata.TargetSchema to it\)")):
        synth(stack)


def test_fails_when_an_endpoint_names_another_database_than_its_user_was_made_in():
    stack = new_stack()
    migration_with_users(stack, source_user={"database_name": "orders"})
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:DmsUserDatabaseMismatch\] the source endpoint's database_name \(databaseName\) is \"payments\", "
            r"and its user Test/SourceUser was created and granted in database \"orders\", so DMS would read a database where the "
            r"user has no grants; fix: give the endpoint database_name=\"orders\", or the user database_name=\"payments\"")):
        synth(stack)


def test_a_user_made_outside_the_app_leaves_a_warning_saying_what_to_check():
    stack = new_stack()
    migration(stack)  # the target logs in with an imported secret
    synth(stack)
    assert any("dmsUserUnchecked" in w and 'the target endpoint logs in with a secret made outside this app' in w
               and 'may write "payments" in database "payments"' in w for w in warnings_of(stack)), warnings_of(stack)


def test_fails_with_task_settings_dms_does_not_have_all_at_once():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        migration(stack, task_settings={"ValidationSetings": {"EnableValidation": True}, "EnableValidation": True,
                                        "ValidationSettings": {"EnableValidation": "yes", "ThreadCount": 2.5},
                                        "Logging": {"CloudWatchLogGroup": "my-group"}, "Colour": "blue"})
    message = str(raised.value)
    assert ('[safe-constructs:TaskSettingsKeyUnknown] Test/Replication: task_settings (taskSettings) has the top-level key '
            '"ValidationSetings", which DMS\'s task settings do not have (https://docs.aws.amazon.com/dms/latest/userguide/'
            'CHAP_Tasks.CustomizingTasks.TaskSettings.html): DMS would ignore it or refuse the task; fix: write "ValidationSettings"'
            ) in message
    assert 'key "EnableValidation", which DMS\'s task settings do not have' in message
    assert 'fix: put "EnableValidation" inside "ValidationSettings": {"ValidationSettings": {"EnableValidation": ...}}' in message
    assert 'key "Colour", which' in message and "fix: use the top-level keys DMS documents: TargetMetadata, FullLoadSettings" in message
    assert ('[safe-constructs:TaskSettingsTypeWrong] Test/Replication: task_settings (taskSettings) sets '
            'ValidationSettings.EnableValidation to "yes" (a string), and DMS takes true or false there') in message
    assert 'fix: give ValidationSettings.EnableValidation true or false (True or False in Python), not a string' in message
    assert 'sets ValidationSettings.ThreadCount to 2.5 (a fractional number), and DMS takes a whole number there' in message
    assert ('[safe-constructs:TaskSettingsRefusedOnCreate] Test/Replication: task_settings (taskSettings) sets '
            'Logging.CloudWatchLogGroup, which DMS sets it, and refuses a task created with it') in message


def test_task_settings_the_guide_may_lag_behind_are_warned_about():
    stack = new_stack()
    migration(stack, task_settings={"ValidationSettings": {"EnableValidaton": True},
                                    "ErrorBehavior": {"DataErrorPolicy": "IGNORE"},
                                    "Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_LOUD"}]}})
    synth(stack)
    warnings = [w for w in warnings_of(stack) if "taskSettingsUndocumented" in w]
    assert any("sets ValidationSettings.EnableValidaton, a key DMS's guide does not document" in w
               and 'did you mean "EnableValidation"?' in w for w in warnings), warnings
    assert any('sets ErrorBehavior.DataErrorPolicy to "IGNORE", which DMS\'s guide does not name' in w for w in warnings), warnings
    assert any('sets Logging.LogComponents[0].Severity to "LOGGER_SEVERITY_LOUD"' in w for w in warnings), warnings


def unendpointed_migration(stack, vpc, prefix="", **overrides):
    """A FULL_LOAD replication of two imported databases with imported secrets, each construct named with `prefix`."""
    databases = [rds.DatabaseInstance.from_database_instance_attributes(stack, f"{prefix}{name}", instance_identifier=f"{prefix}{name}".lower(),
        instance_endpoint_address=f"{prefix}{name}.example.com".lower(), port=5432,
        security_groups=[ec2.SecurityGroup(stack, f"{prefix}{name}Group", vpc=vpc)]) for name in ("Old", "New")]
    secrets = [secretsmanager.Secret.from_secret_complete_arn(stack, f"{prefix}S{i}", EXTERNAL_ARN.replace("master", f"{prefix}m{i}"))
               for i in range(2)]
    return PostgresReplication(stack, f"{prefix}Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=databases[0],
        target_database=databases[1], migration_type=DmsMigrationType.FULL_LOAD, schemas=["payments"],
        source=SecureDmsPostgresEndpoint(stack, f"{prefix}Source", secret=secrets[0], endpoint_type=DmsEndpointType.SOURCE,
                                         database_name="payments"),
        target=SecureDmsPostgresEndpoint(stack, f"{prefix}Target", secret=secrets[1], endpoint_type=DmsEndpointType.TARGET,
                                         database_name="payments"), **overrides)


def egress_443(template, replication, stack):
    """The replication's egress rules on 443: separate ones, and those inline in its group (to a CIDR)."""
    group = stack.resolve(replication.security_group.security_group_id)
    inline = template.to_json()["Resources"][group["Fn::GetAtt"][0]]["Properties"].get("SecurityGroupEgress", [])
    separate = [r["Properties"] for r in template.find_resources("AWS::EC2::SecurityGroupEgress").values() if r["Properties"]["GroupId"] == group]
    return [r for r in inline + separate if r.get("FromPort") == 443]


def test_two_replications_in_one_vpc_share_one_secrets_manager_endpoint():
    # GIVEN a VPC of the app without a Secrets Manager endpoint, and two replications in it
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    first = unendpointed_migration(stack, vpc, "Payments")
    second = unendpointed_migration(stack, vpc, "Ledger")
    # THEN the first creates the endpoint, and the second uses it: a second with private DNS would fail to deploy
    template = synth(stack)
    [(endpoint_id, _)] = template.find_resources("AWS::EC2::VPCEndpoint").items()
    assert endpoint_id.startswith("PaymentsReplicationSecretsManagerEndpoint")
    for replication in (first, second):
        [rule] = egress_443(template, replication, stack)
        assert rule["DestinationSecurityGroupId"]["Fn::GetAtt"][0].startswith("PaymentsReplicationSecretsManagerEndpointSecurityGroup")


def test_fails_when_the_vpc_gets_its_own_secrets_manager_endpoint_after_the_replication_made_one():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    unendpointed_migration(stack, vpc)
    vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:SecretsManagerEndpointTwice\] the VPC Test/Vpc has 2 Secrets Manager interface endpoints with "
            r"private DNS in this app \(Test/Vpc/SecretsManager, Test/Replication/SecretsManagerEndpoint\), and a second Secrets "
            r"Manager interface endpoint with private DNS in one VPC fails to deploy .*; fix: keep one: create the VPC's endpoint "
            r"before the constructs that need it \(they reuse it\), or pass it to them as secrets_manager_endpoint")):
        synth(stack)


def imported_vpc(stack, cidr="10.0.0.0/16"):
    return ec2.Vpc.from_vpc_attributes(stack, "Imported", vpc_id="vpc-0123456789abcdef0", availability_zones=["eu-west-1a", "eu-west-1b"],
        isolated_subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"], vpc_cidr_block=cidr)


def test_an_imported_vpc_gets_no_secrets_manager_endpoint_unless_asked():
    # GIVEN an imported VPC, which may have an endpoint already
    stack = new_stack()
    replication = unendpointed_migration(stack, imported_vpc(stack))
    template = synth(stack)
    # THEN none is created, 443 goes to the VPC's CIDR, and a warning says what to check
    assert template.find_resources("AWS::EC2::VPCEndpoint") == {}
    assert [r["CidrIp"] for r in egress_443(template, replication, stack)] == ["10.0.0.0/16"]
    assert any("secretsManagerEndpointNotCreated" in w and "vpc is imported" in w and "pass it as secrets_manager_endpoint" in w
               and "set create_secrets_manager_endpoint=True" in w for w in warnings_of(stack)), warnings_of(stack)
    # WHEN told to create one, it does
    stack = new_stack()
    unendpointed_migration(stack, imported_vpc(stack), create_secrets_manager_endpoint=True)
    assert len(synth(stack).find_resources("AWS::EC2::VPCEndpoint")) == 1


def test_fails_with_an_endpoint_given_and_one_to_create():
    stack = new_stack()
    vpc = imported_vpc(stack)
    given = ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes(stack, "Given", port=443,
        vpc_endpoint_id="vpce-0123456789abcdef0", security_groups=[ec2.SecurityGroup.from_security_group_id(stack, "G", "sg-0123456789abcdef0")])
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:SecretsManagerEndpointConflict\] Test/Replication: create_secrets_manager_endpoint "
            r"\(createSecretsManagerEndpoint\) is false while secrets_manager_endpoint \(secretsManagerEndpoint\) is given")):
        unendpointed_migration(stack, vpc, secrets_manager_endpoint=given, create_secrets_manager_endpoint=False)


def test_fails_with_logical_replication_on_the_aurora_writer_rather_than_its_cluster():
    stack = new_stack()
    aurora_migration(stack, cluster_parameters=None, writer_parameters=LOGICAL_REPLICATION)
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:CdcWithoutLogicalReplication\] migration_type \(migrationType\) is full-load-and-cdc, and the source "
            r"database Cluster\w+ is an Aurora cluster whose cluster parameter group does not set rds.logical_replication to 1: it is "
            r"set on the parameter group of its instance ClusterWriter\w+, and Aurora reads it only from the DB cluster parameter "
            r"group \(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Replication.Logical.Configure"
            r".html\), so the task fails when change data capture starts; fix: move \{\"rds.logical_replication\": \"1\"\} from the "
            r"instance's parameter group")):
        synth(stack)


def split_migration(dms_env=None, users_with_databases=False):
    """The databases and their master secrets in one stack; the DMS users, endpoints and replication in another."""
    app = cdk.App()
    data = new_stack(app=app, stack_id="Data")
    dms = new_stack(app=app, stack_id="Dms", env=dms_env) if dms_env else new_stack(app=app, stack_id="Dms")
    vpc = private_vpc(data)
    group = rds.ParameterGroup(data, "Params", engine=POSTGRES, parameters=LOGICAL_REPLICATION)
    rotation = lambda: secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)  # noqa: E731
    endpoints, databases = [], []
    for name, access, endpoint_type in (("Source", DmsAccess.SOURCE, DmsEndpointType.SOURCE), ("Target", DmsAccess.TARGET, DmsEndpointType.TARGET)):
        master = RotatingSecret(data, f"{name}Master", username="postgres", hosted_rotation=rotation())
        db = rds.DatabaseInstance(data, f"{name}Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                                  parameter_group=group, credentials=rds.Credentials.from_secret(master))
        users = data if users_with_databases else dms
        secret = RotatingSecret(users, f"{name}DmsSecret", username=f"dms_{name.lower()}", hosted_rotation=rotation())
        secret.attach(db)
        PostgresDatabaseUser(users, f"{name}User", master_secret=master, user_secret=secret, database_name="payments",
                             schema_name="payments", access=access, vpc=vpc, vpc_subnets=ISOLATED, database=db)
        endpoints.append(SecureDmsPostgresEndpoint(dms, name, secret=secret, endpoint_type=endpoint_type, database_name="payments"))
        databases.append(db)
    replication = PostgresReplication(dms, "Replication", source=endpoints[0], target=endpoints[1], vpc=vpc, vpc_subnets=ISOLATED,
        source_database=databases[0], target_database=databases[1], migration_type=DmsMigrationType.FULL_LOAD, schemas=["payments"])
    return data, dms, replication


def test_the_databases_and_the_dms_constructs_split_across_two_stacks_depend_one_way():
    # GIVEN the databases in one stack, and DMS's users, endpoints and replication in another
    data, dms, _ = split_migration()
    # THEN both synthesize (aws-cdk-lib found no DependencyCycle), and only the DMS stack depends on the other
    data_template, dms_template = synth(data), synth(dms)
    assert "Fn::ImportValue" not in json.dumps(data_template.to_json())
    assert [s.stack_name for s in dms.dependencies] == ["Data"]
    # the rules that let DMS and the users' function into the databases live in the DMS stack, on a port they name
    ingress = [r["Properties"] for r in dms_template.find_resources("AWS::EC2::SecurityGroupIngress").values()
               if r["Properties"]["FromPort"] != 443]  # 443: the replication into the VPC's Secrets Manager endpoint
    assert len(ingress) == 4 and all(r["GroupId"].get("Fn::ImportValue") and r["FromPort"] == 5432 for r in ingress)


def test_fails_with_the_dms_constructs_in_another_region_than_the_databases():
    virginia = cdk.Environment(account="123456789012", region="us-east-1")
    with pytest.raises(RuntimeError, match=(
            r"^\[safe-constructs:CrossEnvironment\] Dms/SourceUser: vpc is in stack Data \(account 123456789012, Region eu-west-1\), "
            r"and this construct is in stack Dms \(account 123456789012, Region us-east-1\).*; fix: create the user in a stack of the "
            r"database's account and Region")):
        split_migration(dms_env=virginia)
    with pytest.raises(RuntimeError) as raised:
        split_migration(dms_env=virginia, users_with_databases=True)
    message = str(raised.value)
    assert ('[safe-constructs:CrossEnvironment] Dms/Replication: source_database (sourceDatabase) is in stack Data (account '
            '123456789012, Region eu-west-1), and this construct is in stack Dms (account 123456789012, Region us-east-1): a '
            'CloudFormation stack cannot reference a resource of another account or Region; fix: pass the database\'s network as '
            'this stack can name it, ec2.Connections(peer=ec2.Peer.ipv4("<the database\'s CIDR>"), '
            'default_port=ec2.Port.tcp(5432))') in message


def test_fails_with_the_source_endpoint_in_another_region():
    app = cdk.App()
    stack = new_stack(app=app)
    other = new_stack(app=app, stack_id="Virginia", env=cdk.Environment(account="123456789012", region="us-east-1"))
    secret = secretsmanager.Secret.from_secret_complete_arn(other, "S", EXTERNAL_ARN.replace("eu-west-1", "us-east-1"))
    source = SecureDmsPostgresEndpoint(other, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE, database_name="payments")
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:CrossEnvironment\] Test/Replication: source is in stack Virginia \(account 123456789012, Region "
            r"us-east-1\).*; fix: build the SecureDmsPostgresEndpoint in a stack of the replication's account and Region")):
        migration(stack, source=source)


def test_a_database_in_another_region_is_reached_by_its_network():
    # GIVEN the source database in another Region, passed as the network the replication's stack can name
    stack = new_stack()
    remote = ec2.Connections(peer=ec2.Peer.ipv4("10.20.0.0/16"), default_port=ec2.Port.tcp(5432))
    replication, _, _ = migration(stack, source_database=remote, migration_type=DmsMigrationType.FULL_LOAD)
    template = synth(stack)
    group = stack.resolve(replication.security_group.security_group_id)
    egress = template.to_json()["Resources"][group["Fn::GetAtt"][0]]["Properties"]["SecurityGroupEgress"]
    assert {"CidrIp": "10.20.0.0/16", "FromPort": 5432, "ToPort": 5432} in [
        {k: r.get(k) for k in ("CidrIp", "FromPort", "ToPort")} for r in egress]


# --- the source user of a CDC task: rds_superuser (DMS guide, CHAP_Source.PostgreSQL; issue #36.7) ---------


def test_a_cdc_source_user_that_is_not_the_master_must_choose_rds_superuser():
    # "If you use an account other than the master user account, the account must have the rds_superuser role and the
    # rds_replication role" (DMS guide), with no exception for CaptureDdls false
    stack = new_stack()
    migration_with_users(stack, source_user={"grant_rds_superuser": None})
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    message = str(raised.value)
    assert ("[safe-constructs:SourceUserNeedsRdsSuperuser] migration_type (migrationType) is full-load-and-cdc, and the source endpoint "
            "logs in as Test/SourceUser, which is not the master and is not a member of rds_superuser: for change data capture the DMS "
            "guide requires a source user other than the master to have rds_superuser and rds_replication") in message
    assert ("fix: set grant_rds_superuser=True (grantRdsSuperuser) on that PostgresDatabaseUser (its members may create event triggers, "
            "install extensions and grant rds_superuser") in message


def test_rds_superuser_granted_reaches_the_function_with_a_warning_and_refused_is_a_visible_choice():
    stack = new_stack()
    _, (reader, _) = migration_with_users(stack)  # the harness grants it, as README's example does
    template = synth(stack)
    resource = template.to_json()["Resources"][stack.get_logical_id(reader.resource.node.default_child)]
    assert resource["Properties"]["RdsSuperuser"] is True and reader.grant_rds_superuser is True
    assert any("rdsSuperuserGranted" in w and "may then create event triggers" in w for w in warnings_of(stack))

    stack = new_stack(stack_id="Refused")
    _, (reader, _) = migration_with_users(stack, source_user={"grant_rds_superuser": False})
    template = synth(stack)
    assert "RdsSuperuser" not in template.to_json()["Resources"][stack.get_logical_id(reader.resource.node.default_child)]["Properties"]
    assert any("sourceUserWithoutRdsSuperuser" in w and "the task may fail when change data capture starts" in w
               for w in warnings_of(stack))


def test_a_full_load_source_user_needs_no_rds_superuser():
    stack = new_stack()
    migration_with_users(stack, source_user={"grant_rds_superuser": None}, migration_type=DmsMigrationType.FULL_LOAD)
    synth(stack)
    assert not [w for w in warnings_of(stack) if "rds_superuser" in w]


# --- validation (#35) --------------------------------------------------------------------------------


def test_the_task_validates_the_rows_it_migrates_with_both_failure_bounds_written_out():
    stack = new_stack()
    replication, _ = migration_with_users(stack)
    settings = settings_of(synth(stack))
    # the guide's prose gives 10,000 for the task and 1,000 for a table; its example JSON the other way round
    assert settings["ValidationSettings"] == {"EnableValidation": True, "FailureMaxCount": 10000, "TableFailureMaxCount": 1000}
    # DMS writes its failures table to ControlSchema: the target user's DMS schema, where it may create
    assert settings["ControlTablesSettings"]["ControlSchema"] == "awsdms"
    assert replication.validation_enabled and not any("validationOff" in w for w in warnings_of(stack))


def test_turning_validation_off_is_a_visible_choice():
    stack = new_stack()
    replication, _, _ = migration(stack, validation=False)
    assert "ValidationSettings" not in settings_of(synth(stack)) and not replication.validation_enabled
    assert any("validationOff" in w and "validation is false: DMS does not compare the rows it migrates" in w
               for w in warnings_of(stack))
    # the same through task_settings, which are merged over the construct's
    stack = new_stack()
    replication, _, _ = migration(stack, task_settings={"ValidationSettings": {"EnableValidation": False}})
    synth(stack)
    assert not replication.validation_enabled
    assert any("task_settings (taskSettings) turns ValidationSettings.EnableValidation off" in w for w in warnings_of(stack))


def test_validation_settings_given_are_merged_key_by_key():
    stack = new_stack()
    migration(stack, task_settings={"ValidationSettings": {"ThreadCount": 8}})
    assert settings_of(synth(stack))["ValidationSettings"] == {
        "EnableValidation": True, "FailureMaxCount": 10000, "TableFailureMaxCount": 1000, "ThreadCount": 8}


# --- retirement (#35) ---------------------------------------------------------------------------------


def resource_id(template, resource_type, step=None):
    [found] = [k for k, r in template.to_json()["Resources"].items()
               if r["Type"] == resource_type and (step is None or r["Properties"].get("Step") == step)]
    return found


def test_deleting_the_replication_stops_the_task_then_sweeps_the_slot_it_left():
    stack = new_stack()
    replication, users = migration_with_users(stack)
    template = synth(stack)
    resources = template.to_json()["Resources"]
    # the stop is the task run's, on its delete (test_task_life_handler.py): one resource stops the task
    task, stop = stack.get_logical_id(replication.task), resource_id(template, "Custom::DmsTaskRun")
    record, sweep = (resource_id(template, "Custom::DmsReplicationSlots", step) for step in ("record", "sweep"))
    # CloudFormation deletes a resource before what it depends on: record, stop, the task, sweep
    assert resources[stop]["Properties"]["TaskArn"] == {"Ref": task} and task in resources[stop]["DependsOn"]
    assert stop in resources[record]["DependsOn"] and sweep in resources[task]["DependsOn"]
    # both slot steps run as the source user's function, with its login
    source_user = users[0]
    assert resources[record]["Properties"]["ServiceToken"] == resources[
        logical_id(stack, source_user.resource)]["Properties"]["ServiceToken"]
    assert resources[record]["Properties"]["Purpose"] == "DmsSlots" and resources[sweep]["Properties"]["Access"] == "SOURCE"


def test_a_full_load_or_an_unknown_source_user_only_stops_the_task():
    stack = new_stack()
    migration_with_users(stack, migration_type=DmsMigrationType.FULL_LOAD)  # no slot: a full load reads tables only
    template = synth(stack)
    assert template.find_resources("Custom::DmsReplicationSlots") == {}
    assert len(template.find_resources("Custom::DmsTaskRun")) == 1
    stack = new_stack()
    migration(stack)  # the source's own master secret: no function of this app logs in there
    assert synth(stack).find_resources("Custom::DmsReplicationSlots") == {}


def test_turning_the_retirement_off_is_a_visible_choice():
    stack = new_stack()
    replication, _ = migration_with_users(stack, retire_on_delete=False)
    template = synth(stack)
    # the task is still stopped before its deletion (the task run's part); no slot is recorded or swept
    assert len(template.find_resources("Custom::DmsTaskRun")) == 1
    assert template.find_resources("Custom::DmsReplicationSlots") == {}
    assert any("retireOnDeleteOff" in w for w in warnings_of(stack))
