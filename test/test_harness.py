"""The harness's own checks can fail: a template AWS would reject, or a secret in plain text."""
import aws_cdk as cdk

from harness import lint_findings, new_stack, plaintext_secrets, synth
import pytest


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
