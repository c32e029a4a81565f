import json

import pytest
from aws_cdk import Duration, RemovalPolicy, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager

from harness import (
    EXTERNAL_ARN, KEY_ARN, POSTGRES, REGION, new_stack, only_resource, statements_of, synth, warnings_of,
)
from safe_constructs import ExternalSecretRdsInstance


def external_secret(stack, key=None):
    return secretsmanager.Secret.from_secret_attributes(stack, "External",
        secret_complete_arn=EXTERNAL_ARN, encryption_key=key)


def database(stack, secret=None, **overrides):
    props = {"secret": secret or external_secret(stack), "engine": POSTGRES,
             "vpc": ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0),
             "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)}
    props.update(overrides)
    return ExternalSecretRdsInstance(stack, "Db", **props)


def test_credentials_are_dynamic_references_to_the_external_secret():
    # GIVEN a secret created outside the stack
    stack = new_stack()
    # WHEN
    db = database(stack)
    # THEN both credentials are resolved by CloudFormation at deploy, and the secret is untouched
    template = synth(stack)
    props = only_resource(template, "AWS::RDS::DBInstance")["Properties"]
    assert props["MasterUsername"] == f"{{{{resolve:secretsmanager:{EXTERNAL_ARN}:SecretString:username::}}}}"
    assert props["MasterUserPassword"] == f"{{{{resolve:secretsmanager:{EXTERNAL_ARN}:SecretString:password::}}}}"
    assert not template.find_resources("AWS::SecretsManager::SecretTargetAttachment")
    assert not template.find_resources("AWS::SecretsManager::Secret")
    assert db.external_secret.secret_arn == EXTERNAL_ARN and db.secret is None


def test_the_database_waits_for_a_preflight_check_that_reads_only_that_secret():
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    db = database(stack, external_secret(stack, key))
    template = synth(stack)
    check = only_resource(template, "Custom::SecretPreflightCheck")["Properties"]
    assert check["SecretId"] == EXTERNAL_ARN
    assert check["RequiredKeys"] == ["username", "password"]
    assert check["PasswordKey"] == "password"
    assert check["RejectedPasswordCharacters"] == "/\"@"  # CreateDBInstance: space and ' are allowed
    assert (check["MinPasswordLength"], check["MaxPasswordLength"]) == (8, 128)
    check_id = stack.get_logical_id(db.preflight_check.resource.node.default_child)
    assert check_id in only_resource(template, "AWS::RDS::DBInstance")["DependsOn"]
    assert statements_of(template, stack.get_logical_id(db.preflight_check.handler.role.node.default_child)) == [
        {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
         "Resource": EXTERNAL_ARN},
        {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": KEY_ARN},
    ]
    # the check's Lambda ships in the package: a plain asset, Python, no bundling
    function = template.to_json()["Resources"][stack.get_logical_id(db.preflight_check.handler.node.default_child)]["Properties"]
    assert function["Runtime"].startswith("python3.") and function["Handler"] == "index.handler"


def test_safe_defaults():
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    database(stack, external_secret(stack, key))
    template = synth(stack)
    instance = only_resource(template, "AWS::RDS::DBInstance")
    assert instance["DeletionPolicy"] == "Snapshot"
    props = instance["Properties"]
    assert props["StorageEncrypted"] is True
    assert props["KmsKeyId"] == KEY_ARN  # the secret's key, when it has one
    assert "DeletionProtection" not in props  # turned on once the instance exists: see below
    assert props["PubliclyAccessible"] is False
    assert props["BackupRetentionPeriod"] == 7
    assert not [w for w in warnings_of(stack) if "safe-constructs" in w]


def test_given_storage_key_and_options_pass_through():
    stack = new_stack()
    storage_key = kms.Key(stack, "StorageKey", enable_key_rotation=True)
    database(stack, storage_encryption_key=storage_key, multi_az=True, allocated_storage=200,
             instance_type=ec2.InstanceType("r6g.large"), backup_retention=Duration.days(14),
             database_name="payments", port=5433, removal_policy=RemovalPolicy.RETAIN)
    template = synth(stack)
    instance = only_resource(template, "AWS::RDS::DBInstance")
    assert instance["DeletionPolicy"] == "Retain"
    props = instance["Properties"]
    assert props["KmsKeyId"] == stack.resolve(storage_key.key_arn)
    assert (props["MultiAZ"], props["AllocatedStorage"], props["DBInstanceClass"]) == (True, "200", "db.r6g.large")
    assert (props["BackupRetentionPeriod"], props["DBName"], props["Port"]) == (14, "payments", "5433")


def test_custom_keys_and_engine_specific_password_length():
    stack = new_stack()
    database(stack, username_key="user", password_key="pass",
             engine=rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_4_10))
    template = synth(stack)
    props = only_resource(template, "AWS::RDS::DBInstance")["Properties"]
    assert props["MasterUsername"].endswith(":SecretString:user::}}")
    assert props["MasterUserPassword"].endswith(":SecretString:pass::}}")
    check = only_resource(template, "Custom::SecretPreflightCheck")["Properties"]
    assert check["RequiredKeys"] == ["user", "pass"] and check["MaxPasswordLength"] == 41


