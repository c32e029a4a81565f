"""Property-based tests: whatever the props, a construct ends in exactly one of two ways.

Either the template passes the harness's whole scan (cfn-lint, no plaintext secret, no IAM statement
on "*" that could name a resource, deletion policies), or construction or synthesis fails with a
message that names the prop. Never a jsii crash, an unnamed error, or a template AWS would reject.
Every value may also be an unresolved token (a CloudFormation parameter) instead of a literal.
Bounded (max_examples) so CI stays fast, and derandomized: the suite draws the same cases on every run
(hypothesis seeds each test from its own source), so a build never passes or fails by chance.
`npx projen fuzz` runs the long version (FUZZ_EXAMPLES), random, with hypothesis's example database:
every case it finds that fails becomes a named test in the construct's own test file.
How the cases ended is counted in harness.FUZZ_OUTCOMES and printed at the end of the run.
"""
import os
import re

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_route53 as route53
from aws_cdk import aws_s3 as s3, aws_secretsmanager as secretsmanager, aws_sqs as sqs
from hypothesis import HealthCheck, given, settings, strategies as st

from harness import ACCOUNT, EXTERNAL_ARN, FUZZ_OUTCOMES, REGION, error_annotations, new_stack, synth
from safe_constructs import (
    AliasRecordType, DmsEndpointType, DmsPostgresPlugin, DmsSslMode, EncryptionAspect, EncryptionMode,
    ExternalSecretRdsInstance, RotatingSecret, SecureDmsPostgresEndpoint, WeightedAliasRecord, WeightedAliasTarget,
    WeightedTrafficShift,
)

LONG_RUN = "FUZZ_EXAMPLES" in os.environ  # set by `npx projen fuzz`
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), deadline=None,
                derandomize=not LONG_RUN, database=settings.default.database if LONG_RUN else None,
                suppress_health_check=[HealthCheck.too_slow])
CERT_ARN = f"arn:aws:dms:{REGION}:{ACCOUNT}:cert:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TEXT = st.text(alphabet=st.characters(codec="ascii"), max_size=140)
NAME = st.one_of(TEXT, st.from_regex(r"[a-z][a-z0-9_]{0,70}", fullmatch=True))
TOKEN = "<an unresolved token>"  # drawn in place of a literal; becomes a CfnParameter in the stack
TARGET = WeightedAliasTarget.from_attributes("lb.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")


def or_token(strategy):
    return st.one_of(strategy, st.just(TOKEN))


def mostly(valid, wild):
    """`valid` four times in five, else `wild`: a case then has few wrong props, and many are all right."""
    return st.integers(0, 4).flatmap(lambda i: wild if i == 0 else valid)


def literal_or_parameter(stack, value, number=False):
    """`value`, or, when TOKEN was drawn, a new CloudFormation parameter's value (a token)."""
    if value is not TOKEN:
        return value
    parameter = cdk.CfnParameter(stack, f"Parameter{len(stack.node.children)}", type="Number" if number else "String")
    return parameter.value_as_number if number else parameter.value_as_string


def outcome(construct, build, *props):
    """Runs `build(stack)` and synth; counts and returns the ending, failing on anything but the two allowed.

    A refusal is an exception at construction, or an error annotation, which fails `cdk synth`; either
    way its message must name one of `props`.
    """
    stack = new_stack()
    try:
        build(stack)
        synth(stack, allow_errors=True)
        messages, kind = error_annotations(stack), "error at synth"
    except RuntimeError as error:
        messages, kind = [str(error)], "exception"
        assert not messages[0].startswith("JSII"), f"a crash inside jsii: {messages[0]}"
    named = None
    for message in messages:
        named = [p for p in props if re.search(rf"\b{p}\b", message)]
        assert named, f"the error names none of {props}: {message}"
    ending = f"refused ({kind}), naming {named[0]}" if messages else "valid template"
    FUZZ_OUTCOMES[(construct, ending)] += 1
    return ending


def zone_of(stack):
    return route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")


RECORD_NAMES = mostly(st.sampled_from(["pay", "pay.example.com", "pay.example.com.", "*.pay", "Pay-1", TOKEN]),
                      st.sampled_from(["", "a..b", "pay.other.com.", "x" * 64]))
IDENTIFIER = or_token(st.from_regex(r"[A-Za-z0-9-]{1,40}", fullmatch=True))


@FUZZ
@given(weight=mostly(or_token(st.integers(0, 255)), st.one_of(st.integers(-5, 300), st.floats(-1, 300, allow_nan=False))),
       identifier=mostly(IDENTIFIER, TEXT), name=RECORD_NAMES, record_type=st.sampled_from(list(AliasRecordType)),
       evaluate=st.booleans())
