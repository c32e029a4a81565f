import json
import os
import pathlib
import re
import subprocess
import sys

import aws_cdk as cdk
import pytest
from aws_cdk import Aspects, AspectPriority, CfnResource, RemovalPolicy
from aws_cdk import aws_batch as batch, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_efs as efs, aws_kinesis as kinesis
from aws_cdk import aws_kms as kms, aws_logs as logs, aws_rds as rds, aws_s3 as s3, aws_sns as sns, aws_sqs as sqs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk.assertions import Match

from harness import KEY_ARN, REGION, error_annotations, infos_of, new_stack, synth, warnings_of
from safe_constructs import EncryptionAspect, EncryptionMode, UpdateBehavior

DYNAMIC_PASSWORD = "{{resolve:secretsmanager:db-master:SecretString:password::}}"
REDSHIFT = {"ClusterType": "single-node", "NodeType": "ra3.large", "DBName": "dev", "MasterUsername": "admin",
            "ManageMasterPassword": True}
FIREHOSE = {"DeliveryStreamType": "DirectPut", "ExtendedS3DestinationConfiguration": {
    "BucketARN": "arn:aws:s3:::landing", "RoleARN": "arn:aws:iam::123456789012:role/firehose"}}

# type -> (unencrypted properties, the same resource encrypted), each valid for cfn-lint
# A managed EC2 compute environment: Batch launches its instances from the default AMI.
BATCH = {"Type": "MANAGED", "ComputeResources": {"Type": "EC2", "MaxvCpus": 4, "Subnets": ["subnet-12345678"],
         "SecurityGroupIds": ["sg-12345678"], "InstanceTypes": ["optimal"],
         "InstanceRole": f"arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"}}
# An EMR security configuration that encrypts local disks (EnableAtRestEncryption and LocalDiskEncryptionConfiguration),
# and one that encrypts EMRFS data in S3 only.
EMR_LOCAL_DISKS = {"Name": "local-disks-encrypted", "SecurityConfiguration": {"EncryptionConfiguration": {
    "EnableInTransitEncryption": False, "EnableAtRestEncryption": True, "AtRestEncryptionConfiguration": {
        "S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"},
        "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KEY_ARN,
                                             "EnableEbsEncryption": True}}}}}
EMR_S3_ONLY = {"Name": "s3-only", "SecurityConfiguration": {"EncryptionConfiguration": {
    "EnableInTransitEncryption": False, "EnableAtRestEncryption": True, "AtRestEncryptionConfiguration": {
        "S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"}}}}}
