"""SafePatternsChecks, read from the synth report (validation-report.json) as a user reads it."""
import json
import pathlib
import re
import subprocess
import sys

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, AspectPriority, Aspects, Validations, aws_dms as dms, aws_ec2 as ec2, aws_iam as iam
from aws_cdk import aws_efs as efs, aws_elasticache as elasticache, aws_kms as kms, aws_lambda as lambda_, aws_rds as rds
from aws_cdk import aws_batch as batch, aws_emr as emr, aws_redshift as redshift
from aws_cdk import aws_route53 as route53, aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager, aws_sns as sns, aws_sqs as sqs

from harness import ACCOUNT, ALB_ZONE, ENV, EXTERNAL_ARN, ISOLATED, POSTGRES, REGION, lint_findings, private_vpc
from safe_constructs import (
    DmsEndpointType, DmsMySqlEngine, EncryptionAspect, EncryptionMode, ExternalSecretRdsInstance, RotatingSecret,
    SafePatternsChecks, SecureDmsMySqlEndpoint, SecureDmsPostgresEndpoint, WeightedAliasRecord, WeightedAliasTarget,
    WeightedTrafficShift,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Report:
    """What the SafePatterns plugin reported for one synthesized app."""

    def __init__(self, outdir, synth_failed):
        self.synth_failed = synth_failed
        report = json.loads((outdir / "validation-report.json").read_text())
        plugins = [p for p in report["pluginReports"] if p["pluginName"] == "SafePatterns"]
        self.plugin = plugins[0] if plugins else {"violations": [], "suppressedViolations": []}
        self.templates = [json.loads(p.read_text()) for p in sorted(outdir.glob("*.template.json"))]

    def findings(self, rule_id=None, severity=None):
        """(rule, construct path, severity, description) of every unacknowledged finding."""
        return [(v["ruleName"], c["constructPath"], v["severity"], v["description"])
                for v in self.plugin["violations"] for c in v["violatingConstructs"]
                if (rule_id is None or v["ruleName"] == rule_id) and (severity is None or v["severity"] == severity)]

    def rule_ids(self):
        return sorted(f[0] for f in self.findings())


def report_of(build, tmp_path, stacks=("Test",)):
    """Builds an app (one stack per name, `build(*stacks)`), synthesizes it with the pack, returns its report."""
    app = cdk.App(outdir=str(tmp_path))
    built = [cdk.Stack(app, name, env=ENV) for name in stacks]
    build(*built)
    Validations.of(app).add_plugins(SafePatternsChecks())
    try:
        app.synth()
        failed = False
    except RuntimeError as error:
        assert "ValidationFailed" in str(error), error
        failed = True
    return Report(tmp_path, failed)


def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "External", EXTERNAL_ARN)


def raw_endpoint(stack, **props):
    base = {"endpoint_type": "source", "engine_name": "postgres", "database_name": "payments", "ssl_mode": "require"}
    return dms.CfnEndpoint(stack, "Endpoint", **{**base, **props})


def secret_settings(secret_arn, role_arn):
    return dms.CfnEndpoint.PostgreSqlSettingsProperty(secrets_manager_secret_id=secret_arn,
                                                      secrets_manager_access_role_arn=role_arn)


def regional_role(stack, secret):
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal(f"dms.{REGION}.amazonaws.com"))
    secret.grant_read(role)
    return role


def secret_endpoint(stack, settings_key="postgre_sql_settings", **props):
    """A raw endpoint that reads the external secret through a regionally trusted role."""
    secret = external(stack)
    settings_type = {"postgre_sql_settings": dms.CfnEndpoint.PostgreSqlSettingsProperty,
                     "my_sql_settings": dms.CfnEndpoint.MySqlSettingsProperty}[settings_key]
    settings = settings_type(secrets_manager_secret_id=EXTERNAL_ARN,
                             secrets_manager_access_role_arn=regional_role(stack, secret).role_arn)
    return raw_endpoint(stack, **{settings_key: settings}, **props)


def safe_endpoint(stack):
    SecureDmsPostgresEndpoint(stack, "Source", secret=external(stack), endpoint_type=DmsEndpointType.SOURCE,
                              database_name="payments")


def zone(stack):
    return route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")


def raw_weighted(stack, record_id, identifier="blue", name="pay.example.com.", record_type="A", **extra):
    return route53.CfnRecordSet(stack, record_id, hosted_zone_id="Z0123456789ABC", name=name, type=record_type,
        weight=50, set_identifier=identifier, alias_target=route53.CfnRecordSet.AliasTargetProperty(
            dns_name=f"{record_id.lower()}.eu-west-1.elb.amazonaws.com", hosted_zone_id=ALB_ZONE), **extra)


def target(name="alb"):
    return WeightedAliasTarget.from_attributes(f"{name}.eu-west-1.elb.amazonaws.com", ALB_ZONE)


def raw_plain(stack, record_id="Plain", name="pay.example.com.", record_type="A"):
    records = ["2001:db8::1"] if record_type == "AAAA" else ["192.0.2.1"]
    return route53.CfnRecordSet(stack, record_id, hosted_zone_id="Z0123456789ABC", name=name, type=record_type,
                                resource_records=records, ttl="60")


def vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def external_credentials(stack):
    secret = external(stack)
    return rds.Credentials.from_password(secret.secret_value_from_json("username").unsafe_unwrap(),
                                         secret.secret_value_from_json("password"))


def rotated(stack, vpc, subnets=ISOLATED, **options):
    """A plain secret rotated by a hosted function in `vpc`."""
    secret = secretsmanager.Secret(stack, "Sec")
    secret.add_rotation_schedule("Rot", hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
        vpc=vpc, vpc_subnets=subnets, **options))


def sar_rotated(stack, vpc, **options):
    """An RDS instance rotated by aws-cdk-lib's add_rotation_single_user(): AWS's function from the Serverless
    Application Repository, in the database's isolated subnets."""
    db = rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    db.add_rotation_single_user(**options)


def closed_group(stack, vpc, open_443=False):
    group = ec2.SecurityGroup(stack, "Closed", vpc=vpc, allow_all_outbound=False)
    group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(5432), "the database")
    if open_443:
        group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443), "Secrets Manager")
    return group


def secret_reading_function(stack, vpc):
    fn = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                          code=lambda_.Code.from_inline("def handler(event, context): pass"),
                          vpc=vpc, vpc_subnets=ISOLATED)
    external(stack).grant_read(fn)


def replication(stack, vpc, source, migration_type="full-load-and-cdc", group=None):
    """A DMS replication instance in `vpc`'s isolated subnets, with one task from `source`."""
    subnets = dms.CfnReplicationSubnetGroup(stack, "Subnets", replication_subnet_group_description="migration",
        subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids)
    group = group or ec2.SecurityGroup(stack, "Sg", vpc=vpc)
    instance = dms.CfnReplicationInstance(stack, "Replication", replication_instance_class="dms.t3.medium",
        replication_subnet_group_identifier=subnets.ref, vpc_security_group_ids=[group.security_group_id],
        publicly_accessible=False)
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret",
                                                                   EXTERNAL_ARN.replace("master", "target"))
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                       database_name="payments")
    dms.CfnReplicationTask(stack, "Task", migration_type=migration_type, replication_instance_arn=instance.ref,
        source_endpoint_arn=source.ref, target_endpoint_arn=target.endpoint_arn,
        table_mappings=json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "all",
            "rule-action": "include", "object-locator": {"schema-name": "%", "table-name": "%"}}]}))


AURORA = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_17_4)


