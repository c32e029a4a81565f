"""SecureDmsMySqlEndpoint: a MySQL, MariaDB or Aurora MySQL endpoint on a secret, with the PostgreSQL endpoint's guarantees,
the TLS modes DMS supports for the MySQL family (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html),
and no DatabaseName where DMS says not to give one (https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html)."""
import pathlib

import pytest
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, ISOLATED, REGION, new_stack, only_resource, private_vpc, synth, warnings_of
from safe_constructs import (
    DmsCertificate, DmsEndpointType, DmsMySqlEngine, DmsMySqlTargetDbType, DmsSslMode, RotatingSecret, SecureDmsMySqlEndpoint,
)

AURORA_MYSQL = rds.DatabaseClusterEngine.aurora_mysql(version=rds.AuroraMysqlEngineVersion.VER_3_08_0)
CERT_ARN = f"arn:aws:dms:{REGION}:123456789012:cert:ABC"
# RDS's regional bundle as a user downloads it, played by a test CA (tests reach no network)
BUNDLE = (pathlib.Path(__file__).parent / "fixtures" / "stand-in-ca.pem").read_text()


def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)


def test_an_aurora_mysql_source_verifies_the_server_with_the_imported_ca_and_reads_the_secret_through_its_own_role():
    # GIVEN RDS's bundle imported into DMS
    stack = new_stack()
    rds_ca = DmsCertificate(stack, "RdsCa", certificate_pem=BUNDLE)
    # WHEN
    endpoint = SecureDmsMySqlEndpoint(stack, "Source", secret=external(stack), endpoint_type=DmsEndpointType.SOURCE,
                                      engine=DmsMySqlEngine.AURORA_MYSQL, certificate_arn=rds_ca.certificate_arn)
    template = synth(stack)
    # THEN verify-full (DMS does not support require for the MySQL family), with the certificate made from the PEM
    props = only_resource(template, "AWS::DMS::Endpoint")["Properties"]
    assert (props["EngineName"], props["EndpointType"], props["SslMode"]) == ("aurora", "source", "verify-full")
    assert endpoint.ssl_mode == DmsSslMode.VERIFY_FULL
    certificate_id = stack.get_logical_id(rds_ca.resource)
    assert props["CertificateArn"] == {"Ref": certificate_id}
    assert only_resource(template, "AWS::DMS::Certificate")["Properties"] == {"CertificatePem": BUNDLE}
    assert "DatabaseName" not in props and props["MySqlSettings"]["SecretsManagerSecretId"] == EXTERNAL_ARN
    assert not {"Username", "Password", "ServerName", "Port"} & set(props)
    role_id = stack.get_logical_id(endpoint.role.node.default_child)
    role = template.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": f"dms.{REGION}.amazonaws.com"}
    statements = [s for p in template.find_resources("AWS::IAM::Policy").values() if p["Properties"]["Roles"] == [{"Ref": role_id}]
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert statements == [{"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
                           "Resource": EXTERNAL_ARN}]
    # the secret is checked for username, password, host, port and DMS's rejected characters before the endpoint
    check_id = stack.get_logical_id(endpoint.preflight_check.resource.node.default_child)
    assert check_id in template.to_json()["Resources"][stack.get_logical_id(endpoint.endpoint)]["DependsOn"]
    check = template.to_json()["Resources"][check_id]["Properties"]
    assert check["RequiredKeys"] == ["username", "password", "host", "port"] and check["RejectedPasswordCharacters"] == "{};.:+%"
    assert check["Consumer"] == "the DMS Aurora MySQL endpoint"


def test_a_rotating_secret_attached_to_its_cluster_is_checked_at_synth_and_waited_for():
    stack = new_stack()
    vpc = private_vpc(stack)
    rotation = secretsmanager.HostedRotation.mysql_single_user(vpc=vpc, vpc_subnets=ISOLATED)
    master = RotatingSecret(stack, "Master", username="admin", hosted_rotation=rotation)
    cluster = rds.DatabaseCluster(stack, "Orders", engine=AURORA_MYSQL, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
        credentials=rds.Credentials.from_secret(master), writer=rds.ClusterInstance.provisioned("Writer",
            instance_type=ec2.InstanceType("r6g.large")))
    cluster.connections.allow_default_port_from(rotation)
    endpoint = SecureDmsMySqlEndpoint(stack, "Source", secret=master, endpoint_type=DmsEndpointType.SOURCE,
                                      engine=DmsMySqlEngine.AURORA_MYSQL, certificate_arn=CERT_ARN)
    template = synth(stack)
    assert endpoint.preflight_check is None and not template.find_resources("Custom::SecretPreflightCheck")
    depends = template.to_json()["Resources"][stack.get_logical_id(endpoint.endpoint)]["DependsOn"]
    assert any("MasterAttachment" in d for d in depends)  # host and port are written by the attachment


def test_a_never_attached_secret_is_refused_at_synth():
    stack = new_stack()
    vpc = private_vpc(stack)
    secret = RotatingSecret(stack, "Lonely", username="dms",
                            hosted_rotation=secretsmanager.HostedRotation.maria_db_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    SecureDmsMySqlEndpoint(stack, "Target", secret=secret, endpoint_type=DmsEndpointType.TARGET, engine=DmsMySqlEngine.MARIADB,
                           certificate_arn=CERT_ARN)
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:SecretLacksKeys\] secret will hold only username, password, and "
                                            r"DMS also needs host, port")):
        synth(stack)


