import json

import pytest
from aws_cdk import CfnParameter, Duration, RemovalPolicy, SecretValue, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match

from harness import EXTERNAL_ARN, new_stack, only_resource, private_vpc, synth, warnings_of
from safe_constructs import RotatingSecret

REJECTED_BY_CONSUMERS = "{};.:+%/\"@&'"  # DMS, and RDS (Oracle's & ' included)


def rotating_secret(stack, **overrides):
    props = {"hosted_rotation": secretsmanager.HostedRotation.postgre_sql_single_user(), "username": "app"}
    props.update(overrides)
    return RotatingSecret(stack, "Secret", **props)


def test_rotates_every_30_days_through_the_hosted_rotation_lambda():
    # GIVEN
    stack = new_stack()
    # WHEN
    rotating_secret(stack)
    # THEN
    template = synth(stack)
    template.has_resource_properties("AWS::SecretsManager::RotationSchedule", {
        "SecretId": {"Ref": Match.string_like_regexp("Secret")},
        "HostedRotationLambda": Match.object_like({"RotationType": "PostgreSQLSingleUser"}),
        "RotationRules": {"ScheduleExpression": "rate(30 days)"},
    })
    assert "AWS::SecretsManager-2024-09-16" in json.dumps(template.to_json()["Transform"])


def test_generates_the_username_password_json_that_rds_and_dms_read():
    stack = new_stack()
    rotating_secret(stack, username="payments_app")
    secret = only_resource(synth(stack), "AWS::SecretsManager::Secret")["Properties"]
    generator = secret["GenerateSecretString"]
    assert json.loads(generator["SecretStringTemplate"]) == {"username": "payments_app"}
    assert generator["GenerateStringKey"] == "password"
    assert generator["PasswordLength"] == 30
    assert "SecretString" not in secret


def test_password_excludes_what_dms_and_rds_reject_even_with_custom_exclusions():
    stack = new_stack()
    rotating_secret(stack, exclude_characters="xyz")
    template = synth(stack)
    generator = only_resource(template, "AWS::SecretsManager::Secret")["Properties"]["GenerateSecretString"]
    excluded = generator["ExcludeCharacters"]
    assert excluded.startswith("xyz")
    assert all(c in excluded for c in REJECTED_BY_CONSUMERS)
    # the rotation Lambda generates later passwords with the same exclusions
    rotation = only_resource(template, "AWS::SecretsManager::RotationSchedule")["Properties"]
    assert rotation["HostedRotationLambda"]["ExcludeCharacters"] == excluded


def test_default_exclusions_are_the_database_secret_set():
    stack = new_stack()
    rotating_secret(stack)
    generator = only_resource(synth(stack), "AWS::SecretsManager::Secret")["Properties"]["GenerateSecretString"]
    assert all(c in generator["ExcludeCharacters"] for c in REJECTED_BY_CONSUMERS + "`#$&*()|[]:<>?!\\~")


def test_custom_schedule_and_length():
    stack = new_stack()
    rotating_secret(stack, automatically_after=Duration.hours(4), password_length=64)
    template = synth(stack)
    template.has_resource_properties("AWS::SecretsManager::RotationSchedule", {
        "RotationRules": {"ScheduleExpression": "rate(4 hours)"},
    })
    template.has_resource_properties("AWS::SecretsManager::Secret", {
        "GenerateSecretString": Match.object_like({"PasswordLength": 64}),
    })


def test_is_retained_by_default_and_destroyed_only_when_asked():
    stack = new_stack()
    rotating_secret(stack)
    synth(stack).has_resource("AWS::SecretsManager::Secret", {
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
    })

    stack = new_stack()
    rotating_secret(stack, removal_policy=RemovalPolicy.DESTROY)
    synth(stack).has_resource("AWS::SecretsManager::Secret", {"DeletionPolicy": "Delete"})


def test_customer_managed_key_encrypts_the_secret_and_reaches_the_rotation():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    rotating_secret(stack, encryption_key=key)
    template = synth(stack)
    key_id = stack.resolve(key.key_arn)
    template.has_resource_properties("AWS::SecretsManager::Secret", {"KmsKeyId": key_id})
    template.has_resource_properties("AWS::SecretsManager::RotationSchedule", {
        "HostedRotationLambda": Match.object_like({"KmsKeyArn": key_id}),
    })


def test_is_an_isecret_for_rds_and_grants_and_waits_for_its_attachment():
    # GIVEN a private database whose credentials are the rotating secret
    stack = new_stack()
    vpc = private_vpc(stack)
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=isolated)
    secret = rotating_secret(stack, hosted_rotation=rotation)
    # WHEN
    db = rds.DatabaseInstance(stack, "Db",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
        vpc=vpc, vpc_subnets=isolated, credentials=rds.Credentials.from_secret(secret), storage_encrypted=True)
    db.connections.allow_default_port_from(rotation)
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    secret.grant_read(role)
    # THEN
    template = synth(stack)
    attachment_id = next(iter(template.find_resources("AWS::SecretsManager::SecretTargetAttachment")))
    schedule = only_resource(template, "AWS::SecretsManager::RotationSchedule")
    assert attachment_id in schedule["DependsOn"]
    assert schedule["Properties"]["HostedRotationLambda"]["VpcSubnetIds"]
    password = only_resource(template, "AWS::RDS::DBInstance")["Properties"]["MasterUserPassword"]
    assert json.dumps(password).startswith('{"Fn::Join": ["", ["{{resolve:secretsmanager:"')
    template.has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": {"Ref": Match.string_like_regexp("Secret")},
        })])},
    })
    assert not [w for w in warnings_of(stack) if "outside any VPC" in w]


