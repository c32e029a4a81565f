"""PostgresReplication watched and bounded (#33.4, #33.5): the identifiers its metrics carry, DMS's heartbeat,
the bound on the WAL a slot may hold, the alarms and the notifications of the task's state changes.

Nothing here is deployed. The metric facts below are written from AWS's documents (cited at each) and
cross-checked with AWS's own generated metric tables in aws-cdk-lib; moto's EventBridge pattern matcher
stands in for EventBridge where a rule meets DMS's sample event. What only an account shows is in README.
"""
import json
import os
import pathlib
import re
import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk import Size, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_sns as sns
from moto.events.models import EventPattern

from harness import (
    ISOLATED, LOGICAL_REPLICATION, POSTGRES, aurora_migration, migration, migration_with_users, new_stack,
    only_resource, private_vpc, synth, warnings_of,
)
from safe_constructs import DmsMigrationType, ReplicationAlarmThresholds

# DMS's rule for ReplicationInstanceIdentifier (CreateReplicationInstance, botocore's model of it): 1-63
# letters, digits or hyphens, first a letter, no trailing or double hyphen; stored lower case.
INSTANCE_IDENTIFIER = re.compile(r"^[a-z](?:-?[a-z0-9]){0,62}$")

DMS_MONITORING = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html"
RDS_METRICS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html"
AURORA_METRICS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html"
# The metrics as AWS documents them: namespace, name, the dimension names they are published under, and the
# statistic this library alarms on (Maximum for latency and held WAL, Minimum for what is left).
#  - DMS task metrics: "AWS DMS raises this metric against the combined dimensions of ReplicationInstanceIdentifier
#    and ReplicationTaskIdentifier" (DMS_MONITORING); instance metrics by ReplicationInstanceExternalResourceId
#    (aws-cdk-lib's generated DMSMetrics, AWS's metric table).
#  - RDS instance metrics: "DBInstanceIdentifier: A specific DB instance" (RDS and Aurora guides, dimensions.md).
#  - AWS/DMS and AWS/RDS: aws-cdk-lib's generated canned metrics; "Amazon RDS publishes metrics to Amazon
#    CloudWatch in the AWS/RDS and AWS/Usage namespaces" (RDS_METRICS).
EXPECTED_RDS = {
    "CdcLatencySource": ("AWS/DMS", "CDCLatencySource", "Maximum", ("ReplicationInstanceIdentifier", "ReplicationTaskIdentifier")),
    "CdcLatencyTarget": ("AWS/DMS", "CDCLatencyTarget", "Maximum", ("ReplicationInstanceIdentifier", "ReplicationTaskIdentifier")),
    "InstanceFreeStorage": ("AWS/DMS", "FreeStorageSpace", "Minimum", ("ReplicationInstanceExternalResourceId",)),
    "InstanceFreeableMemory": ("AWS/DMS", "FreeableMemory", "Minimum", ("ReplicationInstanceExternalResourceId",)),
    "SourceSlotLag": ("AWS/RDS", "OldestReplicationSlotLag", "Maximum", ("DBInstanceIdentifier",)),
    "SourceTransactionLogs": ("AWS/RDS", "TransactionLogsDiskUsage", "Maximum", ("DBInstanceIdentifier",)),
    "SourceFreeStorage": ("AWS/RDS", "FreeStorageSpace", "Minimum", ("DBInstanceIdentifier",)),
}
# Aurora PostgreSQL: the writer instance's ReplicationSlotDiskUsage, TransactionLogsDiskUsage and FreeLocalStorage
# (AURORA_METRICS; OldestReplicationSlotLag and FreeStorageSpace are not Aurora instance metrics there).
EXPECTED_AURORA = {**EXPECTED_RDS,
                   "SourceSlotLag": ("AWS/RDS", "ReplicationSlotDiskUsage", "Maximum", ("DBInstanceIdentifier",)),
                   "SourceFreeStorage": ("AWS/RDS", "FreeLocalStorage", "Minimum", ("DBInstanceIdentifier",))}
MB = 1024 * 1024

# aws-cdk-lib's generated canned metrics: AWS's own metric tables, which name each metric's dimension set.
ROOT = pathlib.Path(__file__).resolve().parent.parent
AWS_CDK_LIB = ROOT / "node_modules" / "aws-cdk-lib"