# Resources a case names, which the stack holds beside it: type -> (construct id, type, properties).
COMPANIONS = {"AWS::EMR::Cluster": [("SecurityConfiguration", "AWS::EMR::SecurityConfiguration", EMR_LOCAL_DISKS)]}
CASES = {
    "AWS::S3::Bucket": ({}, {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}}]}}),
    "AWS::RDS::DBInstance": (
        {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20",
         "MasterUsername": "app", "ManageMasterUserPassword": True},
        {"StorageEncrypted": True}),
    "AWS::RDS::DBCluster": ({"Engine": "aurora-postgresql", "MasterUsername": "app", "ManageMasterUserPassword": True},
                            {"StorageEncrypted": True}),
    "AWS::DocDB::DBCluster": ({"MasterUsername": "app", "MasterUserPassword": DYNAMIC_PASSWORD},
                              {"StorageEncrypted": True}),
    "AWS::Neptune::DBCluster": ({}, {"StorageEncrypted": True}),
    "AWS::DynamoDB::Table": (
        {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"},
        {"SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN}}),
    "AWS::EC2::Volume": ({"AvailabilityZone": f"{REGION}a", "Size": 10}, {"Encrypted": True}),
    "AWS::EC2::Instance": ({"ImageId": "ami-12345678", "InstanceType": "t3.micro"},
                           {"BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                                                     "Ebs": {"VolumeSize": 8, "Encrypted": True}}]}),
    "AWS::EFS::FileSystem": ({}, {"Encrypted": True}),
    "AWS::SQS::Queue": ({"SqsManagedSseEnabled": False}, {"SqsManagedSseEnabled": True}),
    "AWS::SNS::Topic": ({}, {"KmsMasterKeyId": "alias/aws/sns"}),  # {} is SNS's disk encryption
    "AWS::Kinesis::Stream": ({"ShardCount": 1}, {"StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}}),
    "AWS::ElastiCache::ReplicationGroup": (
        {"ReplicationGroupDescription": "sessions", "Engine": "redis", "CacheNodeType": "cache.t4g.small",
         "NumCacheClusters": 1},
        {"AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True}),
    "AWS::Redshift::Cluster": ({**REDSHIFT, "Encrypted": False}, {"Encrypted": True}),
    "AWS::OpenSearchService::Domain": ({}, {"EncryptionAtRestOptions": {"Enabled": True}}),
    "AWS::Elasticsearch::Domain": ({}, {"EncryptionAtRestOptions": {"Enabled": True}}),
    "AWS::KinesisFirehose::DeliveryStream": (FIREHOSE, {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"}}),
    "AWS::EC2::LaunchTemplate": ({"LaunchTemplateData": {"ImageId": "ami-12345678"}}, {"LaunchTemplateData": {
        "ImageId": "ami-12345678", "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}]}}),
    "AWS::AutoScaling::LaunchConfiguration": ({"ImageId": "ami-12345678", "InstanceType": "t3.micro"}, {
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}]}),
    "AWS::ElastiCache::CacheCluster": ({"CacheNodeType": "cache.t4g.small", "Engine": "memcached", "NumCacheNodes": 1},
                                       None),  # a cache cluster cannot be encrypted at rest
    "AWS::EMR::Cluster": ({"Name": "etl", "ReleaseLabel": "emr-7.5.0", "JobFlowRole": "EMR_EC2_DefaultRole",
                           "ServiceRole": "EMR_DefaultRole", "Instances": {"MasterInstanceGroup": {
                               "InstanceCount": 1, "InstanceType": "m5.xlarge"}}},
                          {"SecurityConfiguration": EMR_LOCAL_DISKS["Name"]}),
    "AWS::DAX::Cluster": ({"NodeType": "dax.t3.small", "ReplicationFactor": 1,
                           "IAMRoleARN": "arn:aws:iam::123456789012:role/dax"}, {"SSESpecification": {"SSEEnabled": True}}),
    "AWS::Batch::ComputeEnvironment": (BATCH, {**BATCH, "ComputeResources": {**BATCH["ComputeResources"],
                                                "LaunchTemplate": {"LaunchTemplateName": "encrypted-volumes"}}}),
    "AWS::Logs::LogGroup": ({}, {"KmsKeyId": KEY_ARN}),
    "AWS::Backup::BackupVault": ({"BackupVaultName": "vault"}, {"EncryptionKeyArn": KEY_ARN}),
}
# The sets below derive from the coverage table itself (EncryptionAspect.coverage()): a new row joins them.
COVERAGE = EncryptionAspect.coverage()
# Resources AWS encrypts when the property is absent: (type, properties), silent unless a key is asked for.
ENCRYPTED_BY_DEFAULT = {
    "AWS::S3::Bucket": {}, "AWS::DynamoDB::Table": CASES["AWS::DynamoDB::Table"][0], "AWS::Logs::LogGroup": {},
    "AWS::Backup::BackupVault": CASES["AWS::Backup::BackupVault"][0], "AWS::SQS::Queue": {},
    # "By default, Amazon SNS stores messages and files using disk encryption"
    "AWS::SNS::Topic": {},
    # CreateCluster: Encrypted "Default: true"
    "AWS::Redshift::Cluster": REDSHIFT,
    # CreateReplicationGroup: AtRestEncryptionEnabled "Default: true when using Valkey"
    "AWS::ElastiCache::ReplicationGroup": {**CASES["AWS::ElastiCache::ReplicationGroup"][0], "Engine": "valkey",
                                           "TransitEncryptionEnabled": True},
}
assert set(ENCRYPTED_BY_DEFAULT) == {row.resource_type for row in COVERAGE if row.encrypted_by_default or row.encrypted_by_default_when}
# The unencrypted case of these is the default turned off, so only they are reported among the above.
DEFAULT_TURNED_OFF = {row.resource_type for row in COVERAGE if row.default_turned_off_by}
assert DEFAULT_TURNED_OFF <= set(ENCRYPTED_BY_DEFAULT)
NEVER_UNENCRYPTED = set(ENCRYPTED_BY_DEFAULT) - DEFAULT_TURNED_OFF
REFUSED_IN_FIX = {row.resource_type for row in COVERAGE if row.fix_refused_because and not row.fix_refused_only_when_set}
# What FIX cannot write itself: a device name that depends on the AMI, a separate resource, another resource type.
UNWRITABLE = {row.resource_type for row in COVERAGE if row.fix_not_written_because}
FIXED_IN_PLACE = sorted(set(CASES) - REFUSED_IN_FIX - NEVER_UNENCRYPTED - UNWRITABLE)


def stack_with(resource_type, properties, **aspect_props):
    stack = new_stack()
    for construct_id, companion_type, companion in COMPANIONS.get(resource_type, []):
        CfnResource(stack, construct_id, type=companion_type, properties=companion)
    resource = CfnResource(stack, "Store", type=resource_type, properties=properties)
    Aspects.of(stack).add(EncryptionAspect(**aspect_props))
    return stack, resource


def errors_of(stack):
    """The aspect's errors without the path `cdk synth` prints in front of each."""
    return [re.sub(r"^\[[^\]]*\] ", "", e) for e in error_annotations(stack)]


def error_paths(stack):
    """The construct path of each error (the CfnResource's), with the leading "/" of the CLI's report."""
    return ["/" + re.match(r"^\[([^\]]*)\]", e).group(1) for e in error_annotations(stack)]


def properties_of(template):
    return template.to_json()["Resources"]["Store"]["Properties"] if "Properties" in \
        template.to_json()["Resources"]["Store"] else {}


@pytest.mark.parametrize("resource_type", sorted(set(CASES) - NEVER_UNENCRYPTED))
def test_report_mode_reports_each_unencrypted_type_with_path_property_and_fix(resource_type):
    # GIVEN an unencrypted resource, written as raw L1
    stack, _ = stack_with(resource_type, CASES[resource_type][0])
    # WHEN synthesized with the aspect in its default mode
    synth(stack, allow_errors=True)
    # THEN an error names the type and the property and gives the fix, and nothing changed
    errors = errors_of(stack)
    assert errors, resource_type
    assert all(e.startswith("[safe-constructs:Unencrypted") and f"] {resource_type} " in e and "; fix: " in e
               for e in errors)
    assert any("stored unencrypted" in e for e in errors)
    assert error_paths(stack)[0] == "/Test/Store"


@pytest.mark.parametrize("resource_type", sorted(ENCRYPTED_BY_DEFAULT))
def test_report_mode_is_silent_where_aws_encrypts_by_default(resource_type):
    stack, _ = stack_with(resource_type, ENCRYPTED_BY_DEFAULT[resource_type])
    synth(stack)
    assert not [w for w in warnings_of(stack) if "safe-constructs" in w]


@pytest.mark.parametrize("resource_type", sorted(ENCRYPTED_BY_DEFAULT))
def test_report_mode_warns_where_the_default_key_is_weaker_than_asked(resource_type):
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    CfnResource(stack, "Store", type=resource_type, properties=ENCRYPTED_BY_DEFAULT[resource_type])
    Aspects.of(stack).add(EncryptionAspect(encryption_key=key))
    synth(stack)
    assert any("encryptionKeyWeaker" in w and "not the customer-managed key asked for" in w for w in warnings_of(stack))


@pytest.mark.parametrize("resource_type", sorted(r for r in CASES if CASES[r][1] is not None))
@pytest.mark.parametrize("mode", [EncryptionMode.REPORT, EncryptionMode.FIX])
def test_already_encrypted_is_silent(resource_type, mode):
    unencrypted, encrypted = CASES[resource_type]
    stack, _ = stack_with(resource_type, {**unencrypted, **encrypted}, mode=mode)
    template = synth(stack)
    assert not [w for w in warnings_of(stack) if "safe-constructs" in w]
    assert not infos_of(stack)
    assert properties_of(template) == {**unencrypted, **encrypted}


@pytest.mark.parametrize("resource_type", FIXED_IN_PLACE)
def test_fix_mode_encrypts_what_changes_in_place(resource_type):
    stack, _ = stack_with(resource_type, CASES[resource_type][0], mode=EncryptionMode.FIX)
    template = synth(stack)  # cfn-lint clean, no error left
    props = properties_of(template)
    assert props != CASES[resource_type][0]
    assert any("EncryptionAspect encrypted it" in i for i in infos_of(stack))
    # and the aspect, run again over its own result, finds nothing
    stack2, _ = stack_with(resource_type, props)
    synth(stack2)


@pytest.mark.parametrize("resource_type", sorted(REFUSED_IN_FIX - NEVER_UNENCRYPTED))
def test_fix_mode_refuses_a_change_that_replaces_a_stateful_resource(resource_type):
    stack, _ = stack_with(resource_type, CASES[resource_type][0], mode=EncryptionMode.FIX)
    template = synth(stack, allow_errors=True)
    assert properties_of(template) == CASES[resource_type][0]  # unchanged
    errors = errors_of(stack)
    assert errors and all("EncryptionAspect did not change it: " in e
                          and "allow_replacement_of (allowReplacementOf)" in e for e in errors)


@pytest.mark.parametrize("resource_type", sorted(REFUSED_IN_FIX - UNWRITABLE))
def test_fix_mode_changes_a_replacement_property_of_a_listed_resource(resource_type):
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    resource = CfnResource(stack, "Store", type=resource_type, properties=CASES[resource_type][0])
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX, encryption_key=key, allow_replacement_of=[resource]))
    template = synth(stack)
    props = properties_of(template)
    if resource_type == "AWS::DAX::Cluster":  # its SSESpecification has no key property (CloudFormation schema)
        assert props["SSESpecification"] == {"SSEEnabled": True}
    else:
        assert json.dumps(stack.resolve(key.key_arn)) in json.dumps(props)
    if resource_type == "AWS::ElastiCache::ReplicationGroup":
        assert props["AtRestEncryptionEnabled"] is True and props["TransitEncryptionEnabled"] is True


def test_fix_mode_cannot_guess_the_root_device_of_an_instance():
    stack = new_stack()
    resource = CfnResource(stack, "Store", type="AWS::EC2::Instance", properties=CASES["AWS::EC2::Instance"][0])
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX, allow_replacement_of=[resource]))
    synth(stack, allow_errors=True)
    assert errors_of(stack) == [
        "[safe-constructs:UnencryptedAtRest] AWS::EC2::Instance BlockDeviceMappings[].Ebs.Encrypted is absent, and AWS "
        "does not encrypt this by default: the resource is stored unencrypted; EncryptionAspect cannot change it: "
        "without a block device mapping it cannot know the root device's name: it depends on the AMI; "
        "fix: give the root device (and every EBS mapping) Ebs.Encrypted: true (L2: block_devices with "
        "BlockDeviceVolume.ebs(size, encrypted=True))"]


def test_fix_mode_with_a_key_encrypts_a_log_group_and_lets_logs_use_the_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    logs.LogGroup(stack, "Logs", removal_policy=RemovalPolicy.RETAIN)
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX, encryption_key=key))
    template = synth(stack)
    template.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": stack.resolve(key.key_arn)})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Principal": {"Service": f"logs.{REGION}.amazonaws.com"}})])}})