def cdc_source(stack, parameters=None, migration_type="full-load-and-cdc", by="secret", aurora=False):
    """A CDC task from an RDS PostgreSQL instance (or an Aurora cluster) of the stack, found by its secret's attachment or server name."""
    network = private_vpc(stack)
    engine = AURORA if aurora else POSTGRES
    group = rds.ParameterGroup(stack, "Params", engine=engine, parameters=parameters) if parameters else None
    if aurora:
        db = rds.DatabaseCluster(stack, "Db", engine=engine, vpc=network, vpc_subnets=ISOLATED, storage_encrypted=True,
            parameter_group=group, credentials=rds.Credentials.from_generated_secret("app"),
            writer=rds.ClusterInstance.provisioned("Writer", instance_type=ec2.InstanceType("r6g.large")))
    else:
        db = rds.DatabaseInstance(stack, "Db", engine=engine, vpc=network, vpc_subnets=ISOLATED, storage_encrypted=True,
            parameter_group=group, credentials=rds.Credentials.from_generated_secret("app"))
    if by == "secret":
        source = dms.CfnEndpoint(stack, "Source", endpoint_type="source", engine_name="postgres", database_name="app",
            ssl_mode="require", postgre_sql_settings=secret_settings(db.secret.secret_arn, regional_role(stack, db.secret).role_arn))
    else:
        source = dms.CfnEndpoint(stack, "Source", endpoint_type="source", engine_name="postgres", database_name="app",
            ssl_mode="require", server_name=db.db_instance_endpoint_address, port=5432, username="dms",
            password=DYNAMIC_PASSWORD)
    replication(stack, network, source, migration_type)


DYNAMIC_PASSWORD = "{{resolve:secretsmanager:dms-user:SecretString:password::}}"

def raw_replication_instance(stack, **props):
    return dms.CfnReplicationInstance(stack, "Instance", replication_instance_class="dms.t3.medium", **props)


# Per rule, the cases it reports: (name, build, the construct path reported).
REPORTED = {
    "SP-DMS5": [
        ("publicly accessible", lambda s: raw_replication_instance(s, publicly_accessible=True), "Test/Instance"),
        ("PubliclyAccessible absent (the API's default is true)", lambda s: raw_replication_instance(s), "Test/Instance"),
    ],
    "SP-DMS1": [
        ("clear-text credentials", lambda s: raw_endpoint(s, username="dms", password=DYNAMIC_PASSWORD,
                                                          server_name="db", port=5432), "Test/Endpoint"),
        ("server settings beside the secret", lambda s: secret_endpoint(s, server_name="db", port=5432),
         "Test/Endpoint"),
    ],
    "SP-DMS2": [
        ("global principal", lambda s: raw_endpoint(s, postgre_sql_settings=secret_settings(EXTERNAL_ARN, iam.Role(
            s, "Role", assumed_by=iam.ServicePrincipal("dms.amazonaws.com")).role_arn)), "Test/Endpoint"),
        ("regional trust without the grant", lambda s: raw_endpoint(s, postgre_sql_settings=secret_settings(
            EXTERNAL_ARN, iam.Role(s, "Role", assumed_by=iam.ServicePrincipal(f"dms.{REGION}.amazonaws.com")).role_arn)),
         "Test/Endpoint"),
    ],
    "SP-DMS3": [
        ("SslMode absent", lambda s: secret_endpoint(s, ssl_mode=None), "Test/Endpoint"),
        ("SslMode none", lambda s: secret_endpoint(s, ssl_mode="none"), "Test/Endpoint"),
        ("MySQL, SslMode absent", lambda s: secret_endpoint(s, "my_sql_settings", engine_name="mysql", database_name=None,
                                                            ssl_mode=None), "Test/Endpoint"),
        # DMS's SSL table: require is "Not supported" for MySQL/MariaDB/Amazon Aurora MySQL
        ("Aurora MySQL, SslMode require", lambda s: secret_endpoint(s, "my_sql_settings", engine_name="aurora",
                                                                    database_name=None, ssl_mode="require"), "Test/Endpoint"),
    ],
    "SP-RDS1": [
        ("from_secret", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s), vpc_subnets=ISOLATED,
            storage_encrypted=True, credentials=rds.Credentials.from_secret(external(s))), "Test/Db/Resource"),
        ("dynamic references, unchecked", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s),
            vpc_subnets=ISOLATED, storage_encrypted=True, credentials=external_credentials(s)), "Test/Db/Resource"),
    ],
    "SP-SEC1": [
        ("a secret a DMS endpoint reads", lambda s: raw_endpoint(s, postgre_sql_settings=secret_settings(
            secretsmanager.Secret(s, "DbSecret").secret_arn, f"arn:aws:iam::{ACCOUNT}:role/dms-secrets")),
         "Test/DbSecret/Resource"),
        ("a generated database secret", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s),
            vpc_subnets=ISOLATED, storage_encrypted=True, credentials=rds.Credentials.from_generated_secret("app")),
         "Test/Db/Secret/Resource"),
    ],
    "SP-R53-1": [
        ("a weighted alias with a TTL", lambda s: raw_weighted(s, "Blue", ttl="300"), "Test/Blue"),
        ("a simple alias with a TTL", lambda s: route53.CfnRecordSet(s, "Alias", hosted_zone_id="Z0123456789ABC",
            name="www.example.com.", type="A", ttl="300", alias_target=route53.CfnRecordSet.AliasTargetProperty(
                dns_name="alb.eu-west-1.elb.amazonaws.com", hosted_zone_id=ALB_ZONE)), "Test/Alias"),
    ],
    "SP-R53-2": [
        ("a weight without an identifier", lambda s: route53.CfnRecordSet(s, "Blue", hosted_zone_id="Z0123456789ABC",
            name="pay.example.com.", type="A", weight=50, resource_records=["192.0.2.1"], ttl="60"), "Test/Blue"),
        ("a weight with an empty identifier", lambda s: raw_weighted(s, "Blue", identifier=""), "Test/Blue"),
    ],
    "SP-R53-3": [
        ("two records, one identifier", lambda s: (raw_weighted(s, "Old"), raw_weighted(s, "New")), "Test/New"),
        ("the same name spelled differently", lambda s: (raw_weighted(s, "Old"),
            raw_weighted(s, "New", name="PAY.example.com")), "Test/New"),
    ],
    "SP-R53-4": [
        ("a plain record beside a weighted one", lambda s: (raw_weighted(s, "Blue"), raw_plain(s)), "Test/Plain"),
        ("the same name spelled differently", lambda s: (raw_weighted(s, "Blue"), raw_plain(s, name="Pay.Example.com")),
         "Test/Plain"),
    ],
    "SP-DMS4": [
        ("full load and CDC, found by the secret", lambda s: cdc_source(s), "Test/Task"),
        ("CDC, found by the server name, a group without the parameter", lambda s: cdc_source(
            s, parameters={"log_min_duration_statement": "1000"}, migration_type="cdc", by="server"), "Test/Task"),
        # aws-cdk-lib names the engine's default cluster group, which cannot be modified
        ("an Aurora cluster on its default cluster parameter group", lambda s: cdc_source(s, aurora=True), "Test/Task"),
    ],
    "SP-NET1": [
        ("a hosted rotation in isolated subnets", lambda s: rotated(s, vpc(s)), "Test/Sec/Rot/Resource"),
        ("a rotation of the Serverless Application Repository in isolated subnets", lambda s: sar_rotated(s, vpc(s)),
         "Test/Db/RotationSingleUser/Resource"),
        ("a VPC function that reads a secret", lambda s: secret_reading_function(s, vpc(s)), "Test/Fn/Resource"),
        ("a DMS instance whose endpoints read secrets", lambda s: replication(s, vpc(s), secret_endpoint(s)),
         "Test/Replication"),
    ],
    "SP-NET2": [
        ("a hosted rotation closed on 443", lambda s: (lambda v: rotated(s, v, security_groups=[closed_group(s, v)]))(
            private_vpc(s)), "Test/Sec/Rot/Resource"),
        ("a rotation of the Serverless Application Repository closed on 443", lambda s: (lambda v: sar_rotated(
            s, v, security_group=closed_group(s, v)))(private_vpc(s)), "Test/Db/RotationSingleUser/Resource"),
        ("a DMS instance closed on 443", lambda s: (lambda v: replication(s, v, secret_endpoint(s), group=closed_group(
            s, v)))(private_vpc(s)), "Test/Replication"),
    ],
    "SP-ENC1": [
        ("an L2 database", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s), vpc_subnets=ISOLATED,
            credentials=rds.Credentials.from_username("app")), "Test/Db/Resource"),
        ("a file system with Encrypted false", lambda s: efs.CfnFileSystem(s, "Files", encrypted=False), "Test/Files"),
        # subnets, security groups and instance role are references: decided from Type and LaunchTemplate
        ("an L2 Spot environment without a launch template", lambda s: spot_environment(s), "Test/Spot/Resource"),
        ("an EMR cluster whose security configuration encrypts S3 only", lambda s: emr_cluster(s, local_disks=False),
         "Test/Cluster"),
    ],
}