def _not_a_number_from_javascript():
    """What the compiled library (lib/) says, in Node, of thresholds Python cannot send: NaN and Infinity."""
    script = """
const cdk = require('aws-cdk-lib'); const { aws_ec2: ec2, aws_rds: rds, aws_secretsmanager: sm } = cdk;
const sc = require('./lib');
const stack = new cdk.Stack(new cdk.App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
const secret = (id) => sm.Secret.fromSecretCompleteArn(stack, id, `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${id}-AbCdEf`);
try {
  new sc.PostgresReplication(stack, 'Replication', { vpc, vpcSubnets, schemas: ['p'], migrationType: sc.DmsMigrationType.FULL_LOAD,
    source: new sc.SecureDmsPostgresEndpoint(stack, 'S', { secret: secret('s'), endpointType: sc.DmsEndpointType.SOURCE, databaseName: 'p' }),
    target: new sc.SecureDmsPostgresEndpoint(stack, 'T', { secret: secret('t'), endpointType: sc.DmsEndpointType.TARGET, databaseName: 'p' }),
    sourceDatabase: new rds.DatabaseInstance(stack, 'A', { engine, vpc, vpcSubnets }),
    targetDatabase: new rds.DatabaseInstance(stack, 'B', { engine, vpc, vpcSubnets }),
    alarmThresholds: { sourceFreeStorageMb: NaN, instanceFreeStorageMb: Infinity } });
} catch (e) { console.log(e.message); }
"""
    run = subprocess.run(["node", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    return [line.split("Test/Replication: ")[1].split(";")[0] for line in run.stdout.splitlines() if "AlarmThresholdInvalid" in line]


def canned_dimensions(path, metric_method):
    """The dimension names of every variant of a generated canned metric (`cdcLatencySourceSum` -> {("A", "B")})."""
    text = (AWS_CDK_LIB / path).read_text()
    variants = re.findall(rf"static {metric_method}\(this: void, dimensions: \{{([^}}]*)\}}", text)
    return {tuple(sorted(re.findall(r"(\w+): string;", v))) for v in variants}


def alarms_by_id(template):
    """The alarms of the template by the construct id the replication gave them (Watch/<Id>)."""
    found = {}
    for logical_id, alarm in template.find_resources("AWS::CloudWatch::Alarm").items():
        name = next(n for n in EXPECTED_RDS if logical_id.startswith(f"ReplicationWatch{n}"))
        found[name] = alarm["Properties"]
    return found


def state_change_rule(template):
    """The watch's EventBridge rule (DMS's events); the task's life adds another, on Secrets Manager's rotations."""
    [rule] = [r for r in template.find_resources("AWS::Events::Rule").values() if r["Properties"]["EventPattern"]["source"] == ["aws.dms"]]
    return rule


def select_split(value, arn):
    """Evaluates `Fn::Select [i, Fn::Split [sep, <the ARN>]]` as CloudFormation does."""
    index, (separator, _) = value["Fn::Select"][0], value["Fn::Select"][1]["Fn::Split"]
    return arn.split(separator)[index]


def test_the_instance_identifier_is_set_lower_case_within_dms_rule_and_exposed():
    stack = new_stack(stack_id="PaymentMigration")
    replication, _, _ = migration(stack)
    instance = only_resource(synth(stack), "AWS::DMS::ReplicationInstance")["Properties"]
    assert instance["ReplicationInstanceIdentifier"] == replication.instance_identifier
    assert INSTANCE_IDENTIFIER.match(replication.instance_identifier), replication.instance_identifier
    assert replication.instance_identifier.startswith("paymentmigration-replication-")


def test_the_instance_identifier_is_the_same_each_synth_and_differs_between_replications():
    first, second = (migration(new_stack(stack_id="Pay"))[0].instance_identifier for _ in range(2))
    assert first == second
    other = migration(new_stack(stack_id="Pay-Two--Stack"))[0].instance_identifier
    assert other != first and INSTANCE_IDENTIFIER.match(other), other


# The heartbeat

def source_settings(template):
    [source] = [e for e in template.find_resources("AWS::DMS::Endpoint").values() if e["Properties"]["EndpointType"] == "source"]
    return source["Properties"]["PostgreSqlSettings"]


def test_cdc_turns_the_heartbeat_on_in_the_source_users_schema():
    stack = new_stack()
    replication, _ = migration_with_users(stack, cdc_settings={})
    settings = source_settings(synth(stack))
    assert settings["HeartbeatEnable"] is True and settings["HeartbeatSchema"] == "awsdms"
    assert replication.heartbeat_enabled is True
    assert not any("heartbeatOff" in w for w in warnings_of(stack))


def test_a_full_load_holds_no_slot_so_no_heartbeat_and_no_bound():
    stack = new_stack()
    replication, _, _ = migration(stack, migration_type=DmsMigrationType.FULL_LOAD)
    template = synth(stack)
    assert "HeartbeatEnable" not in source_settings(template)
    assert "max_slot_wal_keep_size" not in only_resource(template, "AWS::RDS::DBParameterGroup")["Properties"]["Parameters"]
    assert replication.heartbeat_enabled is False and replication.slot_wal_bound is None
    # watched still: the instance, and the task's state changes; no CDC latency, no source slot
    assert set(alarms_by_id(template)) == {"InstanceFreeStorage", "InstanceFreeableMemory"}
    assert state_change_rule(template) is not None


def test_the_heartbeat_turned_off_with_a_reason_leaves_the_reason_in_a_warning():
    stack = new_stack()
    replication, _ = migration_with_users(stack, cdc_settings={}, heartbeat_off_reason="the application writes every second")
    assert source_settings(synth(stack))["HeartbeatEnable"] is False
    assert replication.heartbeat_enabled is False
    assert any("heartbeatOff" in w and "\"the application writes every second\"" in w for w in warnings_of(stack))


def test_fails_the_heartbeat_turned_off_with_cdc_without_a_reason():
    with pytest.raises(RuntimeError) as raised:
        migration_with_users(new_stack(), heartbeat=False)
    assert ("[safe-constructs:HeartbeatOffWithoutReason] Test/Replication: the source endpoint (Test/Source) turns DMS's heartbeat off "
            "(heartbeat_enable=False) for migration_type (migrationType) full-load-and-cdc, and no heartbeat_off_reason "
            "(heartbeatOffReason) says why: an idle source then keeps its WAL in the slot, and the slot holds it until the disk is full; "
            "fix: remove heartbeat_enable=False from the endpoint's cdc_settings (the construct turns the heartbeat on), or give "
            "heartbeat_off_reason=\"<why this source needs none>\"") in str(raised.value)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:HeartbeatOffWithoutReason\] Test/Replication: heartbeat_off_reason "
                                           r"\(heartbeatOffReason\) is empty, got: \" \""):
        migration_with_users(new_stack(), heartbeat=False, heartbeat_off_reason=" ")


