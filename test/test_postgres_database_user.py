"""PostgresDatabaseUser: the users DMS logs in as, created from inside the VPC before anything logs in as them."""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from aws_cdk import aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, ISOLATED, POSTGRES, new_stack, private_vpc, synth
from safe_constructs import DmsAccess, PostgresDatabaseUser, RotatingSecret


def database_user(stack, access=DmsAccess.SOURCE, **overrides):
    vpc = private_vpc(stack)
    master = RotatingSecret(stack, "Master", username="postgres",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    db = rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                              credentials=rds.Credentials.from_secret(master))
    user_secret = RotatingSecret(stack, "Reader", username="dms_reader",
                                 hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    props = dict(master_secret=master, user_secret=user_secret, database_name="payments", schema_name="payments",
                 access=access, vpc=vpc, vpc_subnets=ISOLATED, database=db)
    props.update(overrides)
    return PostgresDatabaseUser(stack, "ReaderUser", **props), user_secret


def test_the_user_is_created_before_its_secret_rotates_and_after_the_master_secret_has_a_host():
    stack = new_stack()
    user, user_secret = database_user(stack)
    template = synth(stack)
    resource_id = stack.get_logical_id(user.resource.node.default_child)
    [schedule] = [v for k, v in template.find_resources("AWS::SecretsManager::RotationSchedule").items()
                                 if "Reader" in k]
    assert resource_id in schedule["DependsOn"]
    resource = template.to_json()["Resources"][resource_id]
    assert any("MasterAttachment" in d for d in resource["DependsOn"])
    assert resource["Properties"]["Access"] == "SOURCE" and resource["Properties"]["Schema"] == "payments"
    handlers = [f for f in template.find_resources("AWS::Lambda::Function").values()
                if f["Properties"].get("Handler") == "index.on_event"]
    assert len(handlers) == 1 and handlers[0]["Properties"]["VpcConfig"]["SubnetIds"]


def test_the_roles_that_own_the_tables_reach_the_function_and_are_absent_when_not_given():
    stack = new_stack()
    user, _ = database_user(stack, table_owners=["payments_app", "reporting"])
    other, _ = database_user(new_stack(stack_id="Other"))
    template = synth(stack)
    resource = template.to_json()["Resources"][stack.get_logical_id(user.resource.node.default_child)]
    assert resource["Properties"]["TableOwners"] == ["payments_app", "reporting"]
    assert user.table_owners == ["payments_app", "reporting"]
    other_template = synth(other.node.scope)
    [other_resource] = other_template.find_resources("Custom::PostgresDatabaseUser").values()
    assert "TableOwners" not in other_resource["Properties"] and other.table_owners == []


@pytest.mark.parametrize("owners, problem", [
    (["payments-app"], 'holds a name the function does not accept, got: "payments-app"'),
    (["app", "app"], 'names "app" twice'),
    (["rds_superuser"], 'names "rds_superuser", a role PostgreSQL or RDS reserves'),
    (["pg_read_all_data"], 'names "pg_read_all_data", a role PostgreSQL or RDS reserves'),
    (["public"], 'names "public", a role PostgreSQL or RDS reserves'),
])
def test_fails_on_table_owners_the_master_cannot_join(owners, problem):
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        database_user(stack, table_owners=owners)
    assert f"[safe-constructs:TableOwnersInvalid] Test/ReaderUser: table_owners (tableOwners) {problem}" in str(raised.value)
    assert "fix: use 1 to 63 letters, digits or underscores" in str(raised.value)


@pytest.mark.parametrize("prop, value", [("schema_name", "pay-ments"), ("database_name", "")])
def test_a_user_in_a_name_postgres_cannot_hold_is_refused(prop, value):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=rf"\[safe-constructs:PostgresNameInvalid\] Test/ReaderUser: {prop}"):
        database_user(stack, **{prop: value})


def test_a_user_secret_that_is_the_master_secret_and_a_dms_schema_that_is_the_data_schema_are_refused():
    stack = new_stack()
    vpc = private_vpc(stack)
    master = secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN)
    with pytest.raises(RuntimeError) as raised:
        PostgresDatabaseUser(stack, "User", master_secret=master, user_secret=master, database_name="payments",
                             schema_name="awsdms", access=DmsAccess.TARGET, vpc=vpc, vpc_subnets=ISOLATED)
    message = str(raised.value)
    assert ("[safe-constructs:UserSecretIsMasterSecret] Test/User: user_secret (userSecret) is the master secret: the function "
            "would give the master user DMS's grants") in message
    assert ('[safe-constructs:DmsSchemaIsDataSchema] Test/User: dms_schema_name (dmsSchemaName) is the schema DMS migrates, got '
            '"awsdms" for both') in message