def test_attach_secret_is_an_explicit_opt_in():
    stack = new_stack()
    db = database(stack, attach_secret=True)
    template = synth(stack)
    attachment = only_resource(template, "AWS::SecretsManager::SecretTargetAttachment")["Properties"]
    assert attachment == {"SecretId": EXTERNAL_ARN, "TargetId": {"Ref": stack.get_logical_id(db.node.default_child)},
                          "TargetType": "AWS::RDS::DBInstance"}
    # the instance's secret is the attachment, which holds host and port once the database exists
    assert isinstance(db.secret, secretsmanager.SecretTargetAttachment)
    assert stack.resolve(db.secret.secret_arn) == {"Ref": stack.get_logical_id(db.secret.node.default_child)}


def test_preflight_check_can_be_turned_off():
    stack = new_stack()
    db = database(stack, preflight_check=False)
    template = synth(stack)
    assert not template.find_resources("Custom::SecretPreflightCheck")
    assert db.preflight_check is None


def test_preflight_check_can_guard_other_resources():
    # the original project's ElastiCache cluster, caught mid-creation by the rollback, waits for the check too
    from aws_cdk import aws_elasticache as elasticache
    stack = new_stack()
    db = database(stack)
    cache = elasticache.CfnReplicationGroup(stack, "Cache", replication_group_description="sessions",
        engine="redis", cache_node_type="cache.t4g.small", num_cache_clusters=1,
        at_rest_encryption_enabled=True, transit_encryption_enabled=True)
    db.preflight_check.guard(cache)
    template = synth(stack)
    check_id = stack.get_logical_id(db.preflight_check.resource.node.default_child)
    assert check_id in only_resource(template, "AWS::ElastiCache::ReplicationGroup")["DependsOn"]