def test_fails_a_heartbeat_reason_where_nothing_is_turned_off():
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:HeartbeatOffReasonUnused\] Test/Replication: heartbeat_off_reason "
                                           r"\(heartbeatOffReason\) is given, and the source endpoint \(Test/Source\) turns the heartbeat on"):
        migration_with_users(new_stack(), heartbeat=True, heartbeat_off_reason="quiet")
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:HeartbeatOffReasonUnused\] Test/Replication: heartbeat_off_reason "
                                           r"\(heartbeatOffReason\) is used only with CDC, and migration_type \(migrationType\) is "
                                           r"full-load: a full load holds no replication slot; fix: remove heartbeat_off_reason"):
        migration(new_stack(), migration_type=DmsMigrationType.FULL_LOAD, heartbeat_off_reason="quiet")


# The bound on the WAL a slot may hold

def parameters_of(template):
    return only_resource(template, "AWS::RDS::DBParameterGroup")["Properties"]["Parameters"]


@pytest.mark.parametrize("storage_gib, bound_mb", [(None, 10240), (20, 2048), (1000, 102400)])
def test_the_sources_slot_is_bounded_by_default_to_a_tenth_of_its_storage(storage_gib, bound_mb):
    stack = new_stack()
    replication, _, _ = migration(stack, source_props={"allocated_storage": storage_gib} if storage_gib else None)
    template = synth(stack)  # aws-cdk-lib's default storage is 100 GiB
    assert parameters_of(template) == {"rds.logical_replication": "1", "max_slot_wal_keep_size": str(bound_mb)}
    assert replication.slot_wal_bound.to_mebibytes() == bound_mb
    # the slot alarm fires at half the bound, while the slot can still be saved
    assert alarms_by_id(template)["SourceSlotLag"]["Threshold"] == bound_mb // 2 * MB