@pytest.mark.parametrize("engine, name", [(DmsMySqlEngine.MYSQL, "MySQL"), (DmsMySqlEngine.MARIADB, "MariaDB"),
                                          (DmsMySqlEngine.AURORA_MYSQL, "Aurora MySQL")])
def test_fails_with_require_which_dms_does_not_support_for_the_mysql_family(engine, name):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            rf"^\[safe-constructs:SslModeUnsupported\] Test/Source: ssl_mode \(sslMode\) is REQUIRE, which DMS does not support for "
            rf"the DMS {name} endpoint \(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html, its table of modes "
            r"per engine\); fix: use DmsSslMode.VERIFY_CA or VERIFY_FULL$")):
        SecureDmsMySqlEndpoint(stack, "Source", secret=external(stack), endpoint_type=DmsEndpointType.SOURCE, engine=engine,
                               ssl_mode=DmsSslMode.REQUIRE)


def test_fails_without_a_certificate_since_the_default_verifies_the_server():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r"^\[safe-constructs:CertificateMissing\] Test/Target: certificate_arn \(certificateArn\) is required with ssl_mode "
            r"\(sslMode\) verify-full, and none was given; fix: import the CA that signed the server's certificate with DmsCertificate "
            r"\(for RDS and Aurora: the certificate bundle of its Region, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
            r"UsingWithRDS.SSL.html\) and pass its certificate_arn$")):
        SecureDmsMySqlEndpoint(stack, "Target", secret=external(stack), endpoint_type=DmsEndpointType.TARGET,
                               engine=DmsMySqlEngine.MYSQL)


def test_verify_ca_checks_the_ca_and_not_the_name():
    stack = new_stack()
    SecureDmsMySqlEndpoint(stack, "Target", secret=external(stack), endpoint_type=DmsEndpointType.TARGET,
                           engine=DmsMySqlEngine.MARIADB, ssl_mode=DmsSslMode.VERIFY_CA, certificate_arn=CERT_ARN)
    props = only_resource(synth(stack), "AWS::DMS::Endpoint")["Properties"]
    assert (props["EngineName"], props["SslMode"], props["CertificateArn"]) == ("mariadb", "verify-ca", CERT_ARN)


def test_what_dms_would_refuse_is_refused_together_and_clear_text_is_a_visible_choice():
    stack = new_stack()
    secret = external(stack)
    with pytest.raises(RuntimeError) as raised:
        SecureDmsMySqlEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE, engine=DmsMySqlEngine.MYSQL,
                               endpoint_identifier="orders-", database_name="x" * 65)
    message = str(raised.value)
    assert "[safe-constructs:CertificateMissing] Test/Source: certificate_arn (certificateArn) is required with ssl_mode" in message
    assert '[safe-constructs:EndpointIdentifierInvalid] Test/Source: endpoint_identifier (endpointIdentifier) is not a name DMS accepts, got: "orders-"' in message
    assert "[safe-constructs:DatabaseNameInvalid] Test/Source: database_name (databaseName) must be 1 to 64 characters" in message
    assert "[safe-constructs:DatabaseNameOnMySqlSource] Test/Source: database_name (databaseName) is " in message
    SecureDmsMySqlEndpoint(stack, "Plain", secret=secret, endpoint_type=DmsEndpointType.TARGET, engine=DmsMySqlEngine.MYSQL,
                           ssl_mode=DmsSslMode.NONE)
    template = synth(stack)
    assert only_resource(template, "AWS::DMS::Endpoint")["Properties"]["SslMode"] == "none"
    [warning] = [w for w in warnings_of(stack) if "dmsSslNone" in w]
    assert "use DmsSslMode.VERIFY_FULL unless the database cannot speak TLS" in warning