def test_an_exempt_resource_is_left_alone_with_its_reason_shown():
    stack = new_stack()
    topic = sns.Topic(stack, "Public")
    EncryptionAspect.exempt(topic, "public announcements, no data at rest worth a key")
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack)
    assert infos_of(stack) == ["exempt from EncryptionAspect: public announcements, no data at rest worth a key"]


def test_an_exempt_type_is_left_alone_with_its_reason_shown():
    stack, _ = stack_with("AWS::SNS::Topic", {}, exempt_resource_types={"AWS::SNS::Topic": "carries only public events"})
    synth(stack)
    assert infos_of(stack) == ["exempt from EncryptionAspect: carries only public events"]


def test_fails_with_an_exemption_without_a_reason():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:ExemptionWithoutReason\] Test/Topic: reason must say why the resource may stay "
            r"unencrypted, got: \" \"; fix: give the reason")):
        EncryptionAspect.exempt(sns.Topic(stack, "Topic"), " ")


def test_fails_with_an_exempt_type_it_does_not_check():
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:ExemptTypeUnknown\] .*" r"exempt_resource_types \(exemptResourceTypes\) names \"AWS::SNS::Topics\", which EncryptionAspect does not check"):
        EncryptionAspect(exempt_resource_types={"AWS::SNS::Topics": "typo"})