def test_a_bound_given_is_set_in_mb_on_an_l1_group_too():
    stack = new_stack()
    migration(stack, max_slot_wal_keep_size=Size.gibibytes(4))
    assert parameters_of(synth(stack))["max_slot_wal_keep_size"] == "4096"
    stack = new_stack()
    vpc = private_vpc(stack)
    group = rds.CfnDBParameterGroup(stack, "L1Params", family="postgres17", description="cdc", parameters=LOGICAL_REPLICATION)
    source_db = rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                                     parameter_group=rds.ParameterGroup.from_parameter_group_name(stack, "Imp", group.ref))
    migration(stack, vpc=vpc, source_database=source_db, max_slot_wal_keep_size=Size.mebibytes(1500))
    groups = synth(stack).find_resources("AWS::RDS::DBParameterGroup")
    assert groups[stack.get_logical_id(group)]["Properties"]["Parameters"]["max_slot_wal_keep_size"] == "1500"


@pytest.mark.parametrize("size, message", [
    (Size.gibibytes(100), "max_slot_wal_keep_size (maxSlotWalKeepSize) is 102400 MB, and the source's allocated storage is 100 GiB "
                          "(102400 MB): a slot may then hold WAL until the disk is full; fix: give less than 102400 MB, or omit it "
                          "(the default, a tenth of the storage: 10240 MB)"),
    (Size.mebibytes(0), "max_slot_wal_keep_size (maxSlotWalKeepSize) must be a whole number of MB, 1 at least (PostgreSQL counts "
                        "max_slot_wal_keep_size in MB), got: 0 MB; fix: give Size.mebibytes(n) or Size.gibibytes(n) with n a whole "
                        "number, 1 at least"),
    (Size.kibibytes(1536), "must be a whole number of MB, 1 at least (PostgreSQL counts max_slot_wal_keep_size in MB), got: 1.5 MB"),
])
def test_fails_a_bound_not_smaller_than_the_storage_or_not_a_whole_positive_mb(size, message):
    with pytest.raises(RuntimeError) as raised:
        migration(new_stack(), max_slot_wal_keep_size=size)
    assert f"[safe-constructs:SlotWalBoundOutOfRange] Test/Replication: " in str(raised.value)
    assert message in str(raised.value)


def test_fails_to_derive_a_bound_from_storage_unknown_at_synth_and_takes_one_given():
    stack = new_stack()
    storage = cdk.CfnParameter(stack, "Storage", type="Number", default=100).value_as_number
    with pytest.raises(RuntimeError) as raised:
        migration(stack, source_props={"allocated_storage": storage})
    assert ("[safe-constructs:SlotWalBoundUndecided] Test/Replication: the source database's allocated storage cannot be read at "
            "synth (a token), so no bound on the WAL its replication slot may hold can be derived from it; fix: give "
            "max_slot_wal_keep_size (maxSlotWalKeepSize), for example Size.gibibytes(10) for 100 GiB of storage (a tenth), or "
            "bound_slot_wal=False to leave the slot unbounded") in str(raised.value)
    stack = new_stack()
    storage = cdk.CfnParameter(stack, "Storage", type="Number", default=100).value_as_number
    migration(stack, source_props={"allocated_storage": storage}, max_slot_wal_keep_size=Size.gibibytes(10))
    assert parameters_of(synth(stack))["max_slot_wal_keep_size"] == "10240"


def test_fails_a_bound_the_group_sets_to_another_value():
    stack = new_stack()
    migration(stack, parameters={**LOGICAL_REPLICATION, "max_slot_wal_keep_size": "-1"})
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    assert ("[safe-constructs:SlotWalBoundConflict] the source's parameter group Test/Params/Resource sets max_slot_wal_keep_size to "
            "\"-1\", and max_slot_wal_keep_size (maxSlotWalKeepSize) is 10240 MB (its default, a tenth of the source's storage); "
            "fix: set the bound in one place: remove max_slot_wal_keep_size from the parameter group, and give "
            "max_slot_wal_keep_size=Size.mebibytes(n) to the replication if its default does not suit") in str(raised.value)
    stack = new_stack()  # the same value in both places is one bound
    migration(stack, parameters={**LOGICAL_REPLICATION, "max_slot_wal_keep_size": "4096"}, max_slot_wal_keep_size=Size.gibibytes(4))
    synth(stack)