def test_warns_when_the_rotation_lambda_is_outside_any_vpc():
    stack = new_stack()
    rotating_secret(stack)
    synth(stack)
    assert any("outside any VPC" in w and "rotationOutsideVpc" in w for w in warnings_of(stack))


def test_fails_without_hosted_rotation():
    stack = new_stack()
    with pytest.raises(TypeError, match="hosted_rotation"):
        RotatingSecret(stack, "Secret", username="app")


def test_fails_without_username():
    stack = new_stack()
    with pytest.raises(TypeError, match="username"):
        RotatingSecret(stack, "Secret", hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())


@pytest.mark.parametrize("period, shown", [
    (Duration.hours(3), "3 hours"),
    (Duration.days(1001), "1001 days"),
    (Duration.days(0), "0 days"),
])
def test_fails_with_a_rotation_period_secrets_manager_rejects(period, shown):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"\[safe-constructs:RotationPeriodOutOfRange\] Test/Secret: automatically_after \(automaticallyAfter\) must be "
        rf"from 4 hours to 1000 days, got: {shown}; fix: pick a period in that range")):
        rotating_secret(stack, automatically_after=period)


@pytest.mark.parametrize("length", [7, 129, 0])
def test_fails_with_a_password_length_rds_rejects(length):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"password_length \(passwordLength\) must be a whole number from 8 to 128, got: {length}; "
        r"fix: choose a length the database accepts: RDS takes 8 to 128")):
        rotating_secret(stack, password_length=length)


@pytest.mark.parametrize("username", ["", "1app", "app-user", "a" * 64, "app user"])
def test_fails_with_a_username_rds_rejects(username):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:UsernameInvalid\] .*" r"username must be a letter followed by up to 62 letters, digits or underscores, got: ")):
        rotating_secret(stack, username=username)


def test_fails_with_snapshot_removal_policy():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SecretRemovalSnapshot\] .*" r"removal_policy \(removalPolicy\) must be RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY, "
        r"got: SNAPSHOT; fix: use RETAIN")):
        rotating_secret(stack, removal_policy=RemovalPolicy.SNAPSHOT)


def test_fails_when_the_hosted_rotation_would_generate_rejected_characters():
    stack = new_stack()
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(exclude_characters="{}")
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:RotationAllowsRejectedCharacters\] .*" r"hosted_rotation \(hostedRotation\) excludes \"\{\}\", which lets rotated passwords contain "
        r".*; fix: omit exclude_characters \(excludeCharacters\) from the HostedRotation options")):
        rotating_secret(stack, hosted_rotation=rotation)


def test_the_outside_vpc_warning_can_be_acknowledged_with_a_reason():
    from aws_cdk import Annotations
    stack = new_stack()
    secret = rotating_secret(stack)
    Annotations.of(secret).acknowledge_warning("safe-constructs:rotationOutsideVpc", "the database is public")
    synth(stack)
    assert not [w for w in warnings_of(stack) if "outside any VPC" in w]


def test_fails_with_a_rotation_period_from_a_token():
    stack = new_stack()
    hours = CfnParameter(stack, "Hours", type="Number").value_as_number
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:RotationPeriodUnresolved\] Test/Secret: automatically_after \(automaticallyAfter\) must be "
        r"known at synth time .*got: a duration from an unresolved token; fix: give a literal duration, for example "
        r"Duration.days\(30\)")):
        rotating_secret(stack, automatically_after=Duration.hours(hours))


def test_it_takes_every_secret_prop_but_the_value():
    stack = new_stack()
    rotating_secret(stack, description="payments reader", secret_name="payments/reader",
                    replica_regions=[secretsmanager.ReplicaRegion(region="eu-central-1")])
    props = only_resource(synth(stack), "AWS::SecretsManager::Secret")["Properties"]
    assert (props["Description"], props["Name"], props["ReplicaRegions"]) == (
        "payments reader", "payments/reader", [{"Region": "eu-central-1"}])


def test_fails_with_a_value_of_its_own_and_says_every_problem_at_once():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        rotating_secret(stack, secret_string_value=SecretValue.unsafe_plain_text("x"), password_length=7)
    lines = str(raised.value).splitlines()
    assert len(lines) == 2
    assert any(line.startswith("[safe-constructs:SecretValueGiven] Test/Secret: secret_string_value "
                               "(secretStringValue) is given, but a RotatingSecret generates its own value; fix: ")
               for line in lines)
    assert any(line.startswith("[safe-constructs:PasswordLengthOutOfRange] Test/Secret: password_length")
               for line in lines)