@pytest.mark.parametrize("props, warning", [
    ({"storage_encrypted": False}, "safe-constructs:storageUnencrypted"),
    ({"deletion_protection": False}, "safe-constructs:deletionProtectionOff"),
    ({"publicly_accessible": True, "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
     "safe-constructs:publiclyAccessible"),
    ({"backup_retention": Duration.days(0)}, "safe-constructs:backupsOff"),
    ({"removal_policy": RemovalPolicy.DESTROY}, "safe-constructs:destroyOnRemoval"),
])
def test_turning_a_safe_default_off_is_explicit_and_warned(props, warning):
    stack = new_stack()
    database(stack, **props)
    synth(stack)
    assert [w for w in warnings_of(stack) if warning in w]


def test_fails_without_engine():
    stack = new_stack()
    with pytest.raises(TypeError, match="engine"):
        ExternalSecretRdsInstance(stack, "Db", secret=external_secret(stack), vpc=ec2.Vpc(stack, "Vpc"))


@pytest.mark.parametrize("prop", ["username_key", "password_key"])
@pytest.mark.parametrize("key", ["", "  ", "user:name", "{x}", "0\n", "user\tname", "user\\"])
def test_fails_with_a_key_a_dynamic_reference_cannot_carry(prop, key):
    # "0\n" is the case the property-based test drew on a fresh clone: the reference it made was split
    # by the line break, and cfn-lint (E3031) no longer read it as one.
    stack = new_stack()
    camel = "usernameKey" if prop == "username_key" else "passwordKey"
    with pytest.raises(RuntimeError) as raised:
        database(stack, **{prop: key})
    assert (f"[safe-constructs:SecretKeyInvalid] Test/Db: {prop} ({camel}) must name a JSON key of the secret in printable "
            f"characters without ':', '{{' or '}}' and not ending in '\\', got: {json.dumps(key)}; fix: omit it") in str(raised.value)


def test_fails_with_the_same_key_for_user_and_password():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SecretKeysSame\] Test/Db: password_key \(passwordKey\) is the same key as username_key \(usernameKey\), "
        r"got: \"secret\" for both; fix: give the two keys")):
        database(stack, username_key="secret", password_key="secret")


def test_fails_with_an_aurora_cluster_engine():
    stack = new_stack()
    aurora = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4)
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:ClusterEngine\] Test/Db: engine must be a DB instance engine, got the cluster engine: "
        r"\"aurora-postgresql\"; fix: use rds.DatabaseInstanceEngine")):
        database(stack, engine=aurora)


def test_fails_with_a_partial_arn_in_another_account():
    stack = new_stack()
    other = secretsmanager.Secret.from_secret_partial_arn(stack, "Other",
        f"arn:aws:secretsmanager:{REGION}:999999999999:secret:shared/db")
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SecretPartialArnCrossAccount\] .*" r"secret is given by name or partial ARN in account 999999999999, not this stack's \(123456789012\).*"
        r"fix: import it with Secret.from_secret_complete_arn")):
        database(stack, other)


@pytest.mark.parametrize("port", [0, 1149, 65536, 5432.5])
def test_fails_with_a_port_rds_rejects(port):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"\[safe-constructs:PortOutOfRange\] Test/Db: port must be a whole number from 1150 to 65535, got: {port}; "
        r"fix: use a port from 1150 to 65535 \(CreateDBInstance\), or omit it for the engine's default")):
        database(stack, port=port)


def test_fails_with_a_backup_retention_over_35_days():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"backup_retention \(backupRetention\) must be from 0 days to 35 days, got: 36 days; "
        r"fix: keep automated backups up to 35 days")):
        database(stack, backup_retention=Duration.days(36))


@pytest.mark.parametrize("identifier", ["", "1db", "db--main", "db-", "db_main", "a" * 64])
def test_fails_with_an_instance_identifier_rds_rejects(identifier):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"instance_identifier \(instanceIdentifier\) is not a DB instance identifier RDS accepts, "
        rf"got: \"{identifier}\"; fix: use 1 to 63 letters, digits or hyphens")):
        database(stack, instance_identifier=identifier)


@pytest.mark.parametrize("name", ["", "1payments", "pay-ments", "a" * 64])
def test_fails_with_a_postgres_database_name_rds_rejects(name):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"database_name \(databaseName\) is not a PostgreSQL database name RDS accepts, got: \"{name}\"; "
        r"fix: use 1 to 63 letters, digits or underscores, starting with a letter")):
        database(stack, database_name=name)


def test_accepts_names_and_numbers_at_their_limits():
    stack = new_stack()
    database(stack, port=65535, backup_retention=Duration.days(35), instance_identifier="a" + "-b" * 31,
             database_name="p" * 63)
    properties = only_resource(synth(stack), "AWS::RDS::DBInstance")["Properties"]
    assert (properties["Port"], properties["BackupRetentionPeriod"]) == ("65535", 35)
    assert properties["DBInstanceIdentifier"] == "a" + "-b" * 31 and properties["DBName"] == "p" * 63


