import json

import pytest
from aws_cdk import aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match

from harness import (
    ACCOUNT, EXTERNAL_ARN, KEY_ARN, REGION, new_stack, only_resource, private_vpc, synth, warnings_of,
)
from safe_constructs import (
    DmsEndpointType, DmsPostgresPlugin, DmsSslMode, RotatingSecret, SecureDmsPostgresEndpoint,
)

CERT_ARN = f"arn:aws:dms:{REGION}:{ACCOUNT}:cert:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def postgres(stack, **props):
    """A PostgreSQL instance in an isolated subnet of a new VPC."""
    vpc = props.pop("vpc", None) or ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    return rds.DatabaseInstance(stack, "Db",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
        vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True, **props)


def attached_rotating_secret(stack, key=None):
    """A RotatingSecret attached to a private PostgreSQL instance, as DMS needs it."""
    vpc = private_vpc(stack)
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)
    secret = RotatingSecret(stack, "DbSecret", username="app", hosted_rotation=rotation, encryption_key=key)
    postgres(stack, vpc=vpc, credentials=rds.Credentials.from_secret(secret))
    return secret


def external_secret(stack, key=None):
    return secretsmanager.Secret.from_secret_attributes(stack, "External",
        secret_complete_arn=EXTERNAL_ARN, encryption_key=key)


def endpoint(stack, secret, **overrides):
    props = {"secret": secret, "endpoint_type": DmsEndpointType.SOURCE, "database_name": "payments"}
    props.update(overrides)
    return SecureDmsPostgresEndpoint(stack, "Source", **props)


def role_policy_statements(template, role_prefix):
    return [s for p in template.find_resources("AWS::IAM::Policy").values()
            if any(r["Ref"].startswith(role_prefix) for r in p["Properties"]["Roles"])
            for s in p["Properties"]["PolicyDocument"]["Statement"]]


def test_reads_a_rotating_secret_with_a_customer_managed_key_through_its_own_role():
    # GIVEN a RotatingSecret, encrypted with a customer-managed key, attached to its database
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    secret = attached_rotating_secret(stack, key)
    # WHEN
    source = endpoint(stack, secret)
    # THEN the endpoint reads the secret, and nothing else carries credentials
    template = synth(stack)
    props = only_resource(template, "AWS::DMS::Endpoint")["Properties"]
    assert props["EngineName"] == "postgres"
    assert props["EndpointType"] == "source"
    assert props["DatabaseName"] == "payments"
    assert props["SslMode"] == "require"
    settings = props["PostgreSqlSettings"]
    assert settings["SecretsManagerSecretId"] == stack.resolve(secret.secret_arn)
    assert settings["SecretsManagerAccessRoleArn"] == stack.resolve(source.role.role_arn)
    for forbidden in ("Username", "Password", "ServerName", "Port"):
        assert forbidden not in json.dumps(props).replace("SecretsManager", ""), forbidden
    # the role trusts the regional DMS principal only
    role = template.find_resources("AWS::IAM::Role")[stack.get_logical_id(source.role.node.default_child)]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
        "Action": "sts:AssumeRole", "Effect": "Allow",
        "Principal": {"Service": f"dms.{REGION}.amazonaws.com"},
    }]
    # and may read that secret and decrypt with its key, nothing on *
    statements = role_policy_statements(template, "SourceSecretAccessRole")
    assert statements == [
        {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
         "Resource": stack.resolve(secret.secret_arn)},
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow",
         "Resource": stack.resolve(key.key_arn)},
    ]
    assert source.preflight_check is None
    assert source.endpoint_arn == source.endpoint.ref