def spot_environment(stack, launch_template=None):
    """A managed Spot environment of aws-cdk-lib's L2 (aws_batch.ManagedEc2EcsComputeEnvironment)."""
    return batch.ManagedEc2EcsComputeEnvironment(stack, "Spot", vpc=vpc(stack), spot=True,
        launch_template=launch_template, vpc_subnets=ISOLATED)


def emr_cluster(stack, local_disks):
    """An EMR cluster on a security configuration of the app, which encrypts S3, and the local disks when asked."""
    at_rest = {"S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"}}
    if local_disks:
        at_rest["LocalDiskEncryptionConfiguration"] = {"EncryptionKeyProviderType": "AwsKms",
            "AwsKmsKey": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
    config = emr.CfnSecurityConfiguration(stack, "SecurityConfiguration", security_configuration={"EncryptionConfiguration": {
        "EnableInTransitEncryption": False, "EnableAtRestEncryption": True, "AtRestEncryptionConfiguration": at_rest}})
    return emr.CfnCluster(stack, "Cluster", name="etl", release_label="emr-7.5.0", job_flow_role="EMR_EC2_DefaultRole",
        service_role="EMR_DefaultRole", security_configuration=config.ref, instances=emr.CfnCluster.JobFlowInstancesConfigProperty(
            master_instance_group=emr.CfnCluster.InstanceGroupConfigProperty(instance_count=1, instance_type="m5.xlarge")))


# Per rule, the cases it leaves alone: compliant, or not what the rule is about: (name, build).
CLEAN = {
    "SP-DMS1": [("the safe construct", safe_endpoint), ("secret only", secret_endpoint),
                ("an S3 endpoint", lambda s: raw_endpoint(s, engine_name="s3", database_name=None, ssl_mode=None,
                    s3_settings=dms.CfnEndpoint.S3SettingsProperty(bucket_name="exports",
                        service_access_role_arn=f"arn:aws:iam::{ACCOUNT}:role/dms-s3")))],
    "SP-DMS2": [("the safe construct", safe_endpoint), ("a regional role with the grant", secret_endpoint),
                ("no secret", lambda s: raw_endpoint(s, engine_name="mysql", server_name="db", port=3306,
                                                     username="u", password=DYNAMIC_PASSWORD))],
    "SP-DMS3": [("the safe construct", safe_endpoint), ("verify-full", lambda s: secret_endpoint(
                    s, ssl_mode="verify-full", certificate_arn=f"arn:aws:dms:{REGION}:{ACCOUNT}:cert:ABC")),
                ("the safe MySQL construct", lambda s: SecureDmsMySqlEndpoint(s, "Source", secret=external(s),
                    endpoint_type=DmsEndpointType.SOURCE, engine=DmsMySqlEngine.MARIADB,
                    certificate_arn=f"arn:aws:dms:{REGION}:{ACCOUNT}:cert:ABC")),
                ("an engine DMS's table gives no TLS (Redshift)", lambda s: raw_endpoint(s, engine_name="redshift", ssl_mode=None))],
    "SP-RDS1": [("the safe construct", lambda s: ExternalSecretRdsInstance(s, "Db", secret=external(s),
                    engine=POSTGRES, vpc=vpc(s), vpc_subnets=ISOLATED)),
                ("a generated secret", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s),
                    vpc_subnets=ISOLATED, storage_encrypted=True,
                    credentials=rds.Credentials.from_generated_secret("app")))],
    "SP-SEC1": [("the safe construct", lambda s: RotatingSecret(s, "DbSecret", username="app",
                    hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())),
                ("a secret without a user name", lambda s: secretsmanager.Secret(s, "ApiKey")),
                ("a user secret no database uses (an OpenSearch master user)", lambda s: secretsmanager.Secret(
                    s, "SearchMaster", generate_secret_string=secretsmanager.SecretStringGenerator(
                        secret_string_template='{"username": "admin"}', generate_string_key="password")))],
    "SP-R53-1": [("the safe construct", lambda s: WeightedAliasRecord(s, "Blue", zone=zone(s), record_name="pay",
                    target=target(), weight=50, set_identifier="blue")),
                 ("a plain record with a TTL", lambda s: raw_plain(s))],
    "SP-R53-2": [("the safe construct", lambda s: WeightedAliasRecord(s, "Blue", zone=zone(s), record_name="pay",
                    target=target(), weight=50, set_identifier="blue")),
                 ("an L2 plain record", lambda s: route53.ARecord(s, "Plain", zone=zone(s), record_name="www",
                    target=route53.RecordTarget.from_ip_addresses("192.0.2.1")))],
    "SP-R53-3": [("the safe construct", lambda s: WeightedTrafficShift(s, "Shift", zone=zone(s), record_name="pay",
                    old_target=target("old"), new_target=target("new"), percent_to_new=10)),
                 ("one identifier in two names", lambda s: (raw_weighted(s, "Old"),
                    raw_weighted(s, "New", name="api.example.com."))),
                 ("one identifier in two types", lambda s: (raw_weighted(s, "Old"),
                    raw_weighted(s, "New", record_type="AAAA")))],
    "SP-R53-4": [("the safe construct", lambda s: WeightedTrafficShift(s, "Shift", zone=zone(s), record_name="pay",
                    old_target=target("old"), new_target=target("new"), percent_to_new=10)),
                 ("a plain record of another type", lambda s: (raw_weighted(s, "Blue"),
                    raw_plain(s, record_type="AAAA")))],
    "SP-DMS5": [("private", lambda s: raw_replication_instance(s, publicly_accessible=False)),
                ("private, with its task", lambda s: cdc_source(s, parameters={"rds.logical_replication": "1"}))],
    "SP-DMS4": [("logical replication on", lambda s: cdc_source(s, parameters={"rds.logical_replication": "1"})),
                ("an Aurora cluster with logical replication on",
                 lambda s: cdc_source(s, parameters={"rds.logical_replication": "1"}, aurora=True)),
                ("a full load only", lambda s: cdc_source(s, migration_type="full-load")),
                ("a full load from a source outside the stack",
                 lambda s: replication(s, private_vpc(s), secret_endpoint(s), migration_type="full-load"))],
    "SP-NET1": [("an interface endpoint", lambda s: rotated(s, private_vpc(s))),
                ("a rotation of the Serverless Application Repository beside an interface endpoint",
                 lambda s: sar_rotated(s, private_vpc(s))),
                ("a NAT route", lambda s: rotated(s, ec2.Vpc(s, "Vpc", max_azs=2, nat_gateways=1),
                    subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS))),
                ("an imported VPC", lambda s: rotated(s, ec2.Vpc.from_vpc_attributes(s, "Vpc", vpc_id="vpc-12345678",
                    availability_zones=[f"{REGION}a"], isolated_subnet_ids=["subnet-12345678"])))],
    "SP-NET2": [("the default security group", lambda s: rotated(s, private_vpc(s))),
                ("443 open to the VPC", lambda s: (lambda v: rotated(s, v, security_groups=[closed_group(
                    s, v, open_443=True)]))(private_vpc(s))),
                ("a rotation of the Serverless Application Repository open on 443 to the VPC", lambda s: (
                    lambda v: sar_rotated(s, v, security_group=closed_group(s, v, open_443=True)))(private_vpc(s)))],
    "SP-ENC1": [("an encrypted topic", lambda s: sns.Topic(s, "Topic", master_key=kms.Key(s, "Key",
                    enable_key_rotation=True))),
                # "By default, Amazon SNS stores messages and files using disk encryption"
                ("a topic without a key", lambda s: sns.Topic(s, "Topic")),
                ("a bucket (encrypted by default)", lambda s: s3.Bucket(s, "Bucket", enforce_ssl=True)),
                ("an encrypted database", lambda s: rds.DatabaseInstance(s, "Db", engine=POSTGRES, vpc=vpc(s),
                    vpc_subnets=ISOLATED, storage_encrypted=True, credentials=rds.Credentials.from_username("app"))),
                ("an L2 Spot environment on a launch template that encrypts", lambda s: spot_environment(
                    s, launch_template=ec2.LaunchTemplate(s, "Template", block_devices=[ec2.BlockDevice(
                        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True))]))),
                ("an EMR cluster whose security configuration encrypts local disks", lambda s: emr_cluster(s, local_disks=True))],
}