@pytest.mark.parametrize("properties", [{"DBClusterIdentifier": "aurora-1"}, {"SourceDBInstanceIdentifier": "primary"}])
def test_a_db_instance_whose_encryption_is_decided_elsewhere_is_not_reported(properties):
    stack, _ = stack_with("AWS::RDS::DBInstance", {"Engine": "aurora-postgresql", "DBInstanceClass": "db.r6g.large",
                                                   **properties})
    synth(stack)


def test_a_token_is_reported_as_undecided_not_guessed():
    stack = new_stack()
    flag = cdk.CfnParameter(stack, "Encrypt", type="String", allowed_values=["true", "false"])
    CfnResource(stack, "Store", type="AWS::EFS::FileSystem", properties={"Encrypted": flag.value_as_string})
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack)
    assert any("encryptionUndecided" in w and "unresolved token" in w for w in warnings_of(stack))


def l2_stack():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    s3.Bucket(stack, "Bucket", enforce_ssl=True)
    rds.DatabaseInstance(stack, "Db", engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
                         vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))
    sqs.Queue(stack, "Queue")
    sns.Topic(stack, "Topic")
    dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING))
    efs.FileSystem(stack, "Files", vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))
    kinesis.Stream(stack, "Stream")
    logs.LogGroup(stack, "Logs")
    return stack


def test_a_stack_of_l2s_in_report_mode_reports_exactly_the_unencrypted():
    stack = l2_stack()
    Aspects.of(stack).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    synth(stack, allow_errors=True)
    reported = {p.split("/")[2] for p in error_paths(stack)}
    assert reported == {"Db"}  # rds.DatabaseInstance does not encrypt by default; SNS encrypts disks by default


def test_a_stack_of_l2s_in_fix_mode_refuses_the_database_and_leaves_the_rest():
    stack = l2_stack()
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX), priority=AspectPriority.READONLY)
    template = synth(stack, allow_errors=True)
    [topic] = template.find_resources("AWS::SNS::Topic").values()
    assert "KmsMasterKeyId" not in topic.get("Properties", {})  # SNS's own disk encryption: nothing to fix
    errors = errors_of(stack)
    assert len(errors) == 1 and "AWS::RDS::DBInstance StorageEncrypted is absent" in errors[0]


