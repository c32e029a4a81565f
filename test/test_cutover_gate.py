"""CutoverGate: a WeightedTrafficShift tied to a PostgresReplication moves traffic only on proof."""
import aws_cdk as cdk
import pytest

from harness import (
    ALB_ZONE, logical_id, migration, migration_with_users, new_stack, only_resource, statements_of, synth,
    warnings_of, zone,
)
from safe_constructs import DmsMigrationType, WeightedAliasTarget, WeightedTrafficShift


def target(name):
    return WeightedAliasTarget.from_attributes(f"{name}-1.eu-west-1.elb.amazonaws.com", ALB_ZONE)


def tied(stack, replication, **props):
    return WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay", old_target=target("old"),
                                new_target=target("new"), replication=replication, **{"percent_to_new": 10, **props})


def test_the_records_wait_for_a_gate_that_can_only_read():
    # GIVEN the payment migration's replication, and the shift tied to it
    stack = new_stack()
    replication, _ = migration_with_users(stack)
    shift = tied(stack, replication)
    template = synth(stack)
    # THEN the gate reads this task, with the instance's identifier for the metric's dimension
    gate = only_resource(template, "Custom::DmsCutoverProof")
    gate_id = logical_id(stack, shift.cutover_gate.resource)
    assert gate["Properties"] == {
        "ServiceToken": gate["Properties"]["ServiceToken"], "ReplicationTaskArn": {"Ref": stack.get_logical_id(replication.task)},
        "MigrationType": "full-load-and-cdc", "ReplicationInstanceIdentifier": replication.instance_identifier,
        # the last part of the task's ARN, as the replication's CDC latency alarms have it
        "ReplicationTaskIdentifier": {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": stack.get_logical_id(replication.task)}]}]},
        "Validation": True, "MaxCdcLatencySeconds": 60, "LatencyWindowMinutes": 10, "PercentToNew": 10, "TimeoutSeconds": 600}
    # AND no record changes before it passes
    for record in template.find_resources("AWS::Route53::RecordSet").values():
        assert gate_id in record["DependsOn"]
    # AND its role reads the task's statistics, and what has no resource type, nothing else
    statements = statements_of(template, logical_id(stack, shift.cutover_gate.handler.role))
    assert sorted((sorted(s["Action"]) if isinstance(s["Action"], list) else [s["Action"]], s["Resource"]) for s in statements) == [
        (["cloudwatch:GetMetricStatistics", "dms:DescribeReplicationTasks"], "*"),
        (["dms:DescribeTableStatistics"], {"Ref": stack.get_logical_id(replication.task)})]


def test_the_gate_runs_when_the_share_changes_and_only_then():
    templates = []
    for percent in (10, 50):
        stack = new_stack()
        replication, _ = migration_with_users(stack)
        tied(stack, replication, percent_to_new=percent)
        templates.append(only_resource(synth(stack), "Custom::DmsCutoverProof")["Properties"])
    changed = {key for key in templates[0] if templates[0][key] != templates[1][key]}
    assert changed == {"PercentToNew"}  # CloudFormation updates the gate with the old share in the event


def test_a_full_load_replication_has_no_latency_to_check_and_a_bound_for_it_is_refused():
    stack = new_stack()
    replication, _, _ = migration(stack, migration_type=DmsMigrationType.FULL_LOAD)
    tied(stack, replication)
    assert "MaxCdcLatencySeconds" not in only_resource(synth(stack), "Custom::DmsCutoverProof")["Properties"]
    stack = new_stack()
    replication, _, _ = migration(stack, migration_type=DmsMigrationType.FULL_LOAD)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:CdcLatencyBoundOnFullLoad\] Test/PayShift/CutoverGate: "
                                           r"max_cdc_latency \(maxCdcLatency\) is 30 seconds, and the replication Test/Replication "
                                           r"is a full load, which has no CDC and no CDC latency"):
        tied(stack, replication, max_cdc_latency=cdk.Duration.seconds(30))


