"""WeightedTrafficShift: two weighted records that move traffic by one number."""
import aws_cdk as cdk
import pytest

from harness import ALB_ZONE, alb, imported_alb, new_stack, records_by_identifier, synth, zone
from safe_constructs import WeightedAliasTarget, WeightedTrafficShift


def test_blue_green_pair_shifts_traffic_with_one_number():
    # GIVEN the old load balancer (imported) and the new one (in the stack)
    stack = new_stack()
    old, new = imported_alb(stack), alb(stack, "New")
    # WHEN 10 % goes to the new one
    shift = WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay",
        old_target=WeightedAliasTarget.from_load_balancer(old),
        new_target=WeightedAliasTarget.from_load_balancer(new), percent_to_new=10)
    # THEN
    records = records_by_identifier(synth(stack))
    assert (records["old"]["Weight"], records["new"]["Weight"]) == (90, 10)
    assert records["old"]["Name"] == records["new"]["Name"] == "pay.example.com."
    assert shift.new_record.domain_name == "pay.example.com."


@pytest.mark.parametrize("percent", [101, -1, 12.5])
def test_fails_with_a_shift_percentage_outside_0_to_100(percent):
    stack = new_stack()
    target = WeightedAliasTarget.from_attributes("x.example.net", ALB_ZONE)
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:PercentOutOfRange\] .*" rf"percent_to_new \(percentToNew\) must be a whole number from 0 to 100, got: {percent}")):
        WeightedTrafficShift(stack, "Shift", zone=zone(stack), record_name="pay", old_target=target,
                             new_target=target, percent_to_new=percent)


def test_a_percent_from_a_parameter_is_refused_as_unknown_at_synth():
    stack = new_stack()
    target = WeightedAliasTarget.from_attributes("x.example.net", ALB_ZONE)
    percent = cdk.CfnParameter(stack, "Percent", type="Number", default=10)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:PercentUnresolved\] Test/Shift: percent_to_new \(percentToNew\) "
                                           r"must be known at synth time"):
        WeightedTrafficShift(stack, "Shift", zone=zone(stack), record_name="pay", old_target=target,
                             new_target=target, percent_to_new=percent.value_as_number)


def test_fails_with_a_shift_whose_identifiers_are_the_same():
    stack = new_stack()
    target = WeightedAliasTarget.from_attributes("x.example.net", ALB_ZONE)
    with pytest.raises(RuntimeError, match=(
        r"new_set_identifier \(newSetIdentifier\) is the same as old_set_identifier \(oldSetIdentifier\), "
        r"got: \"live\" for both")):
        WeightedTrafficShift(stack, "Shift", zone=zone(stack), record_name="pay", old_target=target,
                             new_target=target, percent_to_new=5, old_set_identifier="live", new_set_identifier="live")


def shift_app(**props):
    """The shift as one deploy of the app sees it: its stack's record sets by logical id."""
    stack = new_stack()
    target = lambda name: WeightedAliasTarget.from_attributes(f"{name}-1.eu-west-1.elb.amazonaws.com", ALB_ZONE)  # noqa: E731
    shift = WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay", old_target=target("old"),
                                 new_target=target("new"), **props)
    return shift, synth(stack).find_resources("AWS::Route53::RecordSet")


def test_the_finish_takes_two_deploys_and_the_second_deletes_only_the_old_record():
    # GIVEN the first deploy of the finish: all the traffic to the new target, the old record at 0
    _, full = shift_app(percent_to_new=100)
    assert sorted((r["Properties"]["SetIdentifier"], r["Properties"]["Weight"]) for r in full.values()) == [("new", 100), ("old", 0)]
    # WHEN the second deploy retires the old record
    shift, finished = shift_app(percent_to_new=100, retire_old=True)
    # THEN the template keeps the new record as it was (same logical id, same properties: CloudFormation
    # neither updates nor replaces it) and drops the old one, which CloudFormation deletes
    [(new_id, new_record)] = finished.items()
    assert full[new_id] == new_record and new_record["Properties"]["Weight"] == 100
    assert shift.old_record is None and shift.new_record.domain_name == "pay.example.com."


def test_retiring_the_old_record_before_all_the_traffic_moved_is_refused():
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:RetireOldBeforeFullShift\] Test/PayShift: retire_old \(retireOld\) "
                                           r"is true while percent_to_new \(percentToNew\) is 90, and the old target still "
                                           r"receives that traffic; fix: deploy percent_to_new=100 first"):
        shift_app(percent_to_new=90, retire_old=True)


