"""The harness's own checks can fail: a template AWS would reject, a secret in plain text, an IAM
statement on "*" that could name a resource, a stateful resource of the library without a deletion policy."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager, aws_sqs as sqs

from harness import (
    lint_findings, logical_ids_written_by_the_library, new_stack, plaintext_secrets, stateful_without_policy, synth,
    template_problems, wildcard_statements,
)
from safe_constructs import RotatingSecret


def test_cfn_lint_reports_a_property_aws_rejects():
    stack = new_stack()
    cdk.CfnResource(stack, "Endpoint", type="AWS::DMS::Endpoint", properties={
        "EndpointType": "source", "EngineName": "postgres", "SecretsManagerSecretId": "arn",
    })
    body = cdk.assertions.Template.from_stack(stack).to_json()
    assert any("SecretsManagerSecretId" in f for f in lint_findings(body))
    with pytest.raises(AssertionError, match="cfn-lint E"):
        synth(stack)


def test_plaintext_secret_is_reported_and_dynamic_references_are_not():
    body = {"Resources": {
        "Bad": {"Type": "AWS::RDS::DBInstance", "Properties": {"MasterUserPassword": "hunter22"}},
        "Good": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "MasterUserPassword": {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "S"},
                                                     ":SecretString:password::}}"]]}}},
    }}
    assert plaintext_secrets(body) == ['plaintext secret at Bad/Properties/MasterUserPassword: "hunter22"']


def statement_on_star(actions):
    return {"Resources": {"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": actions, "Resource": "*"}]}}}}}


def test_a_statement_on_star_is_reported_when_its_action_can_name_a_resource():
    assert wildcard_statements(statement_on_star(["secretsmanager:GetSecretValue"])) == [
        "IAM statement on * at Policy/PolicyDocument: secretsmanager:GetSecretValue can be scoped to a resource ARN"]
    assert wildcard_statements(statement_on_star("s3:*"))  # a wildcard action is never on the allow-list


def test_a_statement_on_star_passes_when_aws_offers_no_narrower_resource():
    # the Service Authorization Reference gives these actions no resource type
    assert wildcard_statements(statement_on_star(["ec2:DescribeNetworkInterfaces", "xray:PutTraceSegments"])) == []


def test_a_key_policy_on_star_means_the_key_itself():
    body = {"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}}}}}
    assert wildcard_statements(body) == []


def test_a_stateful_resource_of_the_library_needs_an_explicit_deletion_policy():
    stack = new_stack()
    secret = RotatingSecret(stack, "Secret", username="app",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    raw_queue = sqs.CfnQueue(stack, "RawQueue")  # the test's own input, not the library's output
    written = logical_ids_written_by_the_library(stack)
    assert stack.resolve(secret.node.default_child.logical_id) in written
    assert stack.resolve(raw_queue.logical_id) not in written
    # WHEN the library's secret has lost its policies in the template
    body = cdk.assertions.Template.from_stack(stack).to_json()
    secret_id = stack.resolve(secret.node.default_child.logical_id)
    for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
        del body["Resources"][secret_id][policy]
    # THEN the scan names it; with no scope given (a whole app), the raw queue too
    assert stateful_without_policy(body, written) == [
        f"stateful AWS::SecretsManager::Secret {secret_id} has no explicit DeletionPolicy or UpdateReplacePolicy"]
    assert len(stateful_without_policy(body)) == 2
    assert template_problems(body, library_written=written) == stateful_without_policy(body, written)


@pytest.mark.parametrize("version, fails", [("16.4", True), ("17", False)])
def test_a_deprecated_minor_engine_version_fails_and_a_bare_major_does_not(version, fails):
    # cfn-lint W3691: RDS no longer creates instances on a deprecated version; on a bare major it is a
    # known false positive (RDS picks the current minor, cfn-lint#3849)
    body = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
        "Engine": "postgres", "EngineVersion": version, "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20",
        "MasterUsername": "app", "ManageMasterUserPassword": True, "StorageEncrypted": True}}}}
    assert any(f.startswith("cfn-lint W3691") for f in lint_findings(body)) == fails


@pytest.mark.parametrize("alias_zone, fails", [("Zone", False), ("OtherZone", True)])
def test_an_alias_to_a_record_of_its_own_zone_passes_and_to_another_zone_does_not(alias_zone, fails):
    # cfn-lint E1041 takes a hosted zone's Ref at AliasTarget.HostedZoneId for a copy-paste mistake; an alias to a
    # record in the same hosted zone is one Route 53 documents, with that zone's id (API reference, AliasTarget)
    zone = {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.internal"}}
    body = {"Resources": {"Zone": zone, "OtherZone": zone, "Alias": {"Type": "AWS::Route53::RecordSet", "Properties": {
        "HostedZoneId": {"Ref": "Zone"}, "Name": "pay.example.internal", "Type": "A",
        "AliasTarget": {"DNSName": "old.example.internal", "HostedZoneId": {"Ref": alias_zone}}}}}}
    assert any(f.startswith("cfn-lint E1041") for f in lint_findings(body)) == fails