@pytest.mark.parametrize("nat_gateways, endpoint, reachable", [(0, False, False), (0, True, True), (1, False, True)])
def test_a_rotation_in_a_vpc_must_reach_secrets_manager(nat_gateways, endpoint, reachable):
    # GIVEN a hosted rotation in private subnets: isolated (no route out) or with a NAT, with or without an endpoint
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=nat_gateways)
    if endpoint:
        vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways
                                  else ec2.SubnetType.PRIVATE_ISOLATED)
    rotating_secret(stack, hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=subnets))
    # THEN synth refuses exactly the rotation that would time out on its first run
    if reachable:
        synth(stack)
    else:
        with pytest.raises(RuntimeError, match=(
                r"\[safe-constructs:NoPathToSecretsManager\] the hosted rotation function sits in subnets "
                r"VpcIsolatedSubnet1Subnet\w+, VpcIsolatedSubnet2Subnet\w+, which have neither a Secrets Manager interface "
                r"endpoint with private DNS nor a NAT route.*; fix: add a Secrets Manager interface endpoint to the VPC")):
            synth(stack)


@pytest.mark.parametrize("open_443", [False, True])
def test_a_rotation_whose_security_group_is_closed_on_443_is_refused(open_443):
    stack = new_stack()
    vpc = private_vpc(stack)
    group = ec2.SecurityGroup(stack, "Rotation", vpc=vpc, allow_all_outbound=False)
    group.add_egress_rule(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp(5432), "the database only")
    if open_443:
        group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443), "Secrets Manager endpoint")
    rotating_secret(stack, hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
        vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), security_groups=[group]))
    if open_443:
        synth(stack)
    else:
        with pytest.raises(RuntimeError, match=r"\[safe-constructs:SecretsManagerClosedOn443\] .*fix: let TCP 443 out"):
            synth(stack)


def test_a_master_secret_for_a_single_user_rotation_is_refused_with_every_other_problem_at_once():
    stack = new_stack()
    master = rotating_secret(stack)
    # one constructor, three problems: the period, the value given, and the unused master secret
    with pytest.raises(RuntimeError) as raised:
        RotatingSecret(stack, "Reader", username="dms_reader", automatically_after=Duration.days(1001),
                       secret_string_value=SecretValue.unsafe_plain_text("x"),
                       hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(), master_secret=master)
    ids = [line.split("]")[0].split(":")[-1] for line in str(raised.value).split("\n") if "[safe-constructs:" in line]
    assert ids == ["SecretValueGiven", "RotationPeriodOutOfRange", "MasterSecretUnused"], str(raised.value)
    assert "master_secret (masterSecret) is given, but hosted_rotation (hostedRotation) is a single-user rotation" in str(raised.value)


def test_a_multi_user_rotation_needs_its_master_secret_and_a_host_in_it():
    stack = new_stack()
    vpc = private_vpc(stack)
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    master = rotating_secret(stack, hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
        vpc=vpc, vpc_subnets=isolated))  # never attached: no host
    rotation = secretsmanager.HostedRotation.postgre_sql_multi_user(master_secret=master, vpc=vpc, vpc_subnets=isolated)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:MultiUserWithoutMasterSecret\] Test/Writer: "):
        RotatingSecret(stack, "Writer", username="dms_writer", hosted_rotation=rotation)
    RotatingSecret(stack, "Writer2", username="dms_writer", hosted_rotation=rotation, master_secret=master)
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:MasterSecretLacksKeys\] master_secret \(masterSecret\) will "
                                            r"hold only username, password, and the multi-user rotation also needs host, engine")):
        synth(stack)


def test_a_multi_user_rotation_takes_the_master_secret_rds_manages_and_checks_engine_in_an_imported_one():
    # AWS's multi-user function requires host and engine in the master secret, except in one RDS
    # manages (username and password only), whose host it reads from RDS (SecretsManagerRDSPostgreSQLRotationMultiUser).
    stack = new_stack()
    vpc = private_vpc(stack)
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    db = rds.CfnDBInstance(stack, "Db", db_instance_class="db.t3.micro", engine="postgres", manage_master_user_password=True,
                           master_username="postgres", allocated_storage="20", storage_encrypted=True)
    managed = secretsmanager.Secret.from_secret_complete_arn(stack, "Managed", db.attr_master_user_secret_secret_arn)
    RotatingSecret(stack, "Writer", username="dms_writer", master_secret=managed,
                   hosted_rotation=secretsmanager.HostedRotation.postgre_sql_multi_user(master_secret=managed, vpc=vpc, vpc_subnets=isolated))
    imported = secretsmanager.Secret.from_secret_complete_arn(stack, "Imported", EXTERNAL_ARN)
    RotatingSecret(stack, "Reader", username="dms_reader", master_secret=imported,
                   hosted_rotation=secretsmanager.HostedRotation.postgre_sql_multi_user(master_secret=imported, vpc=vpc, vpc_subnets=isolated))
    template = synth(stack)
    checks = [c["Properties"]["RequiredKeys"] for c in template.find_resources("Custom::SecretPreflightCheck").values()]
    assert checks == [["username", "password", "host", "engine"]]  # the imported one only
