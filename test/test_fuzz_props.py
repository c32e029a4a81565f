"""Property-based tests: whatever the props, a construct ends in exactly one of two ways.

Either the template passes cfn-lint and the plaintext-secret scan (the harness), or construction or
synthesis fails with a message that names the prop. Never a jsii crash, an unnamed error, or a
template AWS would reject. Bounded (max_examples) so CI stays fast; raise FUZZ_EXAMPLES for a longer run.
"""
import os
import re

import aws_cdk as cdk
from aws_cdk import aws_rds as rds, aws_route53 as route53, aws_secretsmanager as secretsmanager
from hypothesis import HealthCheck, given, settings, strategies as st

from harness import ACCOUNT, REGION, new_stack, synth
from safe_constructs import (
    DmsEndpointType, DmsSslMode, ExternalSecretRdsInstance, RotatingSecret, SecureDmsPostgresEndpoint,
    WeightedAliasRecord, WeightedAliasTarget,
)

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
EXTERNAL_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:fuzz/secret-AbCdEf"
CERT_ARN = f"arn:aws:dms:{REGION}:{ACCOUNT}:cert:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TEXT = st.text(alphabet=st.characters(codec="ascii"), max_size=140)


def outcome(build, *props):
    """Runs `build(stack)` and synth; returns 'valid' or 'refused', failing on anything else."""
    stack = new_stack()
    try:
        build(stack)
        synth(stack)
        return "valid"
    except RuntimeError as error:
        message = str(error)
        assert not message.startswith("JSII"), message
        named = [p for p in props if re.search(rf"\b{p}\b", message)]
        assert named, f"the error names none of {props}: {message}"
        return "refused"


@FUZZ
@given(weight=st.one_of(st.integers(-5, 300), st.floats(-1, 300, allow_nan=False)),
       identifier=TEXT, name=st.sampled_from(["pay", "pay.example.com", "pay.example.com.", "", "a..b",
                                              "pay.other.com.", "*.pay", "x" * 64, "Pay-1"]),
       record_type=st.sampled_from(["A", "AAAA"]))
def test_weighted_alias_record(weight, identifier, name, record_type):
    from safe_constructs import AliasRecordType

    def build(stack):
        zone = route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                              zone_name="example.com")
        WeightedAliasRecord(stack, "Record", zone=zone, record_name=name, weight=weight, set_identifier=identifier,
            record_type=AliasRecordType(record_type),
            target=WeightedAliasTarget.from_attributes("lb.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2"))
    outcome(build, "weight", "set_identifier", "record_name")


@FUZZ
@given(hours=st.integers(0, 30000), length=st.integers(0, 200), username=TEXT,
       exclude=st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=40),
       removal=st.sampled_from(list(cdk.RemovalPolicy)))
def test_rotating_secret(hours, length, username, exclude, removal):
    def build(stack):
        RotatingSecret(stack, "Secret", username=username, automatically_after=cdk.Duration.hours(hours),
                       password_length=length, exclude_characters=exclude, removal_policy=removal,
                       hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    outcome(build, "automatically_after", "password_length", "username", "removal_policy")


@FUZZ
@given(endpoint_type=st.sampled_from(list(DmsEndpointType)), ssl=st.sampled_from(list(DmsSslMode)),
       certificate=st.booleans(), identifier=st.one_of(st.none(), TEXT), database=TEXT)
def test_secure_dms_postgres_endpoint(endpoint_type, ssl, certificate, identifier, database):
    def build(stack):
        secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Secret", EXTERNAL_ARN)
        SecureDmsPostgresEndpoint(stack, "Endpoint", secret=secret, endpoint_type=endpoint_type, ssl_mode=ssl,
            certificate_arn=CERT_ARN if certificate else None, endpoint_identifier=identifier, database_name=database)
    outcome(build, "certificate_arn", "endpoint_identifier", "database_name")


@FUZZ
@given(username_key=TEXT, password_key=TEXT, encrypted=st.booleans(), attach=st.booleans())
def test_external_secret_rds_instance(username_key, password_key, encrypted, attach):
    from aws_cdk import aws_ec2 as ec2

    def build(stack):
        secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Secret", EXTERNAL_ARN)
        ExternalSecretRdsInstance(stack, "Db", secret=secret, username_key=username_key, password_key=password_key,
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16),
            vpc=ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-12345678",
                availability_zones=[f"{REGION}a", f"{REGION}b"], isolated_subnet_ids=["subnet-1111", "subnet-2222"]),
            storage_encrypted=encrypted, attach_secret=attach,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))
    outcome(build, "username_key", "password_key")