def test_fails_with_a_latency_bound_that_is_not_a_positive_duration():
    stack = new_stack()
    replication, _, _ = migration(stack)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:CdcLatencyBoundInvalid\] Test/PayShift/CutoverGate: max_cdc_latency "
                                           r"\(maxCdcLatency\) must be a positive duration of one second or more, got: 0 seconds"):
        tied(stack, replication, max_cdc_latency=cdk.Duration.seconds(0))
    stack = new_stack()
    replication, _, _ = migration(stack)
    tied(stack, replication, max_cdc_latency=cdk.Duration.seconds(15))
    assert only_resource(synth(stack), "Custom::DmsCutoverProof")["Properties"]["MaxCdcLatencySeconds"] == 15


def test_fails_with_a_replication_in_another_region_than_the_records():
    app = cdk.App()
    dms_stack = new_stack(app=app, stack_id="Dms", env=cdk.Environment(account="123456789012", region="us-east-1"))
    replication, _, _ = migration(dms_stack)
    dns = new_stack(app=app, stack_id="Dns")
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:CutoverRegionMismatch\] Dns/PayShift/CutoverGate: replication is in "
                                           r"us-east-1 and the records' stack in eu-west-1"):
        tied(dns, replication)


def test_a_replication_whose_validation_is_off_is_refused_unless_accepted():
    stack = new_stack()
    replication, _, _ = migration(stack, validation=False)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:UnvalidatedCutover\] Test/PayShift/CutoverGate: replication "
                                           r"Test/Replication does not validate the rows it migrates, so no deploy could prove them "
                                           r"before traffic moves; fix: turn its validation back on"):
        tied(stack, replication)
    stack = new_stack()
    replication, _, _ = migration(stack, validation=False)
    tied(stack, replication, accept_unvalidated_cutover=True)
    assert only_resource(synth(stack), "Custom::DmsCutoverProof")["Properties"]["Validation"] is False
    assert any("unvalidatedCutover" in w and "without any proof that its rows match the source" in w for w in warnings_of(stack))


def test_cutover_props_without_a_replication_are_refused():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay", old_target=target("old"),
                             new_target=target("new"), percent_to_new=10, max_cdc_latency=cdk.Duration.seconds(30),
                             old_side_done=True)
    assert str(raised.value).count("[safe-constructs:CutoverPropWithoutReplication]") == 2
    assert "max_cdc_latency (maxCdcLatency) is given without replication" in str(raised.value)


def test_retiring_the_old_side_while_cdc_runs_needs_the_users_word():
    stack = new_stack()
    replication, _, _ = migration(stack)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:RetireOldWhileCdc\] Test/PayShift: retire_old \(retireOld\) is true "
                                           r"while the replication Test/Replication runs CDC \(full-load-and-cdc\)"):
        tied(stack, replication, percent_to_new=100, retire_old=True)
    stack = new_stack()
    replication, _, _ = migration(stack)
    shift = tied(stack, replication, percent_to_new=100, retire_old=True, old_side_done=True)
    template = synth(stack)
    assert shift.old_record is None and len(template.find_resources("AWS::Route53::RecordSet")) == 1
    assert any("oldSideDeclaredDone" in w for w in warnings_of(stack))
    # a full load has no CDC: nothing more to say
    stack = new_stack()
    replication, _, _ = migration(stack, migration_type=DmsMigrationType.FULL_LOAD)
    tied(stack, replication, percent_to_new=100, retire_old=True)
    synth(stack)
    assert not any("oldSideDeclaredDone" in w for w in warnings_of(stack))


def test_the_gate_can_be_asked_directly_with_its_own_properties():
    stack = new_stack()
    replication, _ = migration_with_users(stack)
    shift = tied(stack, replication)
    properties = only_resource(synth(stack), "Custom::DmsCutoverProof")["Properties"]
    payload = stack.resolve(shift.cutover_gate.verdict_payload(50))
    # a JSON string built from the same properties (tokens joined in), the share given
    assert payload["Fn::Join"][0] == "" and '"PercentToNew":50' in "".join(p for p in payload["Fn::Join"][1] if isinstance(p, str))
    assert {"Ref": stack.get_logical_id(replication.task)} in payload["Fn::Join"][1]
    assert properties["ReplicationInstanceIdentifier"] in "".join(p for p in payload["Fn::Join"][1] if isinstance(p, str))
