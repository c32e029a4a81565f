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


@pytest.mark.parametrize("username, problem", [
    ("", 'must be a letter followed by letters, digits or underscores, got: ""'),
    ("1app", 'must be a letter followed by letters, digits or underscores, got: "1app"'),
    ("app-user", 'must be a letter followed by letters, digits or underscores, got: "app-user"'),
    ("app user", 'must be a letter followed by letters, digits or underscores, got: "app user"'),
    ("a" * 64, "must be 63 characters at most (the library's bound, PostgreSQL's), got 64: "),
])
def test_fails_with_a_username_rds_rejects(username, problem):
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        rotating_secret(stack, username=username)
    assert f"[safe-constructs:UsernameInvalid] Test/Secret: username {problem}" in str(raised.value)
    assert 'fix: choose another name, such as "app_user"' in str(raised.value)


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


# --- user names, engines, keys and databases (issues #32 and #36.7) -----------------------------------


def postgres_database(stack, secret, name="Db", engine=None):
    """A private database whose master credentials are the secret (aws-cdk-lib attaches it)."""
    vpc = stack.node.try_find_child("Vpc") or private_vpc(stack)
    return rds.DatabaseInstance(stack, name, engine=engine or rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
        vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), storage_encrypted=True,
        credentials=rds.Credentials.from_secret(secret))


@pytest.mark.parametrize("username", ["rdsadmin", "RDS_SUPERUSER", "rds_replication", "rdsrepladmin", "rdstopmgr", "rds_iam"])
def test_fails_with_a_username_rds_keeps_for_its_own_account_or_role(username):
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        rotating_secret(stack, username=username)
    assert (f"[safe-constructs:UsernameInvalid] Test/Secret: username is a name RDS keeps for its own account or role (rdsadmin, "
            f"rdstopmgr, rdsrepladmin, rds_superuser, rds_replication, rds_password, rds_iam), got: \"{username}\"") in str(raised.value)


@pytest.mark.parametrize("username, engine, problem", [
    ("payments_master_01", None, "it must be 16 characters at most (RDS's for a master user (CreateDBInstance, CreateDBCluster)), got 18"),
    ("admin", None, "it is a master user name RDS refuses for PostgreSQL (\"a reserved word used by the engine\"), got: \"admin\""),
    ("payments_master_01", rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_4_10),
     "it must be 16 characters at most (RDS's for a master user"),
])
def test_fails_at_synth_with_a_master_username_rds_refuses_for_its_database(username, engine, problem):
    # GIVEN a name any user may have (up to 63 characters), WHEN it becomes a database's master user
    stack = new_stack()
    rotation = (secretsmanager.HostedRotation.mysql_single_user() if engine else secretsmanager.HostedRotation.postgre_sql_single_user())
    secret = rotating_secret(stack, username=username, hosted_rotation=rotation)
    postgres_database(stack, secret, engine=engine)
    # THEN synth refuses it, naming the database (RDS would refuse it when the instance is created, deep in the deploy)
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    assert "[safe-constructs:UsernameInvalid] username names the master user of Test/Db" in str(raised.value)
    assert problem in str(raised.value)


def test_admin_is_a_master_user_name_for_mysql_and_any_name_for_a_user_that_is_not_a_master():
    stack = new_stack()
    secret = rotating_secret(stack, username="admin", hosted_rotation=secretsmanager.HostedRotation.mysql_single_user())
    postgres_database(stack, secret, engine=rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_4_10))
    rotating_secret_named = RotatingSecret(stack, "Reader", username="payments_reporting_reader",
                                           hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    synth(stack)
    assert rotating_secret_named.username == "payments_reporting_reader"


@pytest.mark.parametrize("factory, username, longest", [
    ("mysql_multi_user", "payments_x1", 10),     # MySQL's function: <name>_clone within USERNAME_CHARACTER_LIMIT, 16 by default
    ("postgre_sql_multi_user", "u" * 58, 57),  # PostgreSQL's: <name>_clone within 63
])
def test_fails_with_a_username_whose_clone_the_multi_user_rotation_could_not_create(factory, username, longest):
    stack = new_stack()
    master = secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN)
    rotation = getattr(secretsmanager.HostedRotation, factory)(master_secret=master)
    with pytest.raises(RuntimeError) as raised:
        RotatingSecret(stack, "Writer", username=username, hosted_rotation=rotation, master_secret=master)
    assert (f"[safe-constructs:UsernameInvalid] Test/Writer: username must be {longest} characters at most (the multi-user rotation's, "
            f"which creates <name>_clone of {longest + 6} characters at most), got {len(username)}") in str(raised.value)