def test_the_bound_turned_off_leaves_a_warning_and_a_bound_given_then_is_refused():
    stack = new_stack()
    replication, _, _ = migration(stack, bound_slot_wal=False)
    assert "max_slot_wal_keep_size" not in parameters_of(synth(stack)) and replication.slot_wal_bound is None
    assert any("slotWalUnbounded" in w and "bound_slot_wal (boundSlotWal) is False" in w for w in warnings_of(stack))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:SlotWalBoundUnused\] Test/Replication: max_slot_wal_keep_size "
                                           r"\(maxSlotWalKeepSize\) cannot be set: bound_slot_wal \(boundSlotWal\) is False"):
        migration(new_stack(), bound_slot_wal=False, max_slot_wal_keep_size=Size.gibibytes(1))


def test_an_aurora_source_is_not_bounded_by_the_library_and_says_so():
    stack = new_stack()
    cluster, _ = aurora_migration(stack)
    template = synth(stack)
    assert "max_slot_wal_keep_size" not in json.dumps(template.find_resources("AWS::RDS::DBClusterParameterGroup"))
    assert any("slotWalUnbounded" in w and "AWS documents no max_slot_wal_keep_size" in w for w in warnings_of(stack))


def test_a_postgres_12_source_has_no_bound_to_set():
    stack = new_stack()
    postgres12 = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_12)
    group = rds.ParameterGroup(stack, "Params12", engine=postgres12, parameters=LOGICAL_REPLICATION)
    migration(stack, parameters=None, source_props={"engine": postgres12, "parameter_group": group})
    synth(stack)
    assert any("slotWalUnbounded" in w and "PostgreSQL 12, which has no max_slot_wal_keep_size" in w for w in warnings_of(stack))


def test_an_imported_source_is_watched_by_its_identifier_and_its_bound_left_to_the_operator():
    stack = new_stack()
    vpc = private_vpc(stack)
    imported = rds.DatabaseInstance.from_database_instance_attributes(stack, "Legacy", instance_identifier="legacy-payments",
        instance_endpoint_address="legacy.example.internal", port=5432, security_groups=[], engine=POSTGRES)
    migration(stack, vpc=vpc, source_database=imported)
    template = synth(stack)
    alarms = alarms_by_id(template)
    assert alarms["SourceSlotLag"]["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "legacy-payments"}]
    assert alarms["SourceFreeStorage"]["Threshold"] == 10240 * MB  # its storage is not known: the library's fixed default
    assert any("slotWalBoundUnchecked" in w and "set max_slot_wal_keep_size on that parameter group yourself" in w
               for w in warnings_of(stack))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:SlotWalBoundUnused\] Test/Replication: max_slot_wal_keep_size "
                                           r"\(maxSlotWalKeepSize\) cannot be set: the source database's parameter group is not "
                                           r"defined in this app"):
        stack = new_stack()
        imported = rds.DatabaseInstance.from_database_instance_attributes(stack, "Legacy", instance_identifier="legacy",
            instance_endpoint_address="legacy.example.internal", port=5432, security_groups=[])
        migration(stack, source_database=imported, max_slot_wal_keep_size=Size.gibibytes(1))


def test_a_source_known_only_by_its_connections_is_not_watched_and_says_so():
    stack = new_stack()
    vpc = private_vpc(stack)
    group = ec2.SecurityGroup.from_security_group_id(stack, "LegacyGroup", "sg-0123456789abcdef0")
    migration(stack, vpc=vpc, source_database=ec2.Connections(security_groups=[group], default_port=ec2.Port.tcp(5432)))
    template = synth(stack)
    assert not {"SourceSlotLag", "SourceTransactionLogs", "SourceFreeStorage"} & set(alarms_by_id(template))
    assert any("sourceUnwatched" in w for w in warnings_of(stack))


# The alarms