# --- starting from a simple record (#35) -----------------------------------------------------------
# Route 53: "You can't create non-weighted records that have the same values for Record name and Record
# type as weighted records" (weighted routing), and a change batch "either makes all or none of the
# changes" (ChangeResourceRecordSets). CloudFormation: new resources are created before removed ones are
# deleted, in the cleanup phase; a resource whose DeletionPolicy is Retain is kept when it leaves the
# template; "Resource A is deleted before resource B" when A depends on B (DependsOn attribute).


def payments_dns(deploy, managed=True):
    """The app at each deploy of the start: 0 is today (a simple record of this stack)."""
    from aws_cdk import aws_route53 as route53, aws_route53_targets as targets
    stack = new_stack(stack_id="PaymentsDns")
    old, new = imported_alb(stack), imported_alb(stack, "New", dns="new-456.eu-west-1.elb.amazonaws.com")
    if managed and deploy <= 1:
        record = route53.ARecord(stack, "Pay", zone=zone(stack), record_name="pay",
                                 target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(old)))
        if deploy == 1:
            record.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    if deploy >= 2:
        WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay", old_target=WeightedAliasTarget.from_load_balancer(old),
                             new_target=WeightedAliasTarget.from_load_balancer(new), percent_to_new=0 if deploy == 2 else 10,
                             from_simple_record=True)
    return stack, synth(stack).to_json()["Resources"]


def of_type(resources, resource_type):
    return {k: r for k, r in resources.items() if r["Type"] == resource_type}


def test_a_simple_record_of_this_stack_is_released_then_replaced_deploy_by_deploy():
    _, today = payments_dns(0)
    _, released = payments_dns(1)
    stack, started = payments_dns(2)
    _, raised = payments_dns(3)
    # deploy 1: the same record, same logical id and properties: only its DeletionPolicy changes (nothing in Route 53)
    [(record_id, record)] = of_type(today, "AWS::Route53::RecordSet").items()
    assert "SetIdentifier" not in record["Properties"]
    assert released[record_id]["Properties"] == record["Properties"] and released[record_id]["DeletionPolicy"] == "Retain"
    # deploy 2: the record leaves the template (kept by CloudFormation); the start's switch, the shift's records
    # after it, and the finish after them
    assert record_id not in started
    [(switch_id, switch)] = [(k, r) for k, r in of_type(started, "Custom::WeightedShiftStart").items() if r["Properties"]["Step"] == "switch"]
    [(finish_id, finish)] = [(k, r) for k, r in of_type(started, "Custom::WeightedShiftStart").items() if r["Properties"]["Step"] == "finish"]
    records = of_type(started, "AWS::Route53::RecordSet")
    assert sorted((r["Properties"]["SetIdentifier"], r["Properties"]["Weight"]) for r in records.values()) == [("new", 0), ("old", 100)]
    assert all(switch_id in r["DependsOn"] for r in records.values()) and set(records) <= set(finish["DependsOn"])
    assert switch["Properties"]["OldTarget"] == {"DNSName": "dualstack.old-123.eu-west-1.elb.amazonaws.com",
                                                 "HostedZoneId": ALB_ZONE, "EvaluateTargetHealth": True}
    assert switch["Properties"]["RecordName"] == "pay.example.com." and switch["Properties"]["BridgeSetIdentifier"] == "old-bridge"
    # the simple record's target is the old one: what the switch checks before it changes anything
    assert record["Properties"]["AliasTarget"]["DNSName"] == switch["Properties"]["OldTarget"]["DNSName"]
    # deploy 3: the weights only; the start's resources are unchanged, so CloudFormation does not run them again
    changed = {k for k in raised if raised[k] != started.get(k)}
    assert changed == set(records)
    assert sorted((r["Properties"]["SetIdentifier"], r["Properties"]["Weight"]) for r in of_type(raised, "AWS::Route53::RecordSet").values()) \
        == [("new", 10), ("old", 90)]


def test_a_simple_record_made_elsewhere_is_replaced_by_the_first_deploy():
    _, first = payments_dns(2, managed=False)
    assert len(of_type(first, "Custom::WeightedShiftStart")) == 2 and len(of_type(first, "AWS::Route53::RecordSet")) == 2


def test_the_start_may_change_only_its_name_and_type_in_its_zone():
    stack, resources = payments_dns(2, managed=False)
    role = next(k for k, r in resources.items() if r["Type"] == "AWS::IAM::Role" and "SimpleRecordStart" in k)
    statements = [s for p in of_type(resources, "AWS::IAM::Policy").values() if p["Properties"]["Roles"] == [{"Ref": role}]
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    [change] = [s for s in statements if s["Action"] == "route53:ChangeResourceRecordSets"]
    assert change["Condition"] == {"ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"], "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["pay.example.com"]}}
    assert "hostedzone/Z0123456789ABC" in str(change["Resource"])
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert [a for a in actions if not a.startswith("logs:")] == [
        "cloudformation:DescribeStacks", "route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"]