def test_coverage_agrees_with_the_cloudformation_schemas():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    for row in EncryptionAspect.coverage():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", row.resource_type).schema
        create_only = {p.split("/")[-1] for p in schema.get("createOnlyProperties", [])}
        top_property = re.split(r"[\[ .]", row.property)[0]
        assert top_property in schema["properties"], row.property
        # every row: REPLACEMENT exactly where the schema makes the property create-only
        assert (row.update_behavior == UpdateBehavior.REPLACEMENT) == (top_property in create_only), row.resource_type
    assert {row.resource_type for row in EncryptionAspect.coverage()} == set(CASES)


def coverage_table():
    lines = ["| resource type | property | AWS encrypts when absent | changing it | FIX mode | source |",
             "|---|---|---|---|---|---|"]
    for row in EncryptionAspect.coverage():
        fix = f"refused unless listed: {row.fix_refused_because}" if row.fix_refused_because else "sets it"
        if row.fix_not_written_because:
            fix = f"reports it: {row.fix_not_written_because}" if not row.fix_refused_because else fix
        if row.fix_refused_only_when_set:
            fix = f"sets it when absent; when set, {fix}"
        default = "yes" if row.encrypted_by_default else "no"
        if row.encrypted_by_default_when:
            default += f"; yes when {row.encrypted_by_default_when}"
        if row.default_turned_off_by:
            default += f"; turned off by {row.default_turned_off_by}"
        what = f"`{row.property}`" + (" (in transit)" if row.in_transit else "")
        changing = row.update_behavior.name.lower().replace("_", " ") + (f": {row.update_note}" if row.update_note else "")
        lines.append(f"| `{row.resource_type}` | {what} | {default} | {changing} | {fix} "
                     f"| [AWS]({row.source}) |")
    return "\n".join(lines)


def test_the_readme_coverage_table_is_the_aspects_own():
    # npx projen docs writes it from the table's source; the built library must give the same rows
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert coverage_table() in readme, "regenerate the table:\n" + coverage_table()


def test_reads_typed_l1_properties_as_synthesized_after_overrides():
    # GIVEN typed L1s whose encryption an override removes, sets, or turns off in a nested path
    stack = new_stack()
    database = {"engine": "postgres", "db_instance_class": "db.t4g.micro", "allocated_storage": "20",
                "master_username": "app", "manage_master_user_password": True}
    removed = rds.CfnDBInstance(stack, "RemovedByOverride", storage_encrypted=True, **database)
    removed.add_property_deletion_override("StorageEncrypted")
    rds.CfnDBInstance(stack, "SetByOverride", **database).add_property_override("StorageEncrypted", True)
    sqs.CfnQueue(stack, "OffByOverride", sqs_managed_sse_enabled=True).add_override(
        "Properties.SqsManagedSseEnabled", False)
    Aspects.of(stack).add(EncryptionAspect())
    # WHEN synthesized
    template = synth(stack, allow_errors=True).to_json()["Resources"]
    # THEN the aspect judged what the template says, not what the constructor was given
    assert "StorageEncrypted" not in template["RemovedByOverride"]["Properties"]
    flagged = set(error_paths(stack))
    assert flagged == {"/Test/RemovedByOverride", "/Test/OffByOverride"}


@pytest.mark.parametrize("resource_type", ["AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"])
def test_fix_mode_refuses_to_change_domain_encryption_once_it_is_set(resource_type):
    # GIVEN a domain whose EncryptionAtRestOptions is set to Enabled: false (what the L2 always writes)
    stack, _ = stack_with(resource_type, {"EncryptionAtRestOptions": {"Enabled": False}}, mode=EncryptionMode.FIX)
    # WHEN FIX mode runs
    template = synth(stack, allow_errors=True)
    # THEN it leaves the options alone: changing them once set deletes and recreates the domain
    assert properties_of(template) == {"EncryptionAtRestOptions": {"Enabled": False}}
    [error] = errors_of(stack)
    assert "deletes and recreates the domain" in error and "while the domain is new" in error
    assert "allow_replacement_of (allowReplacementOf)" in error


