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