def test_every_rule_has_several_cases_of_each_kind():
    rules = sorted(rule.id for rule in SafePatternsChecks.rules())
    assert sorted(REPORTED) == rules and sorted(CLEAN) == rules
    assert all(len(REPORTED[r]) >= 2 and len(CLEAN[r]) >= 2 for r in rules)


@pytest.mark.parametrize("rule_id, build, path", [(r, b, p) for r, cases in REPORTED.items() for _, b, p in cases],
                         ids=[f"{r}: {n}" for r, cases in REPORTED.items() for n, _, _ in cases])
def test_reported_with_the_path_and_fails_synth(rule_id, build, path, tmp_path):
    report = report_of(build, tmp_path)
    findings = report.findings(rule_id)
    assert [(f[1], f[2]) for f in findings] == [(path, "error")], findings
    assert report.synth_failed


@pytest.mark.parametrize("rule_id, build", [(r, b) for r, cases in CLEAN.items() for _, b in cases],
                         ids=[f"{r}: {n}" for r, cases in CLEAN.items() for n, _ in cases])
def test_clean_is_not_reported(rule_id, build, tmp_path):
    report = report_of(build, tmp_path)
    assert report.findings(rule_id) == []
    for template in report.templates:
        assert lint_findings(template) == []


def test_finding_names_the_fix_and_the_aws_source(tmp_path):
    report = report_of(REPORTED["SP-DMS3"][0][1], tmp_path)
    [violation] = [v for v in report.plugin["violations"] if v["ruleName"] == "SP-DMS3"]
    assert violation["description"] == ("A DMS PostgreSQL or MySQL-family endpoint has SslMode absent or none, or a mode DMS "
                                        "does not support for its engine: SslMode is absent, so DMS uses none")
    assert violation["suggestedFix"].startswith("Use SecureDmsPostgresEndpoint")
    assert "https://docs.aws.amazon.com/dms/" in violation["suggestedFix"]


def test_an_emr_security_configuration_in_another_stack_is_read_through_its_export(tmp_path):
    def build(shared, clusters):
        config = emr_cluster(shared, local_disks=False).node.scope.node.find_child("SecurityConfiguration")
        emr.CfnCluster(clusters, "Cluster", name="etl", release_label="emr-7.5.0", job_flow_role="EMR_EC2_DefaultRole",
            service_role="EMR_DefaultRole", security_configuration=config.ref, instances=emr.CfnCluster.JobFlowInstancesConfigProperty(
                master_instance_group=emr.CfnCluster.InstanceGroupConfigProperty(instance_count=1, instance_type="m5.xlarge")))
    report = report_of(build, tmp_path, stacks=("Shared", "Clusters"))
    assert sorted((f[1], f[2]) for f in report.findings("SP-ENC1")) == [("Clusters/Cluster", "error"), ("Shared/Cluster", "error")]
    assert any("Fn::ImportValue" in json.dumps(t) for t in report.templates)


def test_duplicate_identifiers_are_found_across_stacks(tmp_path):
    report = report_of(lambda first, second: (raw_weighted(first, "Old"), raw_weighted(second, "New")), tmp_path,
                       stacks=("First", "Second"))
    assert [(f[0], f[1]) for f in report.findings("SP-R53-3")] == [("SP-R53-3", "Second/New")]


def test_an_unresolved_token_is_reported_as_undecided_not_guessed(tmp_path):
    def build(stack):
        mode = cdk.CfnParameter(stack, "SslMode", type="String", allowed_values=["none", "require"])
        raw_endpoint(stack, ssl_mode=mode.value_as_string)
    report = report_of(build, tmp_path)
    [(rule, path, severity, description)] = report.findings("SP-DMS3")
    assert (severity, path) == ("warning", "Test/Endpoint")
    assert description.startswith("cannot decide at synth time: its SslMode is an unresolved token")
    assert not report.synth_failed  # a warning does not fail synth


def test_a_finding_can_be_acknowledged_with_a_reason(tmp_path):
    def build(stack):
        cache = elasticache.CfnCacheCluster(stack, "Cache", engine="memcached", cache_node_type="cache.t4g.small",
                                            num_cache_nodes=1)
        Validations.of(cache).acknowledge(Acknowledgment(id="SafePatterns::SP-ENC1",
                                                         reason="public announcements only, nothing at rest worth a key"))
    report = report_of(build, tmp_path)
    assert report.findings() == [] and not report.synth_failed
    [suppressed] = report.plugin["suppressedViolations"]
    assert suppressed["ruleName"] == "SP-ENC1"
    assert suppressed["reason"] == "public announcements only, nothing at rest worth a key"


def fixture_report(module_name, tmp_path):
    """Synthesizes a fixture app of test/fixtures with the pack, which must fail it; returns the report."""
    sys.path.insert(0, str(ROOT / "test" / "fixtures"))
    try:
        fixture = __import__(module_name)
    finally:
        sys.path.pop(0)
    app = cdk.App(outdir=str(tmp_path))
    fixture.build(app)
    Validations.of(app).add_plugins(SafePatternsChecks())
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return Report(tmp_path, True)


def test_the_original_migration_gives_one_finding_per_mistake(tmp_path):
    report = fixture_report("original_migration", tmp_path)
    assert report.rule_ids() == ["SP-DMS1", "SP-DMS2", "SP-DMS3", "SP-ENC1", "SP-R53-3", "SP-RDS1", "SP-SEC1"]


def test_the_first_versions_undeployable_migration_gives_each_deploy_time_defect(tmp_path):
    # GIVEN the first version's payment migration, written in raw aws-cdk-lib, which cfn-lint's errors let through
    report = fixture_report("undeployable_migration", tmp_path)
    # THEN the pack reports each defect where it is, and the template check finds the deprecated engine
    findings = {(f[0], f[1]) for f in report.findings(severity="error")}
    assert findings >= {
        ("SP-NET1", "UndeployableMigration/LegacySecret/Rotation/Resource"),
        ("SP-NET1", "UndeployableMigration/ReplicationInstance"),
        ("SP-NET2", "UndeployableMigration/ReplicationInstance"),
        ("SP-DMS4", "UndeployableMigration/Migration"),
    }, findings
    [template] = report.templates
    assert any(f.startswith("cfn-lint W3691") for f in lint_findings(template))


def test_the_payment_migration_example_gives_none(tmp_path):
    sys.path.insert(0, str(ROOT / "examples" / "payment_migration"))
    try:
        import app as payment_migration
    finally:
        sys.path.pop(0)
    assert "add_plugins(AwsSolutionsChecks(app), SafePatternsChecks())" in pathlib.Path(payment_migration.__file__).read_text()
    payment_migration.main(str(tmp_path))  # synth would raise on any error finding
    report = Report(tmp_path, False)
    # a plugin that passes with nothing to report is left out of the report; cdk-nag's entry shows it was written
    assert report.findings() == [] and report.plugin["suppressedViolations"] == []
    assert [p["pluginName"] for p in json.loads((tmp_path / "validation-report.json").read_text())["pluginReports"]] \
        == ["AwsSolutions"]