@pytest.mark.parametrize("engine, rejected, longest", [
    (rds.DatabaseInstanceEngine.oracle_se2(version=rds.OracleEngineVersion.VER_19), "/\"@&'", 30),
    (rds.DatabaseInstanceEngine.sql_server_se(version=rds.SqlServerEngineVersion.VER_16_00_4236_2_V1), "/\"@", 128),
    (rds.DatabaseInstanceEngine.maria_db(version=rds.MariaDbEngineVersion.VER_10_11_16), "/\"@", 41),
])
def test_the_preflight_check_knows_each_engines_password_rules(engine, rejected, longest):
    stack = new_stack()
    database(stack, engine=engine)
    check = only_resource(synth(stack), "Custom::SecretPreflightCheck")["Properties"]
    assert (check["RejectedPasswordCharacters"], check["MaxPasswordLength"]) == (rejected, longest)


def test_a_sql_server_identifier_of_63_characters_is_accepted():
    # CreateDBInstance: 1 to 63 characters for every engine (15 was an old SDK page's SQL Server limit)
    stack = new_stack()
    identifier = "payments-" + "a" * 54
    database(stack, engine=rds.DatabaseInstanceEngine.sql_server_se(version=rds.SqlServerEngineVersion.VER_16_00_4236_2_V1),
             instance_identifier=identifier)
    props = only_resource(synth(stack), "AWS::RDS::DBInstance")["Properties"]
    assert props["DBInstanceIdentifier"] == identifier


def test_it_is_a_database_instance_with_every_aws_cdk_lib_prop():
    # GIVEN props that only rds.DatabaseInstance knows (the construct copies none of them)
    stack = new_stack()
    db = database(stack, iam_authentication=True, auto_minor_version_upgrade=False,
                  ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1)
    app_sg = ec2.SecurityGroup(stack, "App", vpc=db.vpc)
    db.connections.allow_default_port_from(app_sg)
    user = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    db.grant_connect(user, "reader")
    # THEN they reach the template, and the instance behaves like any other
    props = only_resource(synth(stack), "AWS::RDS::DBInstance")["Properties"]
    assert (props["EnableIAMDatabaseAuthentication"], props["AutoMinorVersionUpgrade"], props["CACertificateIdentifier"]) \
        == (True, False, "rds-ca-rsa2048-g1")
    assert isinstance(db, rds.DatabaseInstance)


def test_reports_every_problem_at_once():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        database(stack, port=80, backup_retention=Duration.days(40), instance_identifier="1db")
    lines = str(raised.value).splitlines()
    assert [line.split("]")[0] for line in lines] == [
        "[safe-constructs:InstanceIdentifierInvalid", "[safe-constructs:PortOutOfRange",
        "[safe-constructs:BackupRetentionOutOfRange"]
    assert all(line.split("] ")[1].startswith("Test/Db: ") and "; fix: " in line for line in lines)


# --- deletion protection that a failed first deploy does not trip over ------------------------------


def protection_of(stack, db):
    template = synth(stack)
    resources = template.to_json()["Resources"]
    [(protection_id, protection)] = template.find_resources("Custom::DeletionProtectionOnceCreated").items()
    role = stack.get_logical_id(db.deletion_protection_once_created.node.find_child("Role").node.default_child)
    return resources, protection_id, protection, statements_of(template, role)


def test_protection_is_turned_on_once_the_instance_exists_and_the_template_never_holds_it():
    stack = new_stack()
    db = database(stack)
    resources, protection_id, protection, statements = protection_of(stack, db)
    db_id = stack.get_logical_id(db.node.default_child)
    # the first deploy: the instance is created unprotected, then the custom resource (after it) turns protection on;
    # a rollback of that deploy deletes the custom resource first (it depends on the instance), which turns it off
    assert "DeletionProtection" not in resources[db_id]["Properties"]
    assert db_id in protection["DependsOn"]
    assert protection["Properties"]["Kind"] == "instance" and protection["Properties"]["Identifier"] == {"Ref": db_id}
    handler = resources[stack.get_logical_id(db.deletion_protection_once_created.node.find_child("Function").node.default_child)]
    assert handler["Properties"]["Handler"] == "index.protection_handler"
    # least privilege: that one instance, and the stack's own status
    assert statements == [
        {"Action": ["rds:ModifyDBInstance", "rds:DescribeDBInstances"], "Effect": "Allow", "Resource": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, f":rds:{REGION}:123456789012:db:", {"Ref": db_id}]]}},
        {"Action": "cloudformation:DescribeStacks", "Effect": "Allow", "Resource": {"Ref": "AWS::StackId"}},
    ]