def test_every_alarm_reads_the_metric_dms_and_rds_publish_with_the_dimension_values_derived_as_documented():
    stack = new_stack()
    replication, source_db, _ = migration(stack)
    template = synth(stack)
    alarms = alarms_by_id(template)
    assert set(alarms) == set(EXPECTED_RDS)
    task_arn = "arn:aws:dms:eu-west-1:123456789012:task:AAAABBBB0CCCCDDDDEEEEE1FFFF2GGG3FFFFFF3"  # DMS's sample event's
    instance_arn = "arn:aws-cn:dms:cn-north-1:123456789012:rep:5UAX6IVZH2EGBH37TZH3RFMQOHQQQX2MNM6QWSY"  # any partition
    for name, (namespace, metric, statistic, dimensions) in EXPECTED_RDS.items():
        alarm = alarms[name]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (namespace, metric, statistic), name
        values = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        assert tuple(values) == dimensions, name
        for dimension, value in values.items():
            if dimension == "ReplicationInstanceIdentifier":  # the identifier the construct set, a literal
                assert value == replication.instance_identifier == \
                    only_resource(template, "AWS::DMS::ReplicationInstance")["Properties"]["ReplicationInstanceIdentifier"]
            elif dimension == "ReplicationTaskIdentifier":  # the last ':' part of the task's ARN (Ref is the ARN)
                assert value["Fn::Select"][1]["Fn::Split"][1] == {"Ref": stack.get_logical_id(replication.task)}
                assert select_split(value, task_arn) == "AAAABBBB0CCCCDDDDEEEEE1FFFF2GGG3FFFFFF3"
            elif dimension == "ReplicationInstanceExternalResourceId":  # the last ':' part of the instance's ARN
                assert value["Fn::Select"][1]["Fn::Split"][1] == {"Ref": stack.get_logical_id(replication.replication_instance)}
                assert select_split(value, instance_arn) == "5UAX6IVZH2EGBH37TZH3RFMQOHQQQX2MNM6QWSY"
            else:  # Ref of AWS::RDS::DBInstance "returns the DB instance name" (CloudFormation user guide)
                assert value == {"Ref": stack.get_logical_id(source_db.node.default_child)}
    # AWS's own generated metric tables name the same dimension sets
    assert canned_dimensions("aws-dms/lib/dms-canned-metrics.generated.d.ts", "cdcLatencySourceSum") == \
        {("ReplicationInstanceIdentifier", "ReplicationTaskIdentifier")}
    assert canned_dimensions("aws-dms/lib/dms-canned-metrics.generated.d.ts", "cdcLatencyTargetSum") == \
        {("ReplicationInstanceIdentifier", "ReplicationTaskIdentifier")}
    for method in ("freeStorageSpaceAverage", "freeableMemoryAverage"):
        assert canned_dimensions("aws-dms/lib/dms-canned-metrics.generated.d.ts", method) == {("ReplicationInstanceExternalResourceId",)}
    assert ("DBInstanceIdentifier",) in canned_dimensions("aws-rds/lib/rds-canned-metrics.generated.d.ts", "freeStorageSpaceAverage")


def test_an_aurora_sources_alarms_read_its_writer():
    stack = new_stack()
    cluster, _ = aurora_migration(stack)
    alarms = alarms_by_id(synth(stack))
    writer = {"Ref": stack.get_logical_id(cluster.node.find_child("Writer").node.default_child)}
    for name, (namespace, metric, statistic, dimensions) in EXPECTED_AURORA.items():
        alarm = alarms[name]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (namespace, metric, statistic), name
        if dimensions == ("DBInstanceIdentifier",):
            assert alarm["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": writer}], name
    assert alarms["SourceFreeStorage"]["Threshold"] == 2048 * MB


def test_no_alarm_stays_silent_and_each_tells_the_topic_every_change():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template = synth(stack)
    topic = {"Ref": stack.get_logical_id(replication.alarm_topic.node.default_child)}
    for name, alarm in alarms_by_id(template).items():
        # no data (a dimension value DMS does not publish, a stopped task) is an ALARM, never silence
        assert alarm["TreatMissingData"] == "breaching", name
        assert alarm["AlarmActions"] == alarm["OKActions"] == alarm["InsufficientDataActions"] == [topic], name
        assert alarm["Period"] == 300 and "No data counts as breaching" in alarm["AlarmDescription"], name
    assert len(replication.alarms) == 7


