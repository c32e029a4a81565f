"""FirstRotationGate: where it stands in the deploy, and what its role may do (its handler: test_deploy_gates_handler.py)."""
import pytest
from aws_cdk import Duration, aws_secretsmanager as secretsmanager

from harness import ISOLATED, logical_id, new_stack, private_vpc, statements_of, synth
from safe_constructs import FirstRotationGate, RotatingSecret


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


def test_a_bound_outside_what_its_function_can_answer_within_is_refused():
    stack = new_stack()
    vpc = private_vpc(stack)
    secret = RotatingSecret(stack, "Secret", username="app", verify_first_rotation=False,
                            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED))
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:GateTimeoutOutOfRange\] Test/Late: timeout must be from 1 minute"):
        FirstRotationGate(stack, "Late", secret=secret, rotation_schedule=secret.rotation_schedule, timeout=Duration.seconds(10))