def test_weighted_alias_record(weight, identifier, name, record_type, evaluate):
    def build(stack):
        WeightedAliasRecord(stack, "Record", zone=zone_of(stack), record_name=literal_or_parameter(stack, name),
            weight=literal_or_parameter(stack, weight, number=True),
            set_identifier=literal_or_parameter(stack, identifier), record_type=record_type,
            evaluate_target_health=evaluate, target=TARGET)
    outcome("WeightedAliasRecord", build, "weight", "set_identifier", "record_name")


@FUZZ
@given(percent=mostly(st.integers(0, 100), or_token(st.one_of(st.integers(-5, 120), st.floats(-1, 120, allow_nan=False)))),
       old_id=mostly(st.one_of(st.none(), IDENTIFIER), TEXT), new_id=mostly(st.one_of(st.none(), IDENTIFIER), TEXT),
       name=RECORD_NAMES)
def test_weighted_traffic_shift(percent, old_id, new_id, name):
    def build(stack):
        WeightedTrafficShift(stack, "Shift", zone=zone_of(stack), record_name=literal_or_parameter(stack, name),
            old_target=TARGET, new_target=WeightedAliasTarget.from_attributes(
                "new.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2"),
            percent_to_new=literal_or_parameter(stack, percent, number=True),
            old_set_identifier=old_id, new_set_identifier=new_id)
    outcome("WeightedTrafficShift", build, "percent_to_new", "old_set_identifier", "new_set_identifier",
            "set_identifier", "record_name")


@FUZZ
@given(hours=mostly(st.integers(4, 24000), or_token(st.integers(0, 30000))),
       length=mostly(st.integers(8, 128), st.integers(0, 200)),
       username=mostly(or_token(st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True)), NAME),
       exclude=mostly(st.none(), st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=40)),
       removal=mostly(st.sampled_from([cdk.RemovalPolicy.RETAIN, cdk.RemovalPolicy.DESTROY]),
                      st.sampled_from(list(cdk.RemovalPolicy))),
       secret_name=mostly(st.one_of(st.none(), or_token(st.from_regex(r"[a-z0-9/_+=.@-]{1,60}", fullmatch=True))), TEXT),
       own_key=st.booleans())
def test_rotating_secret(hours, length, username, exclude, removal, secret_name, own_key):
    def build(stack):
        RotatingSecret(stack, "Secret", username=literal_or_parameter(stack, username),
                       automatically_after=cdk.Duration.hours(literal_or_parameter(stack, hours, number=True)),
                       password_length=length, exclude_characters=exclude, removal_policy=removal,
                       secret_name=literal_or_parameter(stack, secret_name),
                       encryption_key=kms.Key(stack, "Key", enable_key_rotation=True) if own_key else None,
                       hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    outcome("RotatingSecret", build, "automatically_after", "password_length", "username", "removal_policy",
            "exclude_characters", "secret_name")


@FUZZ
@given(endpoint_type=st.sampled_from(list(DmsEndpointType)), ssl=st.sampled_from(list(DmsSslMode)),
       certificate_mismatch=mostly(st.just(False), st.just(True)),
       identifier=mostly(st.one_of(st.none(), or_token(st.from_regex(r"[a-z](-?[a-z0-9]){0,40}", fullmatch=True))), TEXT),
       database=mostly(or_token(st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True)), TEXT),
       heartbeat=st.one_of(st.none(), st.integers(1, 1440)), slot=st.one_of(st.none(), st.from_regex(r"[a-z_]{1,40}", fullmatch=True)),
       plugin=st.one_of(st.none(), st.sampled_from(list(DmsPostgresPlugin))), preflight=st.booleans())
def test_secure_dms_postgres_endpoint(endpoint_type, ssl, certificate_mismatch, identifier, database, heartbeat, slot,
                                      plugin, preflight):
    verifies = ssl in (DmsSslMode.VERIFY_CA, DmsSslMode.VERIFY_FULL)
    certificate = verifies != certificate_mismatch  # a certificate exactly when the mode verifies, unless mismatched

    def build(stack):
        secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Secret", EXTERNAL_ARN)
        cdc = {"heartbeat_enable": heartbeat is not None, "heartbeat_frequency": heartbeat, "slot_name": slot,
               "plugin_name": plugin}
        SecureDmsPostgresEndpoint(stack, "Endpoint", secret=secret, endpoint_type=endpoint_type,
            ssl_mode=ssl,
            certificate_arn=CERT_ARN if certificate else None,
            endpoint_identifier=literal_or_parameter(stack, identifier),
            database_name=literal_or_parameter(stack, database), preflight_check=preflight,
            cdc_settings={k: v for k, v in cdc.items() if v is not None} if endpoint_type == DmsEndpointType.SOURCE
            else None)
    outcome("SecureDmsPostgresEndpoint", build, "certificate_arn", "endpoint_identifier", "database_name",
            "cdc_settings", "heartbeat_frequency", "slot_name", "ssl_mode")