# DatabaseName (CreateEndpoint): "For a MySQL source or target endpoint, don't explicitly specify the database ...
# Specifying DatabaseName when you create or modify a MySQL endpoint replicates all the task tables to this single database."

def test_fails_with_a_database_name_on_a_source():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r'^\[safe-constructs:DatabaseNameOnMySqlSource\] Test/Source: database_name \(databaseName\) is "orders" on a SOURCE '
            r'endpoint, and DMS says not to give it for a MySQL source: "you specify the database only when you specify the schema '
            r'in the table-mapping rules" \(https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html\); '
            r"fix: omit database_name; the task's table mappings choose the schemas DMS reads$")):
        SecureDmsMySqlEndpoint(stack, "Source", secret=external(stack), endpoint_type=DmsEndpointType.SOURCE,
                               engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN, database_name="orders")


@pytest.mark.parametrize("target_db_type, shown", [(None, "not set"), (DmsMySqlTargetDbType.MULTIPLE_DATABASES, "multiple-databases")])
def test_fails_with_a_database_name_on_a_target_that_would_merge_every_schema_into_it(target_db_type, shown):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r'^\[safe-constructs:DatabaseNameMergesSchemas\] Test/Target: database_name \(databaseName\) is "orders" on a TARGET '
            rf'endpoint whose target_db_type \(targetDbType\) is {shown}: "Specifying DatabaseName when you create or modify a MySQL '
            r'endpoint replicates all the task tables to this single database" \(https://docs.aws.amazon.com/dms/latest/APIReference/'
            r"API_CreateEndpoint.html\), so the source's schemas merge and tables of one name collide; fix: omit database_name "
            r"\(each table goes to the database named after its source schema\), or set "
            r"target_db_type=DmsMySqlTargetDbType.SPECIFIC_DATABASE to write every table into that one database on purpose$")):
        SecureDmsMySqlEndpoint(stack, "Target", secret=external(stack), endpoint_type=DmsEndpointType.TARGET,
                               engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN, database_name="orders",
                               target_db_type=target_db_type)


def test_a_target_writes_into_one_database_when_the_user_says_so():
    stack = new_stack()
    SecureDmsMySqlEndpoint(stack, "Target", secret=external(stack), endpoint_type=DmsEndpointType.TARGET,
                           engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN, database_name="orders",
                           target_db_type=DmsMySqlTargetDbType.SPECIFIC_DATABASE)
    props = only_resource(synth(stack), "AWS::DMS::Endpoint")["Properties"]
    # the API's value (MySQLSettings.TargetDbType: specific-database | multiple-databases)
    assert (props["DatabaseName"], props["MySqlSettings"]["TargetDbType"]) == ("orders", "specific-database")


def test_fails_with_one_database_asked_for_and_none_named():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r"^\[safe-constructs:SpecificDatabaseWithoutName\] Test/Target: database_name \(databaseName\) is required with "
            r'target_db_type \(targetDbType\) SPECIFIC_DATABASE \("specify the database name using the DatabaseName parameter"\), '
            r"and none was given; fix: name the one database every table goes to, or omit target_db_type$")):
        SecureDmsMySqlEndpoint(stack, "Target", secret=external(stack), endpoint_type=DmsEndpointType.TARGET,
                               engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN,
                               target_db_type=DmsMySqlTargetDbType.SPECIFIC_DATABASE)


def test_fails_with_a_target_setting_on_a_source():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            r"^\[safe-constructs:TargetDbTypeOnSource\] Test/Source: target_db_type \(targetDbType\) is multiple-databases on a "
            r"SOURCE endpoint, and it says where a target writes; fix: omit target_db_type, or build the endpoint with "
            r"endpoint_type=DmsEndpointType.TARGET$")):
        SecureDmsMySqlEndpoint(stack, "Source", secret=external(stack), endpoint_type=DmsEndpointType.SOURCE,
                               engine=DmsMySqlEngine.MYSQL, certificate_arn=CERT_ARN,
                               target_db_type=DmsMySqlTargetDbType.MULTIPLE_DATABASES)