def test_fix_mode_leaves_an_l2_opensearch_domain_alone_unless_it_is_listed():
    stack = new_stack()
    domain = opensearch.Domain(stack, "Search", version=opensearch.EngineVersion.OPENSEARCH_2_19,
                               removal_policy=RemovalPolicy.RETAIN)
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX), priority=AspectPriority.READONLY)
    template = synth(stack, allow_errors=True)
    template.has_resource_properties("AWS::OpenSearchService::Domain", {"EncryptionAtRestOptions": {"Enabled": False}})
    assert any("deletes and recreates the domain" in e for e in errors_of(stack))

    listed = new_stack()
    domain = opensearch.Domain(listed, "Search", version=opensearch.EngineVersion.OPENSEARCH_2_19,
                               removal_policy=RemovalPolicy.RETAIN)
    Aspects.of(listed).add(EncryptionAspect(mode=EncryptionMode.FIX, allow_replacement_of=[domain]),
                           priority=AspectPriority.READONLY)
    synth(listed).has_resource_properties("AWS::OpenSearchService::Domain",
                                          {"EncryptionAtRestOptions": {"Enabled": True}})


def test_redshift_encrypted_false_is_reported_as_a_failed_create():
    stack, _ = stack_with("AWS::Redshift::Cluster", CASES["AWS::Redshift::Cluster"][0])
    synth(stack, allow_errors=True)
    [error] = errors_of(stack)
    assert error.startswith("[safe-constructs:UnencryptedAtRest] AWS::Redshift::Cluster Encrypted is false, which CreateCluster rejects for a new cluster")


def test_redis_oss_without_at_rest_encryption_is_reported_and_valkey_is_not():
    redis = CASES["AWS::ElastiCache::ReplicationGroup"][0] | {"TransitEncryptionEnabled": True}
    stack, _ = stack_with("AWS::ElastiCache::ReplicationGroup", redis)
    synth(stack, allow_errors=True)
    assert [e.split(" is ")[0] for e in errors_of(stack)] == [
        "[safe-constructs:UnencryptedAtRest] AWS::ElastiCache::ReplicationGroup AtRestEncryptionEnabled"]
    stack, _ = stack_with("AWS::ElastiCache::ReplicationGroup", redis | {"Engine": "valkey"})
    synth(stack)
    stack, _ = stack_with("AWS::ElastiCache::ReplicationGroup",
                          redis | {"Engine": "valkey", "AtRestEncryptionEnabled": False})
    synth(stack, allow_errors=True)
    assert len(errors_of(stack)) == 1


def test_a_transit_finding_speaks_of_traffic_not_storage():
    redis = CASES["AWS::ElastiCache::ReplicationGroup"][0] | {"AtRestEncryptionEnabled": True}
    stack, _ = stack_with("AWS::ElastiCache::ReplicationGroup", redis)
    synth(stack, allow_errors=True)
    [error] = errors_of(stack)
    assert error.startswith("[safe-constructs:UnencryptedInTransit]")
    assert "its traffic is not encrypted in transit" in error and "stored" not in error.split("; fix")[0]


def test_a_firehose_stream_reading_another_stream_is_not_reported():
    source = {"DeliveryStreamType": "KinesisStreamAsSource", "KinesisStreamSourceConfiguration": {
        "KinesisStreamARN": f"arn:aws:kinesis:{REGION}:123456789012:stream/in",
        "RoleARN": "arn:aws:iam::123456789012:role/firehose"},
        "ExtendedS3DestinationConfiguration": FIREHOSE["ExtendedS3DestinationConfiguration"]}
    stack, _ = stack_with("AWS::KinesisFirehose::DeliveryStream", source)
    synth(stack)


def test_fails_a_name_where_a_construct_is_expected_in_jsii_naming_the_key_and_the_index():
    # Python's generated check does not check an interface (IConstruct): jsii refuses the string before the
    # aspect runs, in a tree that names the key by its jsii name, the index and what was given
    with pytest.raises(RuntimeError) as raised:
        EncryptionAspect(allow_replacement_of=["Db"])
    message = str(raised.value)
    assert message.startswith("Passed to parameter props of new safe-constructs.EncryptionAspect: "
                              "Unable to deserialize value as safe-constructs.EncryptionAspectProps")
    for line in ("Key 'allowReplacementOf': Unable to deserialize value as array<constructs.IConstruct>",
                 "Index 0: Unable to deserialize value as constructs.IConstruct", "Failing value is a string", "'Db'"):
        assert line in message, message


def test_fails_a_string_where_a_mode_is_expected_in_python_naming_the_argument():
    with pytest.raises(TypeError, match=r"^type of argument mode must be one of \(safe_constructs.EncryptionMode, NoneType\); "
                                        r"got str instead$"):
        EncryptionAspect(mode="FIX")


def test_an_exemption_of_the_whole_app_without_a_reason_names_the_app():
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:ExemptionWithoutReason\] \(the app\): reason must say"):
        EncryptionAspect.exempt(cdk.App(), " ")