def test_the_pack_runs_without_cdk_nag_installed(tmp_path):
    script = f"""
import sys
sys.modules["cdk_nag"] = None  # as if cdk-nag were not installed: importing it raises
import aws_cdk as cdk
from aws_cdk import Validations, aws_efs as efs
from safe_constructs import SafePatternsChecks
app = cdk.App(outdir={str(tmp_path)!r})
efs.CfnFileSystem(cdk.Stack(app, "Test"), "Files", encrypted=False)
Validations.of(app).add_plugins(SafePatternsChecks())
try:
    app.synth()
except RuntimeError as error:
    print("failed:", "ValidationFailed" in str(error))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "failed: True" in result.stdout, result.stderr[-2000:]
    assert Report(tmp_path, True).rule_ids() == ["SP-ENC1"]


def test_rules_md_names_each_rules_file_which_holds_that_id():
    # RULES.md is generated (test_docs checks it is not stale); here: every rule of the installed package
    # is there, with a file that declares exactly that id
    rules_md = (ROOT / "RULES.md").read_text()
    for rule in SafePatternsChecks.rules():
        [path] = re.findall(rf"^\| {re.escape(rule.id)} \|.*\| \[[^]]+\]\(([^)]+)\) \|$", rules_md, re.M)
        assert f"id: '{rule.id}'" in (ROOT / path).read_text()


REDSHIFT = {"cluster_type": "single-node", "node_type": "ra3.large", "db_name": "dev", "master_username": "admin",
            "manage_master_password": True}
VALKEY = {"replication_group_description": "sessions", "engine": "valkey", "cache_node_type": "cache.t4g.small",
          "num_cache_clusters": 1, "transit_encryption_enabled": True}


@pytest.mark.parametrize("build, reported", [
    # CreateCluster: Encrypted "Default: true", and false fails the request
    (lambda s: redshift.CfnCluster(s, "Warehouse", **REDSHIFT), False),
    (lambda s: redshift.CfnCluster(s, "Warehouse", encrypted=False, **REDSHIFT), True),
    # CreateReplicationGroup: AtRestEncryptionEnabled "Default: true when using Valkey, false when using Redis OSS"
    (lambda s: elasticache.CfnReplicationGroup(s, "Cache", **VALKEY), False),
    (lambda s: elasticache.CfnReplicationGroup(s, "Cache", **{**VALKEY, "engine": "redis"}), True),
], ids=["redshift-default", "redshift-false", "valkey-default", "redis-oss-default"])
def test_sp_enc1_follows_each_services_documented_default(build, reported, tmp_path):
    findings = report_of(build, tmp_path).findings("SP-ENC1")
    assert bool(findings) == reported, findings
    if reported:
        assert all(f[2] == "error" for f in findings)


def test_a_nested_stack_is_checked_too(tmp_path):
    # GIVEN an unencrypted file system in a nested stack, whose template the CDK does not hand to plugins
    def build(stack):
        efs.CfnFileSystem(cdk.NestedStack(stack, "Storage"), "Files", encrypted=False)
    report = report_of(build, tmp_path)
    # THEN the pack reads it from the parent's asset and reports it
    assert [f[0] for f in report.findings()] == ["SP-ENC1"] and report.synth_failed


def test_aurora_serverless_v1_is_always_encrypted_and_not_reported(tmp_path):
    def build(stack):
        rds.CfnDBCluster(stack, "Serverless", engine="aurora-postgresql", engine_mode="serverless",
                         master_username="app", manage_master_user_password=True)
    assert report_of(build, tmp_path).findings("SP-ENC1") == []


def test_launch_templates_booting_unencrypted_volumes_are_reported(tmp_path):
    def build(stack):
        ec2.LaunchTemplate(stack, "Fleet", machine_image=ec2.MachineImage.generic_linux({REGION: "ami-12345678"}))
    [(rule, path, severity, _)] = report_of(build, tmp_path).findings()
    assert (rule, path, severity) == ("SP-ENC1", "Test/Fleet/Resource", "error")


def test_cdc_from_a_source_outside_the_stack_is_undecided_and_says_what_to_check(tmp_path):
    report = report_of(lambda s: replication(s, private_vpc(s), secret_endpoint(s)), tmp_path)
    [(_, path, severity, description)] = report.findings("SP-DMS4")
    assert (path, severity) == ("Test/Task", "warning") and not report.synth_failed
    assert "its source database is not in this template (imported, or in another stack)" in description
    assert "check it before starting the task" in description


def test_a_dms_endpoint_whose_engine_is_a_token_is_undecided_not_skipped(tmp_path):
    def build(stack):
        engine = cdk.CfnParameter(stack, "Engine", type="String", default="postgres")
        secret_endpoint(stack, engine_name=engine.value_as_string, ssl_mode=None)
    findings = report_of(build, tmp_path).findings("SP-DMS3")
    assert [(f[2], "EngineName is an unresolved token" in f[3]) for f in findings] == [("warning", True)]


def test_require_on_a_mysql_family_endpoint_is_a_mode_dms_does_not_support_and_undecided_when_the_engine_is_a_token(tmp_path):
    [(_, path, severity, description)] = report_of(REPORTED["SP-DMS3"][3][1], tmp_path).findings("SP-DMS3")
    assert (path, severity) == ("Test/Endpoint", "error")
    assert description.endswith("SslMode is require, which DMS does not support for its engine (aurora)")

    def build(stack):  # require suits PostgreSQL, not the MySQL family: with the engine a token, it cannot be told
        engine = cdk.CfnParameter(stack, "Engine", type="String", default="mysql")
        secret_endpoint(stack, engine_name=engine.value_as_string, ssl_mode="require")
    [(_, _, severity, description)] = report_of(build, tmp_path / "token").findings("SP-DMS3")
    assert severity == "warning" and "its SslMode require (not supported for the MySQL family)" in description


def test_a_dynamic_reference_on_an_endpoint_is_called_a_stale_copy_not_clear_text(tmp_path):
    [(_, _, _, description)] = report_of(lambda s: raw_endpoint(s, username="dms", password=DYNAMIC_PASSWORD,
                                                               server_name="db", port=5432), tmp_path).findings("SP-DMS1")
    assert "its Password is a copy of a secret taken at deploy" in description and "stale" in description


def unencrypted_app(outdir, baseline, write=False, new_finding=False, new_problem_on_old=False, aspect=False):
    """A legacy app with an unencrypted file system, checked by the pack (and the aspect, when asked) on a baseline."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Legacy", env=ENV)
    old = efs.CfnFileSystem(stack, "Old", encrypted=False)
    old.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    if new_problem_on_old:
        # the same resource, the same rule, another problem: Encrypted now absent rather than false
        old.add_property_deletion_override("Encrypted")
    if new_finding:
        efs.CfnFileSystem(stack, "New", encrypted=False).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    Validations.of(app).add_plugins(SafePatternsChecks(baseline=str(baseline), write_baseline=write))
    if aspect:
        Aspects.of(app).add(EncryptionAspect(baseline=str(baseline), write_baseline=write))
    return app


