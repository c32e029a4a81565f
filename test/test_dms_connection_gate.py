"""DmsConnectionGate: where it stands in the deploy, and what its role may do (its handler: test_deploy_gates_handler.py)."""
import pytest
from aws_cdk import Duration, aws_dms as dms, aws_secretsmanager as secretsmanager

from harness import (
    EXTERNAL_ARN, REGION, logical_id, migration, migration_with_users, new_stack, only_resource, statements_of, synth,
    warnings_of,
)
from safe_constructs import DmsConnectionGate, DmsEndpointType, DmsMySqlEngine, SecureDmsMySqlEndpoint


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


@pytest.mark.parametrize("reaches, props", [
    ("start_task (startTask) and assessment", {}),
    ("start_task (startTask)", {"assessment": False}),
    ("assessment", {"start_task": False, "start_task_off_reason": "the cutover runbook starts it"}),
])
def test_without_the_gate_a_deploy_that_reaches_the_databases_is_warned(reaches, props):
    stack = new_stack()
    migration(stack, connection_gate=False, **props)
    [warning] = [w for w in warnings_of(stack) if "startWithoutConnectionGate" in w]
    assert f"connection_gate (connectionGate) is False with {reaches} on" in warning
    assert "an unreachable database fails the deploy as the" in warning


def test_without_the_gate_nor_a_deploy_that_reaches_the_databases_nothing_is_warned():
    stack = new_stack()
    migration(stack, connection_gate=False, assessment=False, start_task=False, start_task_off_reason="the runbook starts it")
    assert not any("startWithoutConnectionGate" in w for w in warnings_of(stack))


def test_a_bound_outside_what_its_function_can_answer_within_is_refused_with_every_other_problem():
    stack = new_stack()
    instance = dms.CfnReplicationInstance(stack, "Instance", replication_instance_class="dms.t3.medium")
    with pytest.raises(RuntimeError) as raised:
        DmsConnectionGate(stack, "Gate", replication_instance=instance, endpoints=[], timeout=Duration.minutes(20))
    message = str(raised.value)
    assert ("[safe-constructs:GateTimeoutOutOfRange] Test/Gate: timeout must be from 1 minute to 14 minutes, got: 20 minutes; "
            "fix: give 1 to 14 minutes") in message
    assert "[safe-constructs:GateWithoutEndpoints] Test/Gate: endpoints is empty" in message


def test_the_gate_tests_mysql_family_endpoints_as_any_other():
    # GIVEN a MySQL-family migration built from aws_dms (PostgresReplication is PostgreSQL's)
    stack = new_stack()
    instance = dms.CfnReplicationInstance(stack, "Instance", replication_instance_class="dms.t3.medium")
    orders = secretsmanager.Secret.from_secret_complete_arn(stack, "Orders", EXTERNAL_ARN)
    certificate = f"arn:aws:dms:{REGION}:123456789012:cert:ABC"
    source = SecureDmsMySqlEndpoint(stack, "Source", secret=orders, endpoint_type=DmsEndpointType.SOURCE,
                                    engine=DmsMySqlEngine.AURORA_MYSQL, certificate_arn=certificate)
    target = SecureDmsMySqlEndpoint(stack, "Target", secret=orders, endpoint_type=DmsEndpointType.TARGET,
                                    engine=DmsMySqlEngine.MYSQL, certificate_arn=certificate)
    # WHEN
    gate = DmsConnectionGate(stack, "Gate", replication_instance=instance, endpoints=[source.endpoint, target.endpoint])
    template = synth(stack)
    # THEN both are tested from the instance, and the gate may test only them
    arns = [stack.resolve(source.endpoint_arn), stack.resolve(target.endpoint_arn)]
    assert only_resource(template, "Custom::DmsConnectionTest")["Properties"]["EndpointArns"] == arns
    assert statements_of(template, stack.get_logical_id(gate.handler.role.node.default_child))[0] == {
        "Action": "dms:TestConnection", "Effect": "Allow", "Resource": [stack.resolve(instance.ref), *arns]}