def test_fails_when_the_hosted_rotation_is_for_another_engine_than_the_database():
    # AWS's MySQL function accepts engine mysql or aurora-mysql only; the attachment writes the database's engine
    stack = new_stack()
    secret = rotating_secret(stack, username="payments", hosted_rotation=secretsmanager.HostedRotation.mysql_single_user())
    postgres_database(stack, secret)
    with pytest.raises(RuntimeError) as raised:
        synth(stack)
    message = str(raised.value)
    assert ("[safe-constructs:RotationEngineMismatch] hosted_rotation (hostedRotation) is MySQLSingleUser, whose function accepts a "
            "secret of engine mysql or aurora-mysql, and the secret is attached to Test/Db, of engine \"postgres\": every "
            "rotation would fail") in message
    assert "fix: use the HostedRotation factory of the database's engine (HostedRotation.postgre_sql_single_user())" in message


def test_fails_with_a_key_of_another_region_for_the_secret_or_its_replica():
    # Secrets Manager encrypts with "any symmetric encryption customer managed key in the AWS account and Region"
    stack = new_stack()  # eu-west-1
    elsewhere = kms.Key.from_key_arn(stack, "UsKey", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    here = kms.Key.from_key_arn(stack, "EuKey", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    with pytest.raises(RuntimeError) as raised:
        rotating_secret(stack, encryption_key=elsewhere, replica_regions=[
            secretsmanager.ReplicaRegion(region="eu-central-1", encryption_key=here)])
    lines = str(raised.value).splitlines()
    assert lines[0] == ("[safe-constructs:EncryptionKeyInOtherRegion] Test/Secret: encryption_key (encryptionKey) is a KMS key in "
                        "us-east-1 (Test/UsKey), and the secret is in eu-west-1: Secrets Manager encrypts a secret only with a key of "
                        "its own Region; fix: give a key of eu-west-1 (kms.Key in a stack of that Region, or Key.from_key_arn with an "
                        "ARN of it), or omit the key for Secrets Manager's own, aws/secretsmanager")
    assert lines[1].startswith("[safe-constructs:EncryptionKeyInOtherRegion] Test/Secret: replica_regions (replicaRegions) is a KMS "
                               "key in eu-west-1 (Test/EuKey), and its replica is in eu-central-1")


def test_a_key_of_another_account_in_the_secrets_region_is_taken():
    # CreateSecret's KmsKeyId: "To use a KMS key in a different account, use the key ARN or the alias ARN"
    stack = new_stack()
    other_account = kms.Key.from_key_arn(stack, "Key", "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    rotating_secret(stack, encryption_key=other_account)
    synth(stack)


def test_fails_when_attached_to_a_second_database_naming_both():
    stack = new_stack()
    secret = rotating_secret(stack, username="payments")
    postgres_database(stack, secret, "First")
    with pytest.raises(RuntimeError) as raised:
        postgres_database(stack, secret, "Second")
    assert ("[safe-constructs:SecretAttachedTwice] Test/Secret: the secret is attached to Test/First already, and Test/Second "
            "attaches it too") in str(raised.value)
    assert "fix: give each database its own RotatingSecret, with its own rotation" in str(raised.value)