def test_a_later_deploy_keeps_protection_on():
    # A later deploy changes the instance: its template still holds no DeletionProtection, so CloudFormation's update
    # of the instance sends none (its RDS handler passes the template's value, and an absent one not at all), and the
    # custom resource's properties are unchanged, so it is not even called; when it is (a new identifier), it turns
    # protection on, never off (test_deploy_gates_handler.py)
    first, later = new_stack(stack_id="First"), new_stack(stack_id="Later")
    db_first = database(first)
    db_later = database(later, instance_type=ec2.InstanceType("m7g.large"), allocated_storage=200)
    _, _, protection_first, _ = protection_of(first, db_first)
    resources, _, protection_later, _ = protection_of(later, db_later)
    assert "DeletionProtection" not in resources[later.get_logical_id(db_later.node.default_child)]["Properties"]
    assert protection_first["Properties"] == protection_later["Properties"]


def test_retained_instances_are_protected_the_same_way_and_protection_can_be_turned_off():
    stack = new_stack()
    db = database(stack, removal_policy=RemovalPolicy.RETAIN)  # aws-cdk-lib would write DeletionProtection: true
    resources, _, _, _ = protection_of(stack, db)
    assert "DeletionProtection" not in resources[stack.get_logical_id(db.node.default_child)]["Properties"]
    unprotected_stack = new_stack(stack_id="Unprotected")
    unprotected = database(unprotected_stack, deletion_protection=False)
    template = synth(unprotected_stack)
    assert unprotected.deletion_protection_once_created is None
    assert only_resource(template, "AWS::RDS::DBInstance")["Properties"]["DeletionProtection"] is False
    assert not template.find_resources("Custom::DeletionProtectionOnceCreated")


def test_fails_with_credentials_given_as_its_cluster_twin_does():
    # rds.DatabaseInstance takes credentials; here the external secret supplies them (issue #32: not a bare TypeError)
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        database(stack, credentials=rds.Credentials.from_generated_secret("postgres"), port=80)
    message = str(raised.value)
    assert ("[safe-constructs:CredentialsGiven] Test/Db: credentials is given, and the external secret supplies the master "
            "credentials; fix: remove credentials: the instance reads username and password from secret by dynamic references "
            "(name their JSON keys with username_key and password_key)") in message
    assert "[safe-constructs:PortOutOfRange] Test/Db: port" in message  # with every other problem, at once


@pytest.mark.parametrize("engine, rejected", [
    (POSTGRES, ["rdsadmin", "rdstopmgr", "rdsrepladmin", "rds_superuser", "rds_replication", "rds_password", "rds_iam", "admin"]),
    (rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.VER_8_4_10),
     ["rdsadmin", "rdstopmgr", "rdsrepladmin", "rds_superuser", "rds_replication", "rds_password", "rds_iam"]),
])
def test_the_preflight_check_holds_the_master_user_name_to_what_rds_takes_for_the_engine(engine, rejected):
    # The user name becomes MasterUsername: 16 characters at most (CreateDBInstance), none of RDS's own names,
    # and not admin on PostgreSQL (RDS: "a reserved word used by the engine"); read only at deploy, before the database
    stack = new_stack()
    database(stack, engine=engine, username_key="user")
    check = only_resource(synth(stack), "Custom::SecretPreflightCheck")["Properties"]
    assert (check["UsernameKey"], check["MaxUsernameLength"], check["RejectedUsernames"]) == ("user", 16, rejected)
