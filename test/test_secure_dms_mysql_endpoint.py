"""SecureDmsMySqlEndpoint: a MySQL, MariaDB or Aurora MySQL endpoint on a secret, with the PostgreSQL endpoint's guarantees."""
import pytest
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, ISOLATED, REGION, new_stack, only_resource, private_vpc, synth, warnings_of
from safe_constructs import DmsEndpointType, DmsMySqlEngine, DmsSslMode, RotatingSecret, SecureDmsMySqlEndpoint

AURORA_MYSQL = rds.DatabaseClusterEngine.aurora_mysql(version=rds.AuroraMysqlEngineVersion.VER_3_08_0)


def test_an_aurora_mysql_source_on_an_external_secret_reads_it_through_its_own_role_and_checks_it_first():
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    endpoint = SecureDmsMySqlEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE,
                                      engine=DmsMySqlEngine.AURORA_MYSQL)
    template = synth(stack)
    props = only_resource(template, "AWS::DMS::Endpoint")["Properties"]
    assert (props["EngineName"], props["EndpointType"], props["SslMode"]) == ("aurora", "source", "require")
    assert props["MySqlSettings"]["SecretsManagerSecretId"] == EXTERNAL_ARN
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
                                      engine=DmsMySqlEngine.AURORA_MYSQL)
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
                           database_name="orders")
    with pytest.raises(RuntimeError, match=(r"\[safe-constructs:SecretLacksKeys\] secret will hold only username, password, and "
                                            r"DMS also needs host, port")):
        synth(stack)


def test_what_dms_would_refuse_is_refused_together_and_clear_text_is_a_visible_choice():
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    with pytest.raises(RuntimeError) as raised:
        SecureDmsMySqlEndpoint(stack, "Source", secret=secret, endpoint_type=DmsEndpointType.SOURCE, engine=DmsMySqlEngine.MYSQL,
                               ssl_mode=DmsSslMode.VERIFY_FULL, endpoint_identifier="orders-", database_name="x" * 65)
    message = str(raised.value)
    assert "[safe-constructs:CertificateMissing] Test/Source: certificate_arn (certificateArn) is required with ssl_mode" in message
    assert '[safe-constructs:EndpointIdentifierInvalid] Test/Source: endpoint_identifier (endpointIdentifier) is not a name DMS accepts, got: "orders-"' in message
    assert "[safe-constructs:DatabaseNameInvalid] Test/Source: database_name (databaseName) must be 1 to 64 characters" in message
    SecureDmsMySqlEndpoint(stack, "Plain", secret=secret, endpoint_type=DmsEndpointType.TARGET, engine=DmsMySqlEngine.MYSQL,
                           ssl_mode=DmsSslMode.NONE)
    synth(stack)
    assert any("dmsSslNone" in w for w in warnings_of(stack))
