"""ExternalSecretDatabaseCluster: an Aurora cluster on a hand-made secret, checked before the cluster is created."""
import json

import pytest
from aws_cdk import RemovalPolicy, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, ISOLATED, new_stack, only_resource, private_vpc, statements_of, synth, warnings_of
from safe_constructs import ExternalSecretDatabaseCluster

AURORA = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_17_4)


def cluster(stack, **overrides):
    vpc = private_vpc(stack)
    props = dict(secret=secretsmanager.Secret.from_secret_complete_arn(stack, "Master", EXTERNAL_ARN), engine=AURORA,
                 writer=rds.ClusterInstance.serverless_v2("Writer"), vpc=vpc, vpc_subnets=ISOLATED)
    props.update(overrides)
    return ExternalSecretDatabaseCluster(stack, "Cluster", **props)


def test_credentials_are_dynamic_references_checked_before_the_cluster_and_the_secret_is_left_as_it_is():
    stack = new_stack()
    db = cluster(stack)
    template = synth(stack)
    props = only_resource(template, "AWS::RDS::DBCluster")
    body = json.dumps(props["Properties"])
    assert "{{resolve:secretsmanager:" + EXTERNAL_ARN + ":SecretString:username::}}" in body
    assert "{{resolve:secretsmanager:" + EXTERNAL_ARN + ":SecretString:password::}}" in body
    assert not template.find_resources("AWS::SecretsManager::SecretTargetAttachment")
    # the cluster waits for the pre-flight check, which holds a cluster's password limits (CreateDBCluster: 8 to 41)
    check_id = stack.get_logical_id(db.preflight_check.resource.node.default_child)
    assert check_id in props["DependsOn"]
    check = template.to_json()["Resources"][check_id]["Properties"]
    assert (check["MinPasswordLength"], check["MaxPasswordLength"], check["RejectedPasswordCharacters"]) == (8, 41, '/"@')
    # encrypted, snapshotted on removal, and protected from deletion once the cluster and its instances exist: the
    # template never holds DeletionProtection; a custom resource after them turns it on, and a rollback of the stack's
    # creation, which deletes that resource first, turns it off (test_deploy_gates_handler.py)
    assert props["Properties"]["StorageEncrypted"] is True and "DeletionProtection" not in props["Properties"]
    assert props["DeletionPolicy"] == "Snapshot"
    cluster_id = stack.get_logical_id(db.node.default_child)
    [protection] = template.find_resources("Custom::DeletionProtectionOnceCreated").values()
    writer_id = [k for k in template.find_resources("AWS::RDS::DBInstance")][0]
    assert {cluster_id, writer_id} <= set(protection["DependsOn"])
    assert protection["Properties"]["Kind"] == "cluster" and protection["Properties"]["Identifier"] == {"Ref": cluster_id}
    role = stack.get_logical_id(db.deletion_protection_once_created.node.find_child("Role").node.default_child)
    assert statements_of(template, role) == [
        {"Action": ["rds:ModifyDBCluster", "rds:DescribeDBClusters"], "Effect": "Allow", "Resource": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":rds:eu-west-1:123456789012:cluster:", {"Ref": cluster_id}]]}},
        {"Action": "cloudformation:DescribeStacks", "Effect": "Allow", "Resource": {"Ref": "AWS::StackId"}},
    ]


def test_attaching_is_a_choice_and_writes_host_for_dms_and_rotation():
    stack = new_stack()
    db = cluster(stack, attach_secret=True)
    template = synth(stack)
    [attachment] = template.find_resources("AWS::SecretsManager::SecretTargetAttachment").values()
    assert attachment["Properties"]["TargetType"] == "AWS::RDS::DBCluster"
    assert db.external_secret is not db.secret


def test_turning_the_safe_defaults_off_is_explicit_and_leaves_warnings():
    stack = new_stack()
    cluster(stack, storage_encrypted=False, deletion_protection=False, removal_policy=RemovalPolicy.DESTROY)
    synth(stack)
    warnings = warnings_of(stack)
    for id_ in ("storageUnencrypted", "deletionProtectionOff", "destroyOnRemoval"):
        assert any(id_ in w for w in warnings), id_


def test_credentials_a_bad_identifier_and_unusable_keys_are_refused_together():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        cluster(stack, credentials=rds.Credentials.from_generated_secret("admin"), cluster_identifier="payments--db",
                username_key="user:name", port=80)
    message = str(raised.value)
    assert ("[safe-constructs:CredentialsGiven] Test/Cluster: credentials is given, and the external secret supplies the "
            "master credentials; fix: remove credentials") in message
    assert ('[safe-constructs:ClusterIdentifierInvalid] Test/Cluster: cluster_identifier (clusterIdentifier) is not a DB '
            'cluster identifier RDS accepts, got: "payments--db"') in message
    assert "[safe-constructs:SecretKeyInvalid] Test/Cluster: username_key (usernameKey) must name a JSON key" in message
    assert "[safe-constructs:PortOutOfRange] Test/Cluster: port must be a whole number from 1150 to 65535, got: 80" in message


def test_fails_with_a_key_split_by_a_line_break():
    # the property-based tests' case (test_external_secret_rds_instance.py), on the cluster that shares the check
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        cluster(stack, password_key="0\n")
    assert ('[safe-constructs:SecretKeyInvalid] Test/Cluster: password_key (passwordKey) must name a JSON key of the secret '
            'in printable characters') in str(raised.value)