def test_an_imported_master_secret_is_checked_for_its_host_before_the_database_is_waited_for():
    stack = new_stack()
    vpc = private_vpc(stack)
    master = secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN)  # another team's, not attached
    user_secret = RotatingSecret(stack, "Reader", username="dms_reader",
                                 hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    user = PostgresDatabaseUser(stack, "User", master_secret=master, user_secret=user_secret, database_name="payments",
                                schema_name="payments", access=DmsAccess.TARGET, vpc=vpc, vpc_subnets=ISOLATED)
    template = synth(stack)
    [check] = template.find_resources("Custom::SecretPreflightCheck").values()
    assert check["Properties"]["RequiredKeys"] == ["username", "password", "host"]
    resource = template.to_json()["Resources"][stack.get_logical_id(user.resource.node.default_child)]
    assert any(d.startswith("UserMasterSecretCheck") for d in resource["DependsOn"])


def test_the_database_endpoint_given_leaves_another_teams_secret_as_it_is():
    stack = new_stack()
    vpc = private_vpc(stack)
    db = rds.DatabaseInstance.from_database_instance_attributes(stack, "Db", instance_identifier="payments",
        instance_endpoint_address="payments.abc.eu-west-1.rds.amazonaws.com", port=5433, security_groups=[])
    master = secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN)
    user_secret = RotatingSecret(stack, "Reader", username="dms_reader",
                                 hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    user = PostgresDatabaseUser(stack, "User", master_secret=master, user_secret=user_secret, database_name="payments",
        schema_name="payments", access=DmsAccess.SOURCE, vpc=vpc, vpc_subnets=ISOLATED, database_endpoint=db.instance_endpoint)
    template = synth(stack)
    props = template.to_json()["Resources"][stack.get_logical_id(user.resource.node.default_child)]["Properties"]
    assert (props["Host"], props["Port"]) == ("payments.abc.eu-west-1.rds.amazonaws.com", 5433)
    assert not template.find_resources("AWS::SecretsManager::SecretTargetAttachment")  # nothing rewrites the secret
    assert not template.find_resources("Custom::SecretPreflightCheck")  # host not needed from it


def test_a_master_secret_without_host_is_refused():
    stack = new_stack()
    vpc = private_vpc(stack)
    db = rds.CfnDBInstance(stack, "Db", db_instance_class="db.t3.micro", engine="postgres", manage_master_user_password=True,
                           master_username="postgres", allocated_storage="20", storage_encrypted=True)
    managed = secretsmanager.Secret.from_secret_complete_arn(stack, "Managed", db.attr_master_user_secret_secret_arn)
    unattached = RotatingSecret(stack, "Unattached", username="postgres",
                                hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    reader = RotatingSecret(stack, "Reader", username="dms_reader",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    common = dict(user_secret=reader, database_name="payments", schema_name="payments", access=DmsAccess.SOURCE, vpc=vpc,
                  vpc_subnets=ISOLATED)
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:MasterSecretLacksHost\] Test/FromManaged: master_secret \(masterSecret\) "
                                            r"is the master secret RDS manages .* fix: pass database_endpoint")):
        PostgresDatabaseUser(stack, "FromManaged", master_secret=managed, **common)
    PostgresDatabaseUser(stack, "FromUnattached", master_secret=unattached, **common)
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:MasterSecretLacksHost\] master_secret \(masterSecret\) will hold only "
                                            r"username, password, and the function also needs host")):
        synth(stack)


def test_a_package_built_without_the_driver_refuses_the_user_instead_of_deploying_a_function_that_cannot_import_it(tmp_path):
    # The jsii runtime unpacks the package into a cache of our own; removing the vendored driver there
    # makes it the package a build without the vendor step would have shipped.
    script = textwrap.dedent("""
        import glob, os, shutil
        import safe_constructs
        from aws_cdk import App, Stack, aws_ec2 as ec2, aws_secretsmanager as sm
        for driver in glob.glob(os.path.join(os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"], "**", "postgres-user", "vendor", "pg8000"), recursive=True):
            shutil.rmtree(driver)
        stack = Stack(App(), "T")
        secret = sm.Secret(stack, "S")
        try:
            safe_constructs.PostgresDatabaseUser(stack, "U", master_secret=sm.Secret(stack, "M"), user_secret=secret,
                database_name="p", schema_name="p", access=safe_constructs.DmsAccess.TARGET, vpc=ec2.Vpc(stack, "V"))
        except Exception as error:
            print(error)
    """)
    env = {**os.environ, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert "[safe-constructs:HandlerWithoutDriver] T/U: the function's asset" in result.stdout, result.stdout + result.stderr[-2000:]
    assert "lacks its PostgreSQL driver (vendor/pg8000)" in result.stdout


# --- the user's name (issue #32) and rds_superuser (issue #36.7) ----------------------------------------


@pytest.mark.parametrize("username, problem", [
    ("rds_reader", "is a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: \"rds_reader\""),
    ("pg_reader", "is a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: \"pg_reader\""),
    ("rdsadmin", "is a name RDS keeps for its own account or role"),
])
def test_a_user_secret_naming_a_role_rds_or_postgresql_reserves_is_refused(username, problem):
    stack = new_stack()
    named = secretsmanager.Secret(stack, "Named", generate_secret_string=secretsmanager.SecretStringGenerator(
        secret_string_template=f'{{"username": "{username}"}}', generate_string_key="password"))
    with pytest.raises(RuntimeError) as raised:
        database_user(stack, user_secret=named)
    assert (f"[safe-constructs:UsernameInvalid] Test/ReaderUser: user_secret (userSecret) names the user to create, and its username "
            f"{problem}") in str(raised.value)


def test_a_user_secret_naming_the_master_user_is_refused():
    # The function would set the master's password to the user secret's and give it DMS's grants
    stack = new_stack()
    same_name = RotatingSecret(stack, "SameName", username="postgres", hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user())
    with pytest.raises(RuntimeError) as raised:
        database_user(stack, user_secret=same_name)
    assert ("[safe-constructs:UserSecretIsMasterSecret] Test/ReaderUser: user_secret (userSecret) names the master user, \"postgres\": "
            "the function would give the master user DMS's grants") in str(raised.value)


def test_rds_superuser_is_for_a_source_user_only():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:RdsSuperuserOnTarget\] Test/ReaderUser: grant_rds_superuser "
                                            r"\(grantRdsSuperuser\) is True for a user of TARGET access: the DMS guide asks "
                                            r"rds_superuser of a source user only; fix: remove grant_rds_superuser")):
        database_user(stack, access=DmsAccess.TARGET, grant_rds_superuser=True)