@pytest.mark.parametrize("compute_resources", [
    None,  # UNMANAGED: the environment launches no instance of its own
    {"Type": "FARGATE", "MaxvCpus": 4, "Subnets": ["subnet-12345678"], "SecurityGroupIds": ["sg-12345678"]},
])
def test_a_batch_environment_without_instances_of_its_own_is_not_reported(compute_resources):
    properties = {"Type": "UNMANAGED"} if compute_resources is None else {"Type": "MANAGED", "ComputeResources": compute_resources}
    stack, _ = stack_with("AWS::Batch::ComputeEnvironment", properties)
    synth(stack)
    assert errors_of(stack) == []


def test_a_batch_environment_on_the_default_launch_template_is_reported_with_the_launch_template_fix():
    stack, _ = stack_with("AWS::Batch::ComputeEnvironment", BATCH)
    synth(stack, allow_errors=True)
    [error] = errors_of(stack)
    assert error.startswith("[safe-constructs:UnencryptedAtRest] AWS::Batch::ComputeEnvironment ComputeResources.LaunchTemplate")
    assert "fix: give ComputeResources a LaunchTemplate whose BlockDeviceMappings set Ebs Encrypted: true" in error


def l2_batch_environment(stack, launch_template=None):
    """A managed Spot environment built with aws-cdk-lib's L2: subnets, security groups and role are references."""
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    return batch.ManagedEc2EcsComputeEnvironment(stack, "Spot", vpc=vpc, spot=True, launch_template=launch_template,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))


def encrypting_launch_template(stack):
    return ec2.LaunchTemplate(stack, "Template", block_devices=[ec2.BlockDevice(
        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True))])


def test_fails_an_l2_spot_environment_without_a_launch_template_decided_from_the_keys_that_matter():
    # GIVEN a Spot environment of the L2, whose ComputeResources holds references (subnets, groups, role)
    stack = new_stack()
    l2_batch_environment(stack)
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack, allow_errors=True)
    # THEN it is decided (Type SPOT, no LaunchTemplate), not left undecided for the references beside them
    [error] = errors_of(stack)
    assert error.startswith("[safe-constructs:UnencryptedAtRest] AWS::Batch::ComputeEnvironment ComputeResources.LaunchTemplate "
                            "is absent, and AWS does not encrypt this by default")
    assert not [w for w in warnings_of(stack) if "encryptionUndecided" in w]


def test_an_l2_spot_environment_on_a_launch_template_that_encrypts_passes():
    stack = new_stack()
    l2_batch_environment(stack, launch_template=encrypting_launch_template(stack))
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack)
    assert errors_of(stack) == [] and not [w for w in warnings_of(stack) if "safe-constructs" in w]


def test_a_batch_environment_whose_type_is_a_token_is_undecided_naming_the_type():
    stack = new_stack()
    kind = cdk.CfnParameter(stack, "Kind", allowed_values=["EC2", "FARGATE"]).value_as_string
    CfnResource(stack, "Store", type="AWS::Batch::ComputeEnvironment",
                properties={**BATCH, "ComputeResources": {**BATCH["ComputeResources"], "Type": kind}})
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack)
    assert any("encryptionUndecided" in w and "AWS::Batch::ComputeEnvironment ComputeResources.Type is an unresolved token"
               in w for w in warnings_of(stack)), warnings_of(stack)


def emr_cluster(stack, security_configuration):
    return CfnResource(stack, "Store", type="AWS::EMR::Cluster",
                       properties={**CASES["AWS::EMR::Cluster"][0], "SecurityConfiguration": security_configuration})


def test_fails_an_emr_cluster_whose_security_configuration_encrypts_s3_only():
    # GIVEN a security configuration that encrypts EMRFS data in S3 and not the local disks, named by Ref
    stack = new_stack()
    config = CfnResource(stack, "SecurityConfiguration", type="AWS::EMR::SecurityConfiguration", properties=EMR_S3_ONLY)
    emr_cluster(stack, config.ref)
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack, allow_errors=True)
    assert errors_of(stack) == [
        "[safe-constructs:UnencryptedAtRest] AWS::EMR::Cluster SecurityConfiguration names a security configuration that does "
        "not encrypt local disks (EnableAtRestEncryption: true with a LocalDiskEncryptionConfiguration; an "
        "S3EncryptionConfiguration covers EMRFS data in S3 only): the cluster's instance store and EBS volumes are stored "
        "unencrypted; fix: give the cluster a SecurityConfiguration (AWS::EMR::SecurityConfiguration) with "
        "EnableAtRestEncryption: true and a LocalDiskEncryptionConfiguration (EncryptionKeyProviderType AwsKms with "
        "EnableEbsEncryption: true also encrypts the root volume)"]