def test_the_defaults_and_the_thresholds_given():
    stack = new_stack()
    migration(stack, allocated_storage=100)
    alarms = alarms_by_id(synth(stack))
    # library's choices: 600 s of CDC latency; a fifth and a tenth of the source's 100 GiB; a tenth of the instance's 100 GB
    expected = {"CdcLatencySource": 600, "CdcLatencyTarget": 600, "SourceTransactionLogs": 20480 * MB,
                "SourceFreeStorage": 10240 * MB, "InstanceFreeStorage": 10240 * MB, "InstanceFreeableMemory": 256 * MB}
    assert {name: alarms[name]["Threshold"] for name in expected} == expected
    stack = new_stack()
    migration(stack, alarm_thresholds=ReplicationAlarmThresholds(cdc_latency_seconds=900, source_slot_lag_mb=0,
                                                                 instance_freeable_memory_mb=512.5))
    alarms = alarms_by_id(synth(stack))
    assert (alarms["CdcLatencyTarget"]["Threshold"], alarms["SourceSlotLag"]["Threshold"],
            alarms["InstanceFreeableMemory"]["Threshold"]) == (900, 0, 512.5 * MB)


def test_fails_a_threshold_below_zero_or_not_a_number():
    with pytest.raises(RuntimeError) as raised:
        migration(new_stack(), alarm_thresholds=ReplicationAlarmThresholds(cdc_latency_seconds=-1, source_slot_lag_mb=-0.5))
    assert ("[safe-constructs:AlarmThresholdInvalid] Test/Replication: alarm_thresholds.cdc_latency_seconds "
            "(alarmThresholds.cdcLatencySeconds) must be a number, 0 or more, got: -1; fix: give a number of seconds, 0 or more, "
            "or omit it for the library's default") in str(raised.value)
    assert "alarm_thresholds.source_slot_lag_mb (alarmThresholds.sourceSlotLagMb) must be a number, 0 or more, got: -0.5; " \
        "fix: give a number of MB" in str(raised.value)
    # From Python, a value that is no number never reaches the construct: jsii refuses it by its type...
    with pytest.raises(TypeError):
        ReplicationAlarmThresholds(cdc_latency_seconds="600")
    # ...and NaN and infinity cannot cross jsii's JSON at all (they would end the kernel), so the construct's own
    # check of them is run where they can be written: the compiled library, from JavaScript.
    assert _not_a_number_from_javascript() == [
        "alarm_thresholds.source_free_storage_mb (alarmThresholds.sourceFreeStorageMb) must be a number, 0 or more, got: NaN",
        "alarm_thresholds.instance_free_storage_mb (alarmThresholds.instanceFreeStorageMb) must be a number, 0 or more, got: Infinity",
    ]


def test_the_topic_is_encrypted_with_a_key_cloudwatch_and_eventbridge_may_use():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template = synth(stack)
    topic_id = stack.get_logical_id(replication.alarm_topic.node.default_child)
    topic = template.to_json()["Resources"][topic_id]["Properties"]
    key = template.to_json()["Resources"][topic["KmsMasterKeyId"]["Fn::GetAtt"][0]]["Properties"]
    assert key["EnableKeyRotation"] is True
    # SNS guide: an AWS service publishing to an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt
    granted = {s["Principal"]["Service"]: sorted(s["Action"]) for s in key["KeyPolicy"]["Statement"] if "Service" in s["Principal"]}
    assert granted == {"cloudwatch.amazonaws.com": ["kms:Decrypt", "kms:GenerateDataKey*"],
                       "events.amazonaws.com": ["kms:Decrypt", "kms:GenerateDataKey*"]}
    [policy] = template.find_resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    publishers = {s["Principal"]["Service"]: s.get("Condition") for s in statements if s["Effect"] == "Allow"}
    assert set(publishers) == {"cloudwatch.amazonaws.com", "events.amazonaws.com"}
    assert publishers["cloudwatch.amazonaws.com"] == {"ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:eu-west-1:123456789012:alarm:*"]]}}}
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_a_topic_given_is_used_and_given_the_grants_it_needs():
    stack = new_stack()
    key = kms.Key(stack, "OpsKey", enable_key_rotation=True)
    ops = sns.Topic(stack, "Ops", master_key=key)
    replication, _, _ = migration(stack, alarm_topic=ops)
    template = synth(stack)
    assert replication.alarm_topic is ops and len(template.find_resources("AWS::SNS::Topic")) == 1
    key_policy = template.to_json()["Resources"][stack.get_logical_id(key.node.default_child)]["Properties"]["KeyPolicy"]
    assert {s["Principal"].get("Service") for s in key_policy["Statement"]} >= {"cloudwatch.amazonaws.com", "events.amazonaws.com"}
    assert not any("alarmTopicUnchecked" in w for w in warnings_of(stack))