def test_adoption_a_baseline_accepts_todays_findings_and_new_ones_still_fail(tmp_path):
    baseline = tmp_path / "safe-patterns-baseline.json"
    # GIVEN an existing app with a finding: writing the baseline accepts it, and synth passes
    unencrypted_app(tmp_path / "a", baseline, write=True).synth()
    [line] = json.loads(baseline.read_text())["findings"]
    assert line.startswith("SP-ENC1 Legacy Old: AWS::EFS::FileSystem Encrypted does not turn encryption on")
    unencrypted_app(tmp_path / "b", baseline).synth()
    [(rule, _, severity, description)] = Report(tmp_path / "b", False).findings()
    assert severity == "warning" and description.startswith(f"accepted in the baseline {baseline}")
    # WHEN new code adds a finding THEN synth fails on it alone
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        unencrypted_app(tmp_path / "c", baseline, new_finding=True).synth()
    findings = Report(tmp_path / "c", True).findings()
    assert sorted((f[1], f[2]) for f in findings) == [("Legacy/New", "error"), ("Legacy/Old", "warning")]


def test_a_baseline_line_accepts_the_finding_it_recorded_and_no_new_one_on_that_resource(tmp_path):
    baseline = tmp_path / "baseline.json"
    unencrypted_app(tmp_path / "a", baseline, write=True).synth()
    # WHEN the accepted resource gets a different problem of the same rule
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        unencrypted_app(tmp_path / "b", baseline, new_problem_on_old=True).synth()
    report = Report(tmp_path / "b", True)
    # THEN the new problem is an error, and the line it no longer matches is reported as stale
    assert [(f[0], f[2]) for f in report.findings("SP-ENC1")] == [("SP-ENC1", "error")]
    [(_, _, severity, stale)] = report.findings("baseline")
    assert severity == "warning" and f"1 line(s) of the baseline {baseline} match no finding any more" in stale


def test_a_fixed_finding_leaves_its_baseline_line_reported_as_stale(tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"findings": ["SP-ENC1 Legacy Gone: fixed long ago"]}))
    unencrypted_app(tmp_path / "a", baseline, write=True).synth()  # writing keeps no line of its own but today's
    assert "SP-ENC1 Legacy Gone: fixed long ago" not in json.loads(baseline.read_text())["findings"]
    baseline.write_text(json.dumps({"findings": json.loads(baseline.read_text())["findings"] + ["SP-ENC1 Legacy Gone: x"]}))
    unencrypted_app(tmp_path / "b", baseline).synth()
    [(_, _, _, stale)] = Report(tmp_path / "b", False).findings("baseline")
    assert "SP-ENC1 Legacy Gone: x" in stale


def test_a_baseline_line_of_the_old_format_accepts_nothing_and_says_to_write_the_baseline_again(tmp_path):
    # GIVEN a baseline written before lines recorded what their finding said: rule, stack, logical id
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"findings": ["SP-ENC1 Legacy Old"]}))
    # WHEN the app synthesizes THEN its finding is an error, and the line is reported with what to do
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        unencrypted_app(tmp_path / "a", baseline).synth()
    report = Report(tmp_path / "a", True)
    assert [(f[0], f[2]) for f in report.findings("SP-ENC1")] == [("SP-ENC1", "error")]
    [(_, _, _, stale)] = report.findings("baseline")
    assert "SP-ENC1 Legacy Old; 1 of them is in the old format, which named no finding: write the baseline again" in stale


def test_a_baseline_that_does_not_exist_is_named_unless_it_is_being_written(tmp_path):
    missing = tmp_path / "typo-baseline.json"
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:BaselineNotFound\] SafePatternsChecks: baseline names "
                                           rf".*typo-baseline.json.*, which does not exist"):
        SafePatternsChecks(baseline=str(missing))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:BaselineNotFound\] EncryptionAspect: baseline names"):
        EncryptionAspect(baseline=str(missing))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:BaselineWithoutFile\] EncryptionAspect: write_baseline"):
        EncryptionAspect(write_baseline=True)
    SafePatternsChecks(baseline=str(missing), write_baseline=True)  # to be written: no error


def test_the_pack_and_the_aspect_on_one_baseline_write_one_line_per_finding(tmp_path):
    baseline = tmp_path / "baseline.json"
    # GIVEN the pack and the aspect on a legacy app with one unencrypted file system (README's adoption recipe)
    unencrypted_app(tmp_path / "a", baseline, write=True, aspect=True).synth()
    # THEN one finding is one line: the pack's, which reports the aspect's finding as SP-ENC1
    [line] = json.loads(baseline.read_text())["findings"]
    assert line.startswith("SP-ENC1 Legacy Old: AWS::EFS::FileSystem Encrypted does not turn encryption on")
    # and the app passes `python app.py` (app.synth) with both, the finding a warning of the pack
    unencrypted_app(tmp_path / "b", baseline, aspect=True).synth()
    [(rule, path, severity, description)] = Report(tmp_path / "b", False).findings()
    assert (rule, path, severity) == ("SP-ENC1", "Legacy/Old", "warning")
    assert description.startswith(f"accepted in the baseline {baseline}")
    # WHEN a new unencrypted resource comes THEN the synth fails on it alone, in the pack's report
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        unencrypted_app(tmp_path / "c", baseline, new_finding=True, aspect=True).synth()
    findings = Report(tmp_path / "c", True).findings()
    assert sorted((f[0], f[1], f[2]) for f in findings) == [("SP-ENC1", "Legacy/New", "error"), ("SP-ENC1", "Legacy/Old", "warning")]


def test_the_aspects_stale_baseline_lines_are_reported(tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"findings": ["UnencryptedAtRest Legacy/Gone: fixed"]}))
    app = cdk.App(outdir=str(tmp_path / "a"))
    stack = cdk.Stack(app, "Legacy", env=ENV)
    efs.CfnFileSystem(stack, "Encrypted", encrypted=True).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    Aspects.of(app).add(EncryptionAspect(baseline=str(baseline)))
    messages = app.synth().get_stack_artifact("Legacy").messages
    [stale] = [str(m.entry.data) for m in messages if "match no finding" in str(m.entry.data)]
    assert "UnencryptedAtRest Legacy/Gone: fixed" in stale and "[ack: safe-constructs:staleBaselineLines]" in stale


def test_a_rule_that_fails_on_a_resource_is_a_finding_naming_it_and_the_other_rules_still_run(tmp_path):
    def build(stack):
        # a Fn::Join whose second argument is no list (a raw override): SP-RDS1's reading of it throws
        db = rds.CfnDBInstance(stack, "Db", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20",
                               master_username="app", storage_encrypted=True)
        db.add_property_override("MasterUserPassword", {"Fn::Join": ["", "not-a-list"]})
        db.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        efs.CfnFileSystem(stack, "Files", encrypted=False).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        # and a secret a DMS endpoint reads, which nothing rotates
        raw_endpoint(stack, postgre_sql_settings=secret_settings(secretsmanager.Secret(stack, "DbSecret").secret_arn,
                                                                 f"arn:aws:iam::{ACCOUNT}:role/dms-secrets"))
    report = report_of(build, tmp_path)
    # every rule judges resource by resource: the one it fails on hides no other (SP-SEC1 reads every database first)
    assert sorted(f[1:3] for f in report.findings("SP-SEC1")) == [("Test/Db", "warning"), ("Test/DbSecret/Resource", "error")]
    [(_, path, severity, description)] = report.findings("SP-RDS1")
    assert (path, severity) == ("Test/Db", "warning")
    assert "the rule failed on this resource (" in description and "so it is not judged" in description
    # the other rules ran: the unencrypted file system is still an error
    assert ("Test/Files", "error") in [(f[1], f[2]) for f in report.findings("SP-ENC1")]


