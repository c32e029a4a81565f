"""The library's story: each seed mistake written with raw aws-cdk-lib, beside the safe construct.

The raw code synthesizes (and cfn-lint passes it), so the mistake surfaces only at deploy, or never
(a feature silently lost); the safe construct refuses at synth, or makes the deploy fail first thing.
The README's "before / after" table summarizes these pairs.
"""
import aws_cdk as cdk
import pytest
from aws_cdk import Aspects, Duration, aws_dms as dms, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam, aws_rds as rds, aws_route53 as route53, aws_route53_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match

from harness import ACCOUNT, REGION, lint_findings, new_stack, only_resource, synth
from safe_constructs import (
    DmsEndpointType, EncryptionAspect, ExternalSecretRdsInstance, RotatingSecret, SecureDmsPostgresEndpoint,
    WeightedAliasRecord, WeightedAliasTarget,
)

EXTERNAL_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/source-AbCdEf"
ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16)


def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "External", EXTERNAL_ARN)


# M1: DMS endpoint credentials from Secrets Manager
def test_m1_before_the_published_fix_synthesizes_but_dms_rejects_it():
    stack = new_stack()
    secret = external(stack)
    with pytest.raises(TypeError):  # the seed's first attempt: the setting is not top-level
        dms.CfnEndpoint(stack, "First", endpoint_type="source", engine_name="postgres",
                        secrets_manager_secret_id=secret.secret_arn)
    # the commonly published "fix": global principal, server settings beside the secret, no TLS
    role = iam.Role(stack, "DmsRole", assumed_by=iam.ServicePrincipal("dms.amazonaws.com"))
    secret.grant_read(role)
    dms.CfnEndpoint(stack, "Source", endpoint_type="source", engine_name="postgres", database_name="payments",
        server_name="legacy-db.internal", port=5432,
        postgre_sql_settings=dms.CfnEndpoint.PostgreSqlSettingsProperty(
            secrets_manager_secret_id=secret.secret_arn, secrets_manager_access_role_arn=role.role_arn))
    template = synth(stack)  # cfn-lint passes it: only DMS, at deploy, refuses
    endpoint = only_resource(template, "AWS::DMS::Endpoint")["Properties"]
    assert endpoint["ServerName"] and endpoint["PostgreSqlSettings"]["SecretsManagerSecretId"]
    assert "SslMode" not in endpoint  # DMS's default: none
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "dms.amazonaws.com"}})]}})


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
def test_m2_before_from_secret_rewrites_the_external_secret_and_checks_nothing_before_the_database():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED,
                         credentials=rds.Credentials.from_secret(external(stack)))
    template = synth(stack)
    assert template.find_resources("AWS::SecretsManager::SecretTargetAttachment")  # rewrites the secret
    assert "DependsOn" not in only_resource(template, "AWS::RDS::DBInstance")  # first read: mid-deploy
    assert only_resource(template, "AWS::RDS::DBInstance")["Properties"].get("StorageEncrypted") is None


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
def test_m3_before_aws_cdk_lib_accepts_an_empty_identifier_duplicates_and_a_ttl_on_an_alias():
    stack = new_stack()
    zone = route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0),
                                        internet_facing=True)
    for record_id, identifier in (("Blue", "live"), ("Green", "live"), ("Empty", "")):
        route53.ARecord(stack, record_id, zone=zone, record_name="pay", weight=50, set_identifier=identifier,
                        ttl=Duration.minutes(5), target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(alb)))
    # cdk synth accepts it (only a TTL warning); Route 53 rejects the duplicate and the empty
    # identifier at deploy. cfn-lint, when someone runs it, sees the duplicate within one template.
    template = cdk.assertions.Template.from_stack(stack)
    identifiers = [r["Properties"].get("SetIdentifier") for r in template.find_resources("AWS::Route53::RecordSet").values()]
    assert identifiers.count("live") == 2
    assert Annotations.from_stack(stack).find_error("*", Match.any_value()) == []
    assert any(f.startswith("cfn-lint E3019") for f in lint_findings(template.to_json()))


def test_m3_after_the_group_is_checked_at_synth_across_stacks():
    stack = new_stack()
    zone = route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")
    target = WeightedAliasTarget.from_attributes("alb-1.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")
    with pytest.raises(RuntimeError, match=r"set_identifier \(setIdentifier\) must be 1 to 128 characters"):
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
def test_m4_before_the_schedule_fails_and_the_shipped_fix_never_rotates():
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Secret")
    with pytest.raises(RuntimeError, match="One of `rotationLambda` or `hostedRotation` must be specified"):
        secret.add_rotation_schedule("Rotation", automatically_after=Duration.days(30))
    stack = new_stack()
    secretsmanager.Secret(stack, "Secret")  # the shipped "fix": rotation commented out
    assert not synth(stack).find_resources("AWS::SecretsManager::RotationSchedule")


def test_m4_after_a_secret_without_rotation_cannot_be_written():
    stack = new_stack()
    with pytest.raises(TypeError, match="hosted_rotation"):
        RotatingSecret(stack, "Secret", username="app")


# M5: encryption enforced by an aspect
def test_m5_before_the_hand_written_aspect_fails_at_import():
    with pytest.raises(AttributeError, match="IAspect"):
        ec2.IAspect  # noqa: B018  the seed's @jsii.implements(ec2.IAspect)


def test_m5_after_one_line_reports_the_unencrypted_database_at_synth():
    stack = new_stack()
    rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0),
                         vpc_subnets=ISOLATED)
    Aspects.of(stack).add(EncryptionAspect())
    synth(stack, allow_errors=True)
    [error] = Annotations.from_stack(stack).find_error("*", Match.any_value())
    assert error.id == "/Test/Db/Resource" and "StorageEncrypted" in str(error.entry.data)