def test_an_imported_topic_is_used_and_what_it_needs_is_said():
    stack = new_stack()
    ops = sns.Topic.from_topic_arn(stack, "Ops", "arn:aws:sns:eu-west-1:123456789012:ops")
    migration(stack, alarm_topic=ops)
    template = synth(stack)
    assert all(a["AlarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:ops"] for a in alarms_by_id(template).values())
    assert any("alarmTopicUnchecked" in w and "events.amazonaws.com" in w for w in warnings_of(stack))


def test_fails_a_topic_from_another_region():
    stack = new_stack()
    ops = sns.Topic.from_topic_arn(stack, "Ops", "arn:aws:sns:us-east-1:123456789012:ops")
    with pytest.raises(RuntimeError) as raised:
        migration(stack, alarm_topic=ops)
    assert ("[safe-constructs:AlarmTopicInOtherRegion] Test/Replication: alarm_topic (alarmTopic) is in us-east-1, and the "
            "replication in eu-west-1: EventBridge delivers a rule's events only to targets of its own region, and the alarms notify "
            "a topic of theirs; fix: give a topic in eu-west-1, or omit alarm_topic (a new encrypted topic)") in str(raised.value)


def test_the_state_change_rule_sends_every_change_of_the_task_and_its_instance():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template = synth(stack)
    rule = state_change_rule(template)
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["resources"] == [{"Ref": stack.get_logical_id(replication.task)},
                                    {"Ref": stack.get_logical_id(replication.replication_instance)}]
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": stack.get_logical_id(replication.alarm_topic.node.default_child)}
    # moto's EventBridge pattern matcher stands in for EventBridge, with DMS's sample event (CHAP_EventBridge) for this task
    task_arn, instance_arn = "arn:aws:dms:eu-west-1:123456789012:task:TASKID", "arn:aws:dms:eu-west-1:123456789012:rep:REPID"
    matcher = EventPattern.load(json.dumps({**pattern, "resources": [task_arn, instance_arn]}))
    sample = {"version": "0", "id": "11a11b11-222b-333a-44d4-01234a5b67890", "detail-type": "DMS Replication Task State Change",
              "source": "aws.dms", "account": "123456789012", "time": "1970-01-01T00:00:00Z", "region": "eu-west-1",
              "resources": [task_arn], "detail": {"type": "ReplicationTask", "category": "StateChange",
              "eventType": "REPLICATION_TASK_STARTED", "eventName": "DMS-EVENT-0069", "detailMessage": "Replication task started"}}
    failed = {**sample, "detail": {"type": "REPLICATION_TASK", "category": "Failure", "eventType": "REPLICATION_TASK_FAILED",
                                   "eventId": "DMS-EVENT-0078"}}  # the other version of the page names the field eventId
    low_storage = {**sample, "detail-type": "DMS Replication Instance State Change", "resources": [instance_arn]}
    assert all(matcher.matches_event(event) for event in (sample, failed, low_storage))
    assert not matcher.matches_event({**sample, "resources": ["arn:aws:dms:eu-west-1:123456789012:task:OTHER"]})


def test_unwatched_leaves_a_warning_and_refuses_watch_settings():
    stack = new_stack()
    replication, _, _ = migration(stack, watch=False)
    template = synth(stack)
    assert not template.find_resources("AWS::CloudWatch::Alarm") and not template.find_resources("AWS::SNS::Topic")
    assert replication.alarm_topic is None and replication.alarms == []
    assert any("replicationUnwatched" in w for w in warnings_of(stack))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:WatchSettingsUnused\] Test/Replication: alarm_thresholds "
                                           r"\(alarmThresholds\) is used only when the replication is watched, and watch is False"):
        migration(new_stack(), watch=False, alarm_thresholds=ReplicationAlarmThresholds(cdc_latency_seconds=60))