def test_with_the_aspect_one_synth_reports_every_problem_of_the_app(tmp_path):
    # GIVEN README's recipe (the pack and the aspect) on an app with an unencrypted file system, a DMS endpoint
    # carrying its credentials, and a RotatingSecret whose rotation cannot reach Secrets Manager
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test", env=ENV)
    efs.CfnFileSystem(stack, "Files", encrypted=False).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    raw_endpoint(stack, username="dms", password=DYNAMIC_PASSWORD, server_name="db", port=5432)
    RotatingSecret(stack, "Secret", username="app",
                   hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc(stack), vpc_subnets=ISOLATED))
    Validations.of(app).add_plugins(SafePatternsChecks())
    Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    # WHEN the app synthesizes THEN it fails in the pack's report, not in the tree validation before it
    with pytest.raises(RuntimeError, match="ValidationFailed") as raised:
        app.synth()
    assert "ValidationFailedWithErrors" not in str(raised.value)
    findings = Report(tmp_path, True).findings()
    # and the report holds every problem: the aspect's (as SP-ENC1, once), the rules', the library's own
    assert [(f[0], f[2]) for f in findings if f[1] == "Test/Files"] == [("SP-ENC1", "error")]
    assert ("SP-DMS1", "Test/Endpoint", "error") in [f[:3] for f in findings]
    [own] = [f for f in findings if f[0] == "safe-constructs:NoPathToSecretsManager"]
    assert own[2] == "fatal" and own[3].startswith("Test/Secret: [safe-constructs:NoPathToSecretsManager] the hosted rotation")


def test_the_aspects_exemptions_and_fixes_hold_in_the_packs_report(tmp_path):
    # GIVEN the aspect in FIX mode beside the pack: a queue it encrypts, a file system it exempts, one it refuses
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test", env=ENV)
    sqs.Queue(stack, "Orders", encryption=sqs.QueueEncryption.UNENCRYPTED)
    EncryptionAspect.exempt(efs.CfnFileSystem(stack, "Scratch", encrypted=False), "scratch space, wiped every night")
    efs.CfnFileSystem(stack, "Files", encrypted=False).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    Validations.of(app).add_plugins(SafePatternsChecks())
    Aspects.of(app).add(EncryptionAspect(mode=EncryptionMode.FIX), priority=AspectPriority.READONLY)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    # THEN the pack reports only the refused one, with why FIX left it, and the aspect's fix
    [violation] = [v for v in Report(tmp_path, True).plugin["violations"] if v["ruleName"] == "SP-ENC1"]
    assert [c["constructPath"] for c in violation["violatingConstructs"]] == ["Test/Files"]
    assert violation["description"].endswith("(EncryptionAspect did not change it: changing it replaces the resource, "
                                             "and a new resource starts empty)")
    assert "allow_replacement_of (allowReplacementOf)" in violation["suggestedFix"]


def unencrypted_queues(first, second, acknowledged="First"):
    """An unencrypted queue in each of two stacks; the one in `acknowledged` is acknowledged on the queue itself."""
    for stack in (first, second):
        queue = sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.UNENCRYPTED)
        if stack.stack_name == acknowledged:
            Validations.of(queue).acknowledge(Acknowledgment(id="SafePatterns::SP-ENC1",
                                                             reason="test data only, deleted after each run"))


def test_an_acknowledgment_covers_its_construct_and_not_the_rest_of_the_app(tmp_path):
    # GIVEN README's pattern: an acknowledgment on one construct. On aws-cdk-lib 2.263.0 to 2.270.x aws-cdk-lib
    # applies it to the whole app (aws/aws-cdk#38495, fixed in 2.271.0); scripts/test.sh runs this on both sides
    report = report_of(unencrypted_queues, tmp_path, stacks=("First", "Second"))
    # THEN the acknowledged queue is suppressed, with its reason
    [suppressed] = report.plugin["suppressedViolations"]
    assert [c["constructPath"] for c in suppressed["violatingConstructs"]] == ["First/Queue/Resource"]
    assert suppressed["reason"] == "test data only, deleted after each run"
    # and the queue of the other stack is still an error that fails the synth
    [(rule, path, severity, description)] = report.findings()
    assert (rule.split(" ")[0], path, severity) == ("SP-ENC1", "Second/Queue/Resource", "error") and report.synth_failed
    if rule != "SP-ENC1":  # renamed where aws-cdk-lib would apply the acknowledgment app-wide
        assert rule == "SP-ENC1 (not acknowledged here)"
        assert "SafePatterns::SP-ENC1 is acknowledged at First/Queue only" in description and "aws/aws-cdk#38495" in description


def test_an_acknowledgment_of_a_scope_covers_everything_under_it(tmp_path):
    def build(first, second):
        unencrypted_queues(first, second, acknowledged="none")
        Validations.of(second).acknowledge(Acknowledgment(id="SafePatterns::SP-ENC1", reason="the whole stack is scratch"))
    report = report_of(build, tmp_path, stacks=("First", "Second"))
    assert [(f[0].split(" ")[0], f[1]) for f in report.findings()] == [("SP-ENC1", "First/Queue/Resource")]
    assert [c["constructPath"] for v in report.plugin["suppressedViolations"] for c in v["violatingConstructs"]] \
        == ["Second/Queue/Resource"]


def test_baseline_lines_of_the_format_that_recorded_the_fix_still_accept_their_findings(tmp_path):
    # GIVEN the baseline main wrote before a line stopped recording the fix (test/fixtures/legacy-baseline.json):
    # SP-ENC1, SP-NET1 and SP-NET2 lines end in "; fix: ...", the aspect's in "; EncryptionAspect did not change it: ..."
    sys.path.insert(0, str(ROOT / "test" / "fixtures"))
    try:
        import legacy_app
    finally:
        sys.path.pop(0)
    baseline = tmp_path / "baseline.json"
    baseline.write_text((ROOT / "test" / "fixtures" / "legacy-baseline.json").read_text())
    # WHEN the app synthesizes with the pack alone THEN each line accepts its finding, and no line is stale
    legacy_app.build(tmp_path / "pack", baseline, aspect=False).synth()
    findings = Report(tmp_path / "pack", False).findings()
    assert sorted((f[0], f[2]) for f in findings) == [("SP-ENC1", "warning"), ("SP-NET1", "warning"), ("SP-NET2", "warning")]
    assert all(f[3].startswith(f"accepted in the baseline {baseline}") for f in findings)
    # WITH the aspect alone, its line accepts its finding (FIX refused to replace the file system)
    messages = legacy_app.build(tmp_path / "aspect", baseline, pack=False).synth().get_stack_artifact("Legacy").messages
    warnings = [str(m.entry.data) for m in messages if str(m.level).endswith("WARNING")]
    [accepted] = [w for w in warnings if w.startswith("accepted in the baseline")]
    assert "[UnencryptedAtRest]" in accepted and "[ack: safe-constructs:acceptedInBaseline]" in accepted
    assert not [w for w in warnings if "match no finding" in w]
    # WITH both, the pack reports the aspect's finding once, accepted by its own line; the aspect's line is reported
    # with the advice to write the baseline again
    messages = legacy_app.build(tmp_path / "both", baseline).synth().get_stack_artifact("Legacy").messages
    assert sorted(f[0] for f in Report(tmp_path / "both", False).findings("SP-ENC1", "warning")) == ["SP-ENC1"]
    [stale] = [str(m.entry.data) for m in messages if "match no finding" in str(m.entry.data)]
    assert "UnencryptedAtRest Legacy/Files" in stale and "write the baseline again (write_baseline=True)" in stale
    # AND written again, the file holds one line per finding, none with its fix
    legacy_app.build(tmp_path / "again", baseline, write=True).synth()
    lines = json.loads(baseline.read_text())["findings"]
    assert [line.split(" ")[0] for line in lines] == ["SP-ENC1", "SP-NET1", "SP-NET2"]
    assert not [line for line in lines if "; fix:" in line or "EncryptionAspect" in line]