def test_trust_uses_the_region_token_in_a_region_agnostic_stack():
    stack = new_stack(env=None)
    source = endpoint(stack, external_secret(stack))
    template = synth(stack)
    role = template.find_resources("AWS::IAM::Role")[stack.get_logical_id(source.role.node.default_child)]
    principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
    assert principal == {"Fn::Join": ["", ["dms.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}


def test_external_secret_with_imported_key_gets_the_kms_grant_and_a_preflight_check():
    # GIVEN a secret and key created outside the stack (grant_read would add no kms:Decrypt here)
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "ImportedKey", KEY_ARN)
    # WHEN
    source = endpoint(stack, external_secret(stack, key), endpoint_type=DmsEndpointType.TARGET)
    # THEN
    template = synth(stack)
    assert role_policy_statements(template, "SourceSecretAccessRole") == [
        {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
         "Resource": EXTERNAL_ARN},
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": KEY_ARN},
    ]
    check = only_resource(template, "Custom::SecretPreflightCheck")
    assert check["Properties"]["SecretId"] == EXTERNAL_ARN
    assert check["Properties"]["RequiredKeys"] == ["username", "password", "host", "port"]
    assert check["Properties"]["RejectedPasswordCharacters"] == "{};.:+%"
    endpoint_resource = only_resource(template, "AWS::DMS::Endpoint")
    check_id = stack.get_logical_id(source.preflight_check.resource.node.default_child)
    assert check_id in endpoint_resource["DependsOn"]
    assert endpoint_resource["Properties"]["EndpointType"] == "target"
    # the check's own role reads that one secret and writes its own log group
    log_group = stack.get_logical_id(source.preflight_check.node.find_child("Logs").node.default_child)
    assert role_policy_statements(template, "SourceSecretCheckRole") == [
        {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [log_group, "Arn"]}},
        {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
         "Resource": EXTERNAL_ARN},
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": KEY_ARN},
    ]
    assert not only_resource(template, "AWS::Lambda::Function")["Properties"].get("ManagedPolicyArns")
    assert "ManagedPolicyArns" not in json.dumps(template.find_resources("AWS::IAM::Role"))


def test_secret_imported_by_name_is_granted_with_the_suffix_wildcard():
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_name_v2(stack, "ByName", "legacy/payments")
    endpoint(stack, secret, preflight_check=False)
    template = synth(stack)
    [statement] = role_policy_statements(template, "SourceSecretAccessRole")
    assert json.dumps(statement["Resource"]).endswith(':secret:legacy/payments-??????"]]}')
    assert not template.find_resources("Custom::SecretPreflightCheck")


def test_verify_full_with_a_certificate_and_cdc_settings():
    stack = new_stack()
    endpoint(stack, external_secret(stack), ssl_mode=DmsSslMode.VERIFY_FULL, certificate_arn=CERT_ARN,
             endpoint_identifier="payments-source-1",
             cdc_settings={"heartbeat_enable": True, "heartbeat_frequency": 5, "slot_name": "dms_slot",
                           "plugin_name": DmsPostgresPlugin.PGLOGICAL})
    template = synth(stack)
    template.has_resource_properties("AWS::DMS::Endpoint", {
        "SslMode": "verify-full", "CertificateArn": CERT_ARN, "EndpointIdentifier": "payments-source-1",
        "PostgreSqlSettings": Match.object_like({
            "HeartbeatEnable": True, "HeartbeatFrequency": 5, "SlotName": "dms_slot", "PluginName": "pglogical",
        }),
    })


def test_ssl_none_chosen_explicitly_leaves_a_warning():
    stack = new_stack()
    endpoint(stack, external_secret(stack), ssl_mode=DmsSslMode.NONE)
    template = synth(stack)
    template.has_resource_properties("AWS::DMS::Endpoint", {"SslMode": "none"})
    assert any("dmsSslNone" in w and "clear text" in w for w in warnings_of(stack))


def test_default_ssl_mode_leaves_no_warning():
    stack = new_stack()
    endpoint(stack, external_secret(stack))
    synth(stack)
    assert not [w for w in warnings_of(stack) if "dmsSslNone" in w]


def test_fails_without_endpoint_type():
    stack = new_stack()
    with pytest.raises(TypeError, match="endpoint_type"):
        SecureDmsPostgresEndpoint(stack, "Source", secret=external_secret(stack), database_name="payments")


@pytest.mark.parametrize("mode", [DmsSslMode.VERIFY_CA, DmsSslMode.VERIFY_FULL])
def test_fails_with_verify_mode_without_a_certificate(mode):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:CertificateMissing\] Test/Source: certificate_arn \(certificateArn\) is required with "
        r"ssl_mode \(sslMode\) verify-(ca|full), and none was given; fix: import the CA that signed the server's certificate with "
        r"DmsCertificate \(for RDS and Aurora: the certificate bundle of its Region, "
        r"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html\) and pass its certificate_arn, or use "
        r"DmsSslMode.REQUIRE$")):
        endpoint(stack, external_secret(stack), ssl_mode=mode)


def test_fails_with_a_certificate_that_would_not_be_used():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:CertificateUnused\] .*" r"certificate_arn \(certificateArn\) is used only with VERIFY_CA or VERIFY_FULL, got ssl_mode \(sslMode\): "
        r"require; fix: use DmsSslMode.VERIFY_FULL")):
        endpoint(stack, external_secret(stack), certificate_arn=CERT_ARN)


