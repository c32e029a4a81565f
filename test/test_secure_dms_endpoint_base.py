"""SecureDmsEndpointBase: what every engine's endpoint gets from it, shown with an engine written in Python."""
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, REGION, new_stack, only_resource, synth
from safe_constructs import (
    DmsEndpointType, DmsMySqlEngine, DmsSecretEndpointProps, DmsSslMode, SecureDmsEndpointBase, SecureDmsMySqlEndpoint,
    SecureDmsPostgresEndpoint,
)


CERT_ARN = f"arn:aws:dms:{REGION}:123456789012:cert:ABC"


class SqlServerEndpoint(SecureDmsEndpointBase):
    """An engine as a small class: its name, its TLS modes, its settings beside the secret. SQL Server takes none,
    require and verify-full, not verify-ca (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html)."""

    def __init__(self, scope, id, **props):
        # the engine's declaration (a DmsEndpointEngine) arrives as keywords in Python
        super().__init__(scope, id, DmsSecretEndpointProps(**props),
                         engine_name="sqlserver", database_name="orders", description="the DMS SQL Server endpoint",
                         ssl_modes=[DmsSslMode.NONE, DmsSslMode.REQUIRE, DmsSslMode.VERIFY_FULL],
                         default_ssl_mode=DmsSslMode.VERIFY_FULL)
        self.endpoint.microsoft_sql_server_settings = {
            "secretsManagerSecretId": EXTERNAL_ARN, "secretsManagerAccessRoleArn": self.role.role_arn}


def test_an_engine_class_gets_the_role_the_checks_and_the_attributes_of_the_base():
    # GIVEN an engine written on the base
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    # WHEN
    endpoint = SqlServerEndpoint(stack, "Target", secret=secret, endpoint_type=DmsEndpointType.TARGET,
                                 certificate_arn=CERT_ARN)
    template = synth(stack)
    # THEN its engine's default TLS mode, its settings, the regional trust and the secret's pre-flight check
    props = only_resource(template, "AWS::DMS::Endpoint")["Properties"]
    assert (props["EngineName"], props["DatabaseName"], props["SslMode"]) == ("sqlserver", "orders", "verify-full")
    assert props["MicrosoftSqlServerSettings"]["SecretsManagerSecretId"] == EXTERNAL_ARN
    assert endpoint.ssl_mode == DmsSslMode.VERIFY_FULL and endpoint.endpoint_type == DmsEndpointType.TARGET
    role = template.to_json()["Resources"][stack.get_logical_id(endpoint.role.node.default_child)]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": f"dms.{REGION}.amazonaws.com"}
    assert endpoint.preflight_check is not None


def test_fails_with_a_tls_mode_the_engine_does_not_support():
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:SslModeUnsupported\] Test/Source: ssl_mode \(sslMode\) is VERIFY_CA, which DMS does not support "
            r"for the DMS SQL Server endpoint \(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html, its table "
            r"of modes per engine\); fix: use DmsSslMode.REQUIRE or VERIFY_FULL$")):
        SqlServerEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE, ssl_mode=DmsSslMode.VERIFY_CA,
                          certificate_arn=CERT_ARN)


@pytest.mark.parametrize("make, default", [
    (lambda stack, secret: SecureDmsPostgresEndpoint(stack, "E", secret=secret, endpoint_type=DmsEndpointType.SOURCE,
                                                     database_name="payments"), DmsSslMode.REQUIRE),
    # DMS does not support require for the MySQL family: it verifies the server, with a certificate
    (lambda stack, secret: SecureDmsMySqlEndpoint(stack, "E", secret=secret, endpoint_type=DmsEndpointType.SOURCE,
                                                  engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN), DmsSslMode.VERIFY_FULL),
])
def test_each_engine_is_a_base_and_names_its_default_tls_mode(make, default):
    stack = new_stack()
    endpoint = make(stack, secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN))
    assert isinstance(endpoint, SecureDmsEndpointBase) and endpoint.ssl_mode == default