@pytest.mark.parametrize("at_rest", [False, None])
def test_fails_an_emr_security_configuration_with_local_disks_but_at_rest_encryption_off(at_rest):
    # "EnableAtRestEncryption ... If omitted, false is assumed and at-rest encryption is disabled."
    encryption = dict(EMR_LOCAL_DISKS["SecurityConfiguration"]["EncryptionConfiguration"])
    if at_rest is None:
        del encryption["EnableAtRestEncryption"]
    else:
        encryption["EnableAtRestEncryption"] = at_rest
    stack = new_stack()
    CfnResource(stack, "SecurityConfiguration", type="AWS::EMR::SecurityConfiguration", properties={
        "Name": "off", "SecurityConfiguration": json.dumps({"EncryptionConfiguration": encryption})})  # as JSON text
    emr_cluster(stack, "off")
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack, allow_errors=True)
    [error] = errors_of(stack)
    assert "AWS::EMR::Cluster SecurityConfiguration names a security configuration that does not encrypt local disks" in error


def test_an_emr_cluster_whose_security_configuration_encrypts_local_disks_passes_by_ref_and_by_name():
    for name_it in (lambda config: config.ref, lambda config: EMR_LOCAL_DISKS["Name"]):
        stack = new_stack()
        config = CfnResource(stack, "SecurityConfiguration", type="AWS::EMR::SecurityConfiguration", properties=EMR_LOCAL_DISKS)
        emr_cluster(stack, name_it(config))
        Aspects.of(stack).add(EncryptionAspect())
        synth(stack)
        assert errors_of(stack) == [] and not [w for w in warnings_of(stack) if "safe-constructs" in w]


def test_an_emr_security_configuration_outside_the_app_is_undecided_naming_it():
    stack = new_stack()
    emr_cluster(stack, "made-by-the-platform-team")
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack)
    assert errors_of(stack) == []
    assert any("encryptionUndecided" in w and 'AWS::EMR::Cluster SecurityConfiguration names "made-by-the-platform-team", '
               "a security configuration this app does not define, so whether it encrypts the local disks "
               "(EnableAtRestEncryption and LocalDiskEncryptionConfiguration) cannot be read" in w
               for w in warnings_of(stack)), warnings_of(stack)


def test_an_emr_security_configuration_in_another_stack_of_the_app_is_read():
    app = cdk.App()
    shared, clusters = new_stack(app=app, stack_id="Shared"), new_stack(app=app, stack_id="Clusters")
    config = CfnResource(shared, "SecurityConfiguration", type="AWS::EMR::SecurityConfiguration", properties=EMR_S3_ONLY)
    emr_cluster(clusters, config.ref)
    Aspects.of(app).add(EncryptionAspect())
    synth(clusters, allow_errors=True)
    [error] = errors_of(clusters)
    assert "names a security configuration that does not encrypt local disks" in error


CDK_CLI = pathlib.Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "cdk"


def test_the_librarys_warnings_and_infos_carry_no_trace_of_jsii_runtime():
    # GIVEN a warning and an info of the aspect, and a warning the app adds through aws-cdk-lib itself
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    s3.Bucket(stack, "Bucket", enforce_ssl=True)
    sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    cdk.Annotations.of(stack).add_warning_v2("app:own", "the app's own warning")
    Aspects.of(stack).add(EncryptionAspect(mode=EncryptionMode.FIX, encryption_key=key))
    messages = stack.node.root.synth(force=True).get_stack_artifact(stack.artifact_id).messages
    traces = {str(m.entry.data).split(" [ack:")[0][:40]: m.entry.trace for m in messages}
    # THEN aws-cdk-lib records the call stack of its caller, which under Python ends in jsii's runtime (`cdk synth`
    # prints its top frame above the message) ...
    assert any("program.js" in frame for frame in traces["the app's own warning"])
    # ... and the library's own messages carry none
    ours = {text: trace for text, trace in traces.items() if text.startswith(("AWS::S3::Bucket", "EncryptionAspect encrypted"))}
    assert len(ours) == 2 and all(not trace for trace in ours.values()), ours


def test_cdk_synth_prints_the_librarys_warnings_without_a_stray_location(tmp_path):
    (tmp_path / "app.py").write_text(
        "import aws_cdk as cdk\n"
        "from aws_cdk import Aspects, aws_kms as kms, aws_s3 as s3\n"
        "from safe_constructs import EncryptionAspect\n"
        "app = cdk.App()\n"
        "stack = cdk.Stack(app, 'Warned')\n"
        "s3.Bucket(stack, 'Bucket', enforce_ssl=True)\n"
        "Aspects.of(app).add(EncryptionAspect(encryption_key=kms.Key(stack, 'Key', enable_key_rotation=True)))\n"
        "app.synth()\n")
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("CDK_OUTDIR", None)
    result = subprocess.run([str(CDK_CLI), "synth", "--no-notices", "--no-version-reporting", "--quiet",
                             "--app", f"{sys.executable} app.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    [warning] = [line for line in output.splitlines() if "not the customer-managed key asked for" in line]
    assert not re.search(r"program\.js:\d+:\d+", output), output[-3000:]