@pytest.mark.parametrize("identifier", ["1source", "source-", "pay--source", "pay_source", "a" * 256, ""])
def test_fails_with_an_identifier_dms_rejects(identifier):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"endpoint_identifier \(endpointIdentifier\) is not a name DMS accepts, got: \".*\"; fix: use a letter")):
        endpoint(stack, external_secret(stack), endpoint_identifier=identifier)


@pytest.mark.parametrize("name", ["", "d" * 64])
def test_fails_with_a_database_name_postgres_rejects(name):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"database_name \(databaseName\) must be 1 to 63 characters"):
        endpoint(stack, external_secret(stack), database_name=name)


def test_fails_with_the_rds_managed_master_secret():
    stack = new_stack()
    cfn = postgres(stack).node.default_child
    cfn.manage_master_user_password = True
    managed = secretsmanager.Secret.from_secret_complete_arn(stack, "Managed", cfn.attr_master_user_secret_secret_arn)
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SecretLacksHostAndPort\] .*secret is the master secret RDS manages \(MasterUserSecret\), which holds only username and password, "
        r"and DMS also needs host and port; fix: ")):
        endpoint(stack, managed)


def test_fails_with_a_rotating_secret_never_attached_to_its_database():
    # GIVEN a RotatingSecret that holds only username and password
    stack = new_stack()
    secret = RotatingSecret(stack, "DbSecret", username="app",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    endpoint(stack, secret)
    # THEN synth refuses, naming the keys DMS lacks
    with pytest.raises(RuntimeError, match=(
        r"\[Test/Source\] \[safe-constructs:SecretLacksKeys\] secret will hold only username, password, and DMS also "
        r"needs host, port; fix: attach the secret to its database")):
        synth(stack)


def test_fails_with_a_generated_secret_whose_passwords_dms_rejects():
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Plain", generate_secret_string=secretsmanager.SecretStringGenerator(
        secret_string_template=json.dumps({"username": "app"}), generate_string_key="password"))
    postgres(stack, credentials=rds.Credentials.from_secret(secret))
    endpoint(stack, secret)
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SecretAllowsRejectedCharacters\] .*" r"secret generates passwords that may contain \"\{\};\.:\+%\", which DMS rejects in endpoint passwords")):
        synth(stack)


def test_fails_with_a_preflight_check_on_a_secret_created_in_the_app():
    stack = new_stack()
    secret = attached_rotating_secret(stack)
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:PreflightOnAppSecret\] .*preflight_check \(preflightCheck\) is true for a secret created in this app")):
        endpoint(stack, secret, preflight_check=True)


def test_fails_with_a_generated_secret_that_may_put_a_dot_in_the_password():
    # The DMS guide's secrets section: "AWS DMS doesn't allow these characters in passwords used for
    # endpoint credentials": ; . : +
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Plain", generate_secret_string=secretsmanager.SecretStringGenerator(
        secret_string_template=json.dumps({"username": "app"}), generate_string_key="password",
        exclude_characters="{};:+%"))
    postgres(stack, credentials=rds.Credentials.from_secret(secret))
    endpoint(stack, secret)
    with pytest.raises(RuntimeError, match=r"may contain \"\.\", which DMS rejects in endpoint passwords"):
        synth(stack)


@pytest.mark.parametrize("allowed", ["{", "}", "%"])
def test_fails_with_a_generated_secret_that_may_put_a_brace_or_percent_in_the_password(allowed):
    # The DMS guide's endpoint page, the table of "unsupported characters in endpoint passwords and secret manager
    # secrets": { } for "All" engines, ; + % for PostgreSQL (issue #36.7: the source of the refusal)
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Plain", generate_secret_string=secretsmanager.SecretStringGenerator(
        secret_string_template=json.dumps({"username": "app"}), generate_string_key="password",
        exclude_characters="{};.:+%".replace(allowed, "")))
    postgres(stack, credentials=rds.Credentials.from_secret(secret))
    endpoint(stack, secret)
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    assert (f"[safe-constructs:SecretAllowsRejectedCharacters] secret generates passwords that may contain {json.dumps(allowed)}, "
            "which DMS rejects in endpoint passwords") in str(raised.value)


def test_a_secret_with_no_json_key_is_refused_in_words():
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Plain")  # a generated plain string, no JSON keys
    endpoint(stack, secret)
    with pytest.raises(RuntimeError, match=r"secret will hold no JSON key, and DMS also needs username, password, host, port"):
        synth(stack)


