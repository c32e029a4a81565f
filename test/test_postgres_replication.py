"""PostgresReplication and PostgresDatabaseUser: the migration as one construct, and the users DMS logs in as."""
import json

import pytest
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, ISOLATED, POSTGRES, new_stack, only_resource, private_vpc, synth, warnings_of
from safe_constructs import (
    DmsAccess, DmsAccountRolesMode, DmsEndpointType, DmsLobMode, DmsMigrationType, DmsTargetTablePrep,
    PostgresDatabaseUser, PostgresReplication, RotatingSecret, SecureDmsPostgresEndpoint,
)

LOGICAL_REPLICATION = {"rds.logical_replication": "1"}


def migration(stack, vpc=None, parameters=LOGICAL_REPLICATION, **overrides):
    """A source database (rotating master secret, attached), an external-secret target, and their replication."""
    vpc = vpc or private_vpc(stack)
    group = rds.ParameterGroup(stack, "Params", engine=POSTGRES, parameters=parameters) if parameters else None
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)
    source_secret = RotatingSecret(stack, "SourceSecret", username="payments", hosted_rotation=rotation)
    source_db = rds.DatabaseInstance(stack, "SourceDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED,
        storage_encrypted=True, parameter_group=group, credentials=rds.Credentials.from_secret(source_secret))
    source_db.connections.allow_default_port_from(rotation)
    target_db = rds.DatabaseInstance(stack, "TargetDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED,
        storage_encrypted=True, credentials=rds.Credentials.from_generated_secret("postgres"))
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret", EXTERNAL_ARN)
    source = SecureDmsPostgresEndpoint(stack, "Source", secret=source_secret, endpoint_type=DmsEndpointType.SOURCE,
                                       database_name="payments")
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                       database_name="payments")
    props = dict(source=source, target=target, vpc=vpc, vpc_subnets=ISOLATED, source_database=source_db,
                 target_database=target_db, migration_type=DmsMigrationType.FULL_LOAD_AND_CDC, schemas=["payments"])
    props.update(overrides)
    return PostgresReplication(stack, "Replication", **props), source_db, target_db


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


def database_user(stack, access=DmsAccess.SOURCE, **overrides):
    vpc = private_vpc(stack)
    master = RotatingSecret(stack, "Master", username="postgres",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    db = rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                              credentials=rds.Credentials.from_secret(master))
    user_secret = RotatingSecret(stack, "Reader", username="dms_reader",
                                 hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    props = dict(master_secret=master, user_secret=user_secret, database_name="payments", schema_name="payments",
                 access=access, vpc=vpc, vpc_subnets=ISOLATED, database=db)
    props.update(overrides)
    return PostgresDatabaseUser(stack, "ReaderUser", **props), user_secret


def test_the_user_is_created_before_its_secret_rotates_and_after_the_master_secret_has_a_host():
    stack = new_stack()
    user, user_secret = database_user(stack)
    template = synth(stack)
    resource_id = stack.get_logical_id(user.resource.node.default_child)
    [schedule] = [v for k, v in template.find_resources("AWS::SecretsManager::RotationSchedule").items()
                                 if "Reader" in k]
    assert resource_id in schedule["DependsOn"]
    resource = template.to_json()["Resources"][resource_id]
    assert any("MasterAttachment" in d for d in resource["DependsOn"])
    assert resource["Properties"]["Access"] == "SOURCE" and resource["Properties"]["Schema"] == "payments"
    handlers = [f for f in template.find_resources("AWS::Lambda::Function").values()
                if f["Properties"].get("Handler") == "index.on_event"]
    assert len(handlers) == 1 and handlers[0]["Properties"]["VpcConfig"]["SubnetIds"]


@pytest.mark.parametrize("prop, value", [("schema_name", "pay-ments"), ("database_name", "")])
def test_a_user_in_a_name_postgres_cannot_hold_is_refused(prop, value):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=rf"\[safe-constructs:PostgresNameInvalid\] Test/ReaderUser: {prop}"):
        database_user(stack, **{prop: value})
