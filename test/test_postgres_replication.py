"""PostgresReplication: the migration as one construct, its engine, its users and its task."""
import datetime
import json

import pytest
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import (
    AURORA_POSTGRES, EXTERNAL_ARN, ISOLATED, LOGICAL_REPLICATION, POSTGRES, aurora_migration, logical_id, migration, migration_with_users,
    new_stack, only_resource, private_vpc, statements_of, synth, warnings_of,
)
from safe_constructs import (
    DmsAccess, DmsAccountRolesMode, DmsEndpointType, DmsLobMode, DmsMigrationType, DmsTargetTablePrep,
    PostgresDatabaseUser, PostgresReplication, RotatingSecret, SecureDmsPostgresEndpoint,
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


# The date after which DMS creates no new instance with a version (DMS release notes:
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html). The copies seen disagree
# (3.6.1: 30 April 2027, or not yet set): the earlier, the safe side.
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