def test_a_source_endpoint_captures_no_ddl_unless_asked_and_a_target_takes_no_cdc_settings():
    # DDL capture as a user that is not the master needs artifacts the master creates (CHAP_Source.PostgreSQL): off here
    stack = new_stack()
    endpoint(stack, external_secret(stack))
    settings = only_resource(synth(stack), "AWS::DMS::Endpoint")["Properties"]["PostgreSqlSettings"]
    assert settings["CaptureDdls"] is False
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:CdcSettingsOnTarget\] Test/Source: cdc_settings \(cdcSettings\) are "
                                            r"given for a TARGET endpoint, .* fix: move cdc_settings \(cdcSettings\) to the SOURCE endpoint")):
        endpoint(stack, external_secret(stack), endpoint_type=DmsEndpointType.TARGET, cdc_settings={"heartbeat_enable": True})


def test_cdc_values_dms_and_postgres_reject_are_refused_together():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        endpoint(stack, external_secret(stack), cdc_settings={"slot_name": "DMS-Slot", "heartbeat_frequency": 0,
                                                             "heartbeat_schema": "dms schema"})
    message = str(raised.value)
    assert ('[safe-constructs:SlotNameInvalid] Test/Source: slot_name (slotName) is not a replication slot name PostgreSQL '
            'accepts, got: "DMS-Slot"; fix: use 1 to 63 lower-case letters, digits and underscores') in message
    assert ('[safe-constructs:HeartbeatFrequencyOutOfRange] Test/Source: heartbeat_frequency (heartbeatFrequency) must be a '
            'whole number from 1 to 2147483647, got: 0') in message
    assert ('[safe-constructs:CdcSchemaInvalid] Test/Source: heartbeat_schema (heartbeatSchema) is not a schema name DMS can '
            'create its tables in, got: "dms schema"') in message


# --- how the endpoint's secret is rotated (README, "The task after the deploy"; issue #32) -------------


def test_fails_with_a_multi_user_rotation_of_its_secret():
    # AWS's multi-user function switches the secret between <user> and <user>_clone (a member of <user>): DMS's heartbeat
    # and control tables belong to whichever was current when the task started
    stack = new_stack()
    vpc = private_vpc(stack)
    master = secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN)
    rotation = secretsmanager.HostedRotation.postgre_sql_multi_user(master_secret=master, vpc=vpc, vpc_subnets=ISOLATED)
    secret = RotatingSecret(stack, "Reader", username="dms_reader", hosted_rotation=rotation, master_secret=master)
    secret.attach(postgres(stack, vpc=vpc))
    endpoint(stack, secret)
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    message = str(raised.value)
    assert ("[safe-constructs:MultiUserRotationOnDmsSecret] secret is rotated by Test/Reader/RotationSchedule/Resource, a "
            "PostgreSQLMultiUser rotation: DMS creates its heartbeat and control tables as whichever user is current when the task "
            "starts") in message
    assert "fix: rotate the DMS user's secret with a single-user rotation (HostedRotation.postgre_sql_single_user())" in message


def test_a_secret_from_outside_the_app_or_rotated_by_a_function_of_ones_own_leaves_a_warning():
    from aws_cdk import aws_lambda as lambda_
    stack = new_stack()
    endpoint(stack, external_secret(stack))
    vpc = private_vpc(stack)
    own = secretsmanager.Secret(stack, "Own", generate_secret_string=secretsmanager.SecretStringGenerator(
        secret_string_template='{"username": "dms_reader"}', generate_string_key="password", exclude_characters="{};.:+%/\"@&' "))
    own.attach(postgres(stack, vpc=vpc))
    rotator = lambda_.Function(stack, "Rotator", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                               code=lambda_.Code.from_inline("def handler(event, context):\n    pass\n"))
    own.add_rotation_schedule("Rotation", rotation_lambda=rotator)
    SecureDmsPostgresEndpoint(stack, "Target", secret=own, endpoint_type=DmsEndpointType.TARGET, database_name="payments")
    synth(stack)
    unseen = [w for w in warnings_of(stack) if "dmsSecretRotationUnseen" in w]
    assert any("the endpoint's secret comes from outside the app, so how it is rotated cannot be seen: rotate it with a single-user "
               "rotation, not a multi-user one" in w for w in unseen), unseen
    assert any("the endpoint's secret is rotated by Test/Own/Rotation/Resource, whose function is not a hosted rotation" in w
               for w in unseen), unseen


def test_a_single_user_rotation_of_its_secret_leaves_no_warning():
    stack = new_stack()
    endpoint(stack, attached_rotating_secret(stack))
    synth(stack)
    assert not [w for w in warnings_of(stack) if "dmsSecretRotationUnseen" in w]
