"""aws-cdk-lib behaviour this library is built on: each mistake of the original projects (README "Before / after") as raw aws-cdk-lib lets it be written.

These tests assert upstream facts, not this library: that the raw code synthesizes (cfn-lint passes
it) and fails only at deploy, or never. A failure here means aws-cdk-lib changed; revisit the safe
construct of that mistake (test_before_after.py) and the README's "before / after" table.
"""
import aws_cdk as cdk
import pytest
from aws_cdk import Duration, aws_dms as dms, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam, aws_rds as rds, aws_route53 as route53, aws_route53_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match

from harness import EXTERNAL_ARN, ISOLATED, POSTGRES, lint_findings, new_stack, only_resource, synth


def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "External", EXTERNAL_ARN)


def test_m1_before_the_published_fix_synthesizes_but_dms_rejects_it():
    stack = new_stack()
    secret = external(stack)
    with pytest.raises(TypeError):  # the original project's first attempt: the setting is not top-level
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


def test_m2_before_from_secret_rewrites_the_external_secret_and_checks_nothing_before_the_database():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED,
                         credentials=rds.Credentials.from_secret(external(stack)))
    template = synth(stack)
    assert template.find_resources("AWS::SecretsManager::SecretTargetAttachment")  # rewrites the secret
    assert "DependsOn" not in only_resource(template, "AWS::RDS::DBInstance")  # first read: mid-deploy
    assert only_resource(template, "AWS::RDS::DBInstance")["Properties"].get("StorageEncrypted") is None


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


def test_m4_before_the_schedule_fails_and_the_shipped_fix_never_rotates():
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Secret")
    with pytest.raises(RuntimeError, match="One of `rotationLambda` or `hostedRotation` must be specified"):
        secret.add_rotation_schedule("Rotation", automatically_after=Duration.days(30))
    stack = new_stack()
    secretsmanager.Secret(stack, "Secret")  # the shipped "fix": rotation commented out
    assert not synth(stack).find_resources("AWS::SecretsManager::RotationSchedule")


def test_m5_before_the_hand_written_aspect_fails_at_import():
    with pytest.raises(AttributeError, match="IAspect"):
        ec2.IAspect  # noqa: B018  the original project's @jsii.implements(ec2.IAspect)


