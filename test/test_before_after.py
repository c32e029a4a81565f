"""The library's story: each mistake of the original projects (README "Before / after"), made impossible by the safe construct.

The raw code of each mistake synthesizes (test_upstream_canary.py shows it), so the mistake surfaces
only at deploy, or never; the safe construct refuses at synth, or makes the deploy fail first thing.
The README's "before / after" table summarizes these pairs.
"""
import pytest
from aws_cdk import Aspects, Duration, aws_ec2 as ec2, aws_rds as rds, aws_route53 as route53
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match

from harness import (
    EXTERNAL_ARN, ISOLATED, POSTGRES, REGION, new_stack, only_resource, synth,
)
from safe_constructs import (
    DmsEndpointType, EncryptionAspect, ExternalSecretRdsInstance, RotatingSecret, SecureDmsPostgresEndpoint,
    WeightedAliasRecord, WeightedAliasTarget,
)

def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "External", EXTERNAL_ARN)


# M1: DMS endpoint credentials from Secrets Manager
def test_m1_after_the_safe_construct_admits_no_server_settings_and_trusts_the_regional_principal():
    stack = new_stack()
    secret = external(stack)
    with pytest.raises(TypeError, match="server_name"):
        SecureDmsPostgresEndpoint(stack, "Bad", secret=secret, endpoint_type=DmsEndpointType.SOURCE,
                                  database_name="payments", server_name="legacy-db.internal")
    SecureDmsPostgresEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE,
                              database_name="payments")
    template = synth(stack)
    assert only_resource(template, "AWS::DMS::Endpoint")["Properties"]["SslMode"] == "require"
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": f"dms.{REGION}.amazonaws.com"}})]}})


# M2: RDS master credentials from an existing secret
def test_m2_after_the_secret_is_checked_first_and_left_untouched():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    ExternalSecretRdsInstance(stack, "Db", secret=external(stack), engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED)
    template = synth(stack)
    assert not template.find_resources("AWS::SecretsManager::SecretTargetAttachment")
    [check_id] = template.find_resources("Custom::SecretPreflightCheck")
    db = only_resource(template, "AWS::RDS::DBInstance")
    assert check_id in db["DependsOn"] and db["Properties"]["StorageEncrypted"] is True


# M3: Route 53 weighted routing to load balancers
def test_m3_after_the_group_is_checked_at_synth_across_stacks():
    stack = new_stack()
    zone = route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")
    target = WeightedAliasTarget.from_attributes("alb-1.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:SetIdentifierLength\] .*" r"set_identifier \(setIdentifier\) must be 1 to 128 characters"):
        WeightedAliasRecord(stack, "Empty", zone=zone, record_name="pay", target=target, weight=50, set_identifier="")
    with pytest.raises(TypeError, match="ttl"):
        WeightedAliasRecord(stack, "Ttl", zone=zone, record_name="pay", target=target, weight=50,
                            set_identifier="ttl", ttl=Duration.minutes(5))
    # two stacks, one zone: no single template shows the clash, the app-wide check does
    other = new_stack(app=stack.node.root, stack_id="Other")
    other_zone = route53.HostedZone.from_hosted_zone_attributes(other, "Zone", hosted_zone_id="Z0123456789ABC",
                                                                zone_name="example.com")
    WeightedAliasRecord(stack, "Blue", zone=zone, record_name="pay", target=target, weight=50, set_identifier="live")
    WeightedAliasRecord(other, "Green", zone=other_zone, record_name="pay", target=target, weight=50,
                        set_identifier="live")
    with pytest.raises(RuntimeError, match=r"set_identifier \(setIdentifier\) \"live\" is used by 2 records"):
        stack.node.root.synth()


# M4: secret rotation without a rotation mechanism
def test_m4_after_a_secret_without_rotation_cannot_be_written():
    stack = new_stack()
    with pytest.raises(TypeError, match="hosted_rotation"):
        RotatingSecret(stack, "Secret", username="app")


# M5: encryption enforced by an aspect
def test_m5_after_one_line_reports_the_unencrypted_database_at_synth():
    stack = new_stack()
    rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0),
                         vpc_subnets=ISOLATED)
    Aspects.of(stack).add(EncryptionAspect())
    # an error of `python app.py` as of `cdk synth`: app.synth() fails, naming the resource
    with pytest.raises(RuntimeError, match=r"\[Test/Db/Resource\] \[safe-constructs:UnencryptedAtRest\] AWS::RDS::DBInstance "
                                           r"StorageEncrypted is absent"):
        stack.node.root.synth()