@FUZZ
@given(username_key=mostly(or_token(st.from_regex(r"[a-z_]{1,20}", fullmatch=True)), TEXT),
       password_key=mostly(or_token(st.from_regex(r"[a-z_]{1,20}", fullmatch=True)), TEXT),
       encrypted=st.booleans(), attach=st.booleans(),
       port=mostly(st.one_of(st.none(), st.integers(1150, 65535)), st.integers(-1, 70000)),
       storage=st.one_of(st.none(), st.integers(20, 1000)),
       backup_days=mostly(st.one_of(st.none(), st.integers(0, 35)), st.integers(36, 400)),
       identifier=mostly(st.one_of(st.none(), or_token(st.from_regex(r"[a-z](-?[a-z0-9]){0,40}", fullmatch=True))), TEXT),
       database=mostly(st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True)), NAME),
       removal=st.one_of(st.none(), st.sampled_from(list(cdk.RemovalPolicy))))
def test_external_secret_rds_instance(username_key, password_key, encrypted, attach, port, storage, backup_days,
                                      identifier, database, removal):
    def build(stack):
        secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Secret", EXTERNAL_ARN)
        ExternalSecretRdsInstance(stack, "Db", secret=secret, username_key=literal_or_parameter(stack, username_key),
            password_key=literal_or_parameter(stack, password_key),
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
            vpc=ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-12345678",
                availability_zones=[f"{REGION}a", f"{REGION}b"], isolated_subnet_ids=["subnet-1111", "subnet-2222"]),
            storage_encrypted=encrypted, attach_secret=attach, port=port, allocated_storage=storage,
            backup_retention=cdk.Duration.days(backup_days) if backup_days is not None else None,
            instance_identifier=literal_or_parameter(stack, identifier), database_name=database,
            removal_policy=removal, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))
    outcome("ExternalSecretRdsInstance", build, "username_key", "password_key", "port", "allocated_storage",
            "backup_retention", "instance_identifier", "database_name", "removal_policy")


RESOURCE_KINDS = ["bucket", "queue", "unencrypted queue", "db"]


@FUZZ
@given(mode=st.sampled_from(list(EncryptionMode)), own_key=st.booleans(),
       resources=st.lists(st.sampled_from(RESOURCE_KINDS), min_size=1, max_size=6),
       exempt=st.dictionaries(st.sampled_from(["AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Fake::Thing", ""]),
                              st.sampled_from(["", "  ", "public website assets, nothing private"]), max_size=2),
       replaceable=st.booleans())
def test_encryption_aspect(mode, own_key, resources, exempt, replaceable):
    def build(stack):
        built = []
        for i, kind in enumerate(resources):
            if kind == "bucket":
                built.append(s3.Bucket(stack, f"Bucket{i}", removal_policy=cdk.RemovalPolicy.RETAIN,
                                       enforce_ssl=True))
            elif kind == "queue":
                built.append(sqs.Queue(stack, f"Queue{i}", removal_policy=cdk.RemovalPolicy.RETAIN))
            elif kind == "unencrypted queue":
                built.append(sqs.Queue(stack, f"Queue{i}", encryption=sqs.QueueEncryption.UNENCRYPTED,
                                       removal_policy=cdk.RemovalPolicy.RETAIN))
            else:
                db = rds.CfnDBInstance(stack, f"Db{i}", engine="postgres", db_instance_class="db.t4g.micro",
                                       allocated_storage="20", manage_master_user_password=True, master_username="app")
                db.apply_removal_policy(cdk.RemovalPolicy.SNAPSHOT)
                built.append(db)
        cdk.Aspects.of(stack).add(EncryptionAspect(mode=mode, exempt_resource_types=exempt or None,
            encryption_key=kms.Key(stack, "Key", enable_key_rotation=True) if own_key else None,
            allow_replacement_of=built if replaceable else None))
    ending = outcome("EncryptionAspect", build, "exempt_resource_types", "SqsManagedSseEnabled", "StorageEncrypted")
    # FIX, allowed to replace what it must, fixes every resource it checks: only a bad exemption refuses
    if mode == EncryptionMode.FIX and replaceable:
        assert ending in ("valid template", "refused (exception), naming exempt_resource_types"), ending
