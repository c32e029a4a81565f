"""DmsConnectionGate and FirstRotationGate: where they stand in the deploy, and what their roles may do."""
import pytest
from aws_cdk import Duration, aws_dms as dms, aws_secretsmanager as secretsmanager

from harness import ISOLATED, new_stack, only_resource, private_vpc, synth
from safe_constructs import DmsConnectionGate, FirstRotationGate, RotatingSecret
from test_postgres_replication import migration, migration_with_users


def statements_of(template, role_prefix):
    """The statements of a role's policies, less those that let it write its own logs."""
    def writes_logs(statement):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        return all(a.startswith("logs:") for a in actions)
    return [s for p in template.find_resources("AWS::IAM::Policy").values()
            if any(r["Ref"].startswith(role_prefix) for r in p["Properties"]["Roles"])
            for s in p["Properties"]["PolicyDocument"]["Statement"] if not writes_logs(s)]


def logical_id(stack, construct):
    return stack.get_logical_id(construct.node.default_child)


def test_the_task_waits_for_the_connection_gate_which_waits_for_everything_a_connection_needs():
    stack = new_stack()
    replication, (reader, writer) = migration_with_users(stack)
    template = synth(stack)
    resources = template.to_json()["Resources"]
    gate_id = logical_id(stack, replication.connection_gate.resource)
    gate = resources[gate_id]
    assert gate["Type"] == "Custom::DmsConnectionTest" and gate["Properties"]["TimeoutSeconds"] == 600
    assert gate_id in resources[stack.get_logical_id(replication.task)]["DependsOn"]
    needs = gate["DependsOn"]
    for user in (reader, writer):  # the users DMS logs in as, and their secrets' first rotation
        assert logical_id(stack, user.resource) in needs
        assert logical_id(stack, user.user_secret.first_rotation_gate.resource) in needs
    # both databases with their security group rules, the instance's egress, the Secrets Manager endpoint
    assert any(d.startswith("SourceDb") for d in needs) and any(d.startswith("TargetDbSecurityGroupfrom") for d in needs)
    assert any(d.startswith("ReplicationSecurityGroupto") for d in needs)
    assert any(d.startswith("VpcSecretsManager") for d in needs)


def test_the_connection_gate_may_test_only_that_instance_and_those_endpoints():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template = synth(stack)
    role = stack.get_logical_id(replication.connection_gate.handler.role.node.default_child)
    statements = statements_of(template, role)
    assert statements == [
        {"Action": "dms:TestConnection", "Effect": "Allow", "Resource": [
            stack.resolve(replication.replication_instance.ref),
            stack.resolve(replication.task.source_endpoint_arn), stack.resolve(replication.task.target_endpoint_arn)]},
        # DescribeConnections has no resource type (Service Authorization Reference): only "*" is possible
        {"Action": "dms:DescribeConnections", "Effect": "Allow", "Resource": "*"},
    ]


def test_the_connection_gate_can_be_turned_off_and_then_the_task_does_not_wait_for_it():
    stack = new_stack()
    replication, _, _ = migration(stack, connection_gate=False)
    template = synth(stack)
    assert replication.connection_gate is None and not template.find_resources("Custom::DmsConnectionTest")


def test_a_rotating_secret_waits_for_its_first_rotation_reading_its_state_never_its_value():
    stack = new_stack()
    vpc = private_vpc(stack)
    secret = RotatingSecret(stack, "Secret", username="app",
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    template = synth(stack)
    gate = template.to_json()["Resources"][logical_id(stack, secret.first_rotation_gate.resource)]
    assert gate["Type"] == "Custom::FirstRotationCheck" and gate["Properties"]["SecretId"] == {"Ref": stack.get_logical_id(secret.node.default_child)}
    assert logical_id(stack, secret.rotation_schedule) in gate["DependsOn"]
    role = stack.get_logical_id(secret.first_rotation_gate.handler.role.node.default_child)
    statements = statements_of(template, role)
    assert statements == [{"Action": ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"], "Effect": "Allow",
                           "Resource": {"Ref": stack.get_logical_id(secret.node.default_child)}}]


def test_a_change_of_the_schedule_checks_again_and_the_gate_can_be_turned_off():
    stack = new_stack()
    vpc = private_vpc(stack)
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)
    monthly = RotatingSecret(stack, "Monthly", username="app", hosted_rotation=rotation)
    quarterly = RotatingSecret(stack, "Quarterly", username="app", hosted_rotation=rotation, automatically_after=Duration.days(90))
    unchecked = RotatingSecret(stack, "Unchecked", username="app", hosted_rotation=rotation, verify_first_rotation=False)
    template = synth(stack)
    resources = template.to_json()["Resources"]
    schedules = [resources[logical_id(stack, s.first_rotation_gate.resource)]["Properties"]["Schedule"] for s in (monthly, quarterly)]
    assert "rate(30 days)" in str(schedules[0]) and "rate(90 days)" in str(schedules[1])
    assert unchecked.first_rotation_gate is None and len(template.find_resources("Custom::FirstRotationCheck")) == 2


def test_a_gate_bound_outside_what_a_function_can_answer_within_is_refused():
    stack = new_stack()
    instance = dms.CfnReplicationInstance(stack, "Instance", replication_instance_class="dms.t3.medium")
    with pytest.raises(RuntimeError) as raised:
        DmsConnectionGate(stack, "Gate", replication_instance=instance, endpoints=[], timeout=Duration.minutes(20))
    message = str(raised.value)
    assert ("[safe-constructs:GateTimeoutOutOfRange] Test/Gate: timeout must be from 1 minute to 14 minutes, got: 20 minutes; "
            "fix: give 1 to 14 minutes") in message
    assert "[safe-constructs:GateWithoutEndpoints] Test/Gate: endpoints is empty" in message
    vpc = private_vpc(stack)
    secret = RotatingSecret(stack, "Secret", username="app", verify_first_rotation=False,
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:GateTimeoutOutOfRange\] Test/Late: timeout must be from 1 minute"):
        FirstRotationGate(stack, "Late", secret=secret, rotation_schedule=secret.rotation_schedule, timeout=Duration.seconds(10))