@pytest.mark.parametrize("content, holds", [
    ("[\"SP-ENC1 Legacy Old: x\"]", "which holds a list, not an object whose \"findings\" is a list of lines"),
    ("{\"findings\": \"SP-ENC1 Legacy Old: x\"}", "which holds \"findings\" that is not a list of strings"),
    ("{\"findings\": [\"SP-ENC1 Legacy Old: x\",]}", "which is not JSON ("),
], ids=["a list", "findings not a list", "not JSON"])
def test_fails_on_a_baseline_file_that_is_no_baseline_naming_the_file_the_id_and_the_fix(content, holds, tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    problem_id = "BaselineNotJson" if "not JSON" in holds else "BaselineWrongShape"
    for make, owner in ((SafePatternsChecks, "SafePatternsChecks"), (EncryptionAspect, "EncryptionAspect")):
        for write in (False, True):
            with pytest.raises(RuntimeError) as raised:
                make(baseline=str(baseline), write_baseline=write)
            message = str(raised.value)
            assert message.startswith(f"[safe-constructs:{problem_id}] {owner}: baseline names \"{baseline}\", {holds}")
            assert message.endswith("; fix: make it the JSON object safe-constructs writes ({\"findings\": [\"<line>\", ...]}), "
                                    "or delete it and write it again with write_baseline=True")


def test_rules_are_sorted_by_id():
    ids = [rule.id for rule in SafePatternsChecks.rules()]
    natural = [[int(part) if part.isdigit() else part for part in re.split(r"(\d+)", i)] for i in ids]
    assert natural == sorted(natural) and len(set(ids)) == len(ids)


def test_the_id_scheme_is_service_then_number(tmp_path):
    # SP-<SERVICE><n>; a service code ending in a digit (R53) takes a hyphen before the number. The ids are what
    # users' acknowledgments and baselines name, so the scheme keeps every id there is.
    assert all(re.fullmatch(r"SP-(?:[A-Z]+|[A-Z]+[0-9]+-)[1-9][0-9]*", rule.id) for rule in SafePatternsChecks.rules())


def test_sp_sec1_on_a_dms_endpoints_secret_does_not_advise_the_secret_rds_manages(tmp_path):
    report = report_of(REPORTED["SP-SEC1"][0][1], tmp_path)
    [violation] = [v for v in report.plugin["violations"] if v["ruleName"] == "SP-SEC1"]
    assert "not RDS's managed master password (manage_master_user_password): the secret RDS manages holds no host or port" \
        in violation["suggestedFix"]
    report = report_of(REPORTED["SP-SEC1"][1][1], tmp_path / "master")
    [violation] = [v for v in report.plugin["violations"] if v["ruleName"] == "SP-SEC1"]
    assert violation["suggestedFix"].startswith("Use RotatingSecret, which cannot exist without rotation")


def rotation_in(stack, network, **options):
    """A plain secret rotated by a hosted function in `network`'s isolated subnets."""
    secretsmanager.Secret(stack, "Sec").add_rotation_schedule("Rot",
        hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=network, vpc_subnets=ISOLATED, **options))


@pytest.mark.parametrize("endpoint, reported", [(False, True), (True, False)], ids=["no endpoint", "an endpoint"])
def test_sp_net1_follows_a_vpc_of_another_stack_of_the_app(endpoint, reported, tmp_path):
    # GIVEN the VPC in one stack and a rotation in another, reaching the subnets through the VPC's exports
    def build(network, application):
        shared = private_vpc(network) if endpoint else vpc(network)
        rotation_in(application, shared)
    findings = report_of(build, tmp_path, stacks=("Network", "Application")).findings("SP-NET1")
    # THEN the subnets, routes and endpoints of the other stack are judged where they are
    assert [(f[1], f[2]) for f in findings] == ([("Application/Sec/Rot/Resource", "error")] if reported else [])
    if reported:
        assert "sits in subnets VpcIsolatedSubnet1Subnet" in findings[0][3]


def test_sp_net2_follows_a_vpc_and_its_endpoint_in_another_stack(tmp_path):
    def build(network, application):
        shared = private_vpc(network)
        rotation_in(application, shared, security_groups=[closed_group(application, shared)])
    findings = report_of(build, tmp_path, stacks=("Network", "Application")).findings("SP-NET2")
    assert [(f[1], f[2]) for f in findings] == [("Application/Sec/Rot/Resource", "error")]
    def open_443(network, application):
        shared = private_vpc(network)
        rotation_in(application, shared, security_groups=[closed_group(application, shared, open_443=True)])
    assert report_of(open_443, tmp_path / "open", stacks=("Network", "Application")).findings("SP-NET2") == []


def endpoint_without_private_dns(stack, network):
    return network.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
                                          private_dns_enabled=False)


def test_a_rotation_of_the_serverless_application_repository_given_its_endpoint_needs_no_private_dns(tmp_path):
    # aws-cdk-lib passes the function https://<endpoint id>.secretsmanager.<region>.<suffix> (secret-rotation.ts)
    def build(stack):
        network = vpc(stack)
        sar_rotated(stack, network, endpoint=endpoint_without_private_dns(stack, network))
    assert report_of(build, tmp_path).findings("SP-NET1") == []
    # without it, the function calls Secrets Manager's public name, which only private DNS resolves to the endpoint
    def without(stack):
        network = vpc(stack)
        endpoint_without_private_dns(stack, network)
        sar_rotated(stack, network)
    assert [f[1] for f in report_of(without, tmp_path / "without").findings("SP-NET1")] == ["Test/Db/RotationSingleUser/Resource"]


def serverless_replication(stack, network):
    """A DMS Serverless replication in `network`'s private subnets, whose endpoints read secrets."""
    subnets = dms.CfnReplicationSubnetGroup(stack, "Subnets", replication_subnet_group_description="migration",
        subnet_ids=network.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids)
    source = secret_endpoint(stack)
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret",
                                                                   EXTERNAL_ARN.replace("master", "target"))
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                       database_name="payments")
    group = ec2.SecurityGroup(stack, "Sg", vpc=network)
    dms.CfnReplicationConfig(stack, "Replication", replication_config_identifier="payments", replication_type="full-load",
        source_endpoint_arn=source.ref, target_endpoint_arn=target.endpoint_arn,
        compute_config=dms.CfnReplicationConfig.ComputeConfigProperty(max_capacity_units=4,
            replication_subnet_group_id=subnets.ref, vpc_security_group_ids=[group.security_group_id]),
        table_mappings={"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
                                   "object-locator": {"schema-name": "%", "table-name": "%"}}]})


@pytest.mark.parametrize("endpoint", [False, True], ids=["a NAT route only", "an interface endpoint"])
def test_dms_serverless_reaches_secrets_manager_through_an_interface_endpoint_only(endpoint, tmp_path):
    # "Serverless replications need to access dependencies by using VPC endpoints ... AWS Secrets Manager" (DMS guide)
    def build(stack):
        network = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
        if endpoint:
            network.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
        serverless_replication(stack, network)
    report = report_of(build, tmp_path)
    findings = report.findings("SP-NET1")
    assert [(f[1], f[2]) for f in findings] == ([] if endpoint else [("Test/Replication", "error")])
    if not endpoint:
        assert "the only way DMS Serverless reaches Secrets Manager" in findings[0][3]
    # and it is never public (its ComputeConfig has no PubliclyAccessible; DMS gives it no public address)
    assert report.findings("SP-DMS5") == []


def test_a_baseline_over_stacks_of_two_regions_reports_no_accepted_line_as_stale(tmp_path):
    # aws-cdk-lib runs the pack once per environment, each time on that environment's stacks alone
    baseline = tmp_path / "baseline.json"

    def app(outdir, write=False):
        built = cdk.App(outdir=str(outdir))
        for name, region in (("Ireland", "eu-west-1"), ("Frankfurt", "eu-central-1")):
            stack = cdk.Stack(built, name, env=cdk.Environment(account=ACCOUNT, region=region))
            efs.CfnFileSystem(stack, "Files", encrypted=False).apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        Validations.of(built).add_plugins(SafePatternsChecks(baseline=str(baseline), write_baseline=write))
        return built
    app(tmp_path / "a", write=True).synth()
    assert len(json.loads(baseline.read_text())["findings"]) == 2
    app(tmp_path / "b").synth()
    report = Report(tmp_path / "b", False)
    assert sorted(f[1:3] for f in report.findings()) == [("Frankfurt/Files", "warning"), ("Ireland/Files", "warning")]
