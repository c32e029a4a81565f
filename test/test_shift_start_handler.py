"""Starting a weighted shift from a simple record (assets/deploy-gates/shift_start.py), against Route 53's rules.

Where AWS stands: botocore's Stubber on real boto3 clients checks each call and response against the
Route 53 (2013-04-01) and CloudFormation (2010-05-15) API models. The deploy itself is then played
against `Zone`, a stand-in for one hosted zone that holds Route 53's documented rules, each call's
parameters checked against the Route 53 model:
- "You can't create non-weighted records that have the same values for Record name and Record type
  as weighted records" (weighted routing), and the other way round (external-dns#1411 met
  "cannot be created as a non-weighted set exists with the same name and type");
- a change batch is "transactional ... either makes all or none of the changes", and "To delete a
  resource record set, you must specify all the same values that you specified when you created
  it" (ChangeResourceRecordSets);
- "In a group of resource record sets that have the same name and type, the value of
  SetIdentifier must be unique" (ResourceRecordSet.SetIdentifier).
CloudFormation's part is played from the synthesized template: resources created in the order
their dependencies give, and deleted in the reverse order on a rollback ("Resource A is deleted
before resource B", DependsOn attribute). After every change the name must answer.
"""
import copy
import datetime
from unittest.mock import ANY

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from botocore.validate import ParamValidator

from handlers import FakeClock, gate_module

start = gate_module("shift_start")
GateFailed = start.GateFailed

ZONE = "Z0123456789ABC"
NAME = "pay.example.com."
ALB_ZONE = "Z32O12XQLNTSW2"
OLD_DNS = "dualstack.old-123.eu-west-1.elb.amazonaws.com"
NEW_DNS = "dualstack.new-456.eu-west-1.elb.amazonaws.com"
STACK = "arn:aws:cloudformation:eu-west-1:123456789012:stack/Payments/1e2d3c4b-0000-1111-2222-333344445555"
SIMPLE = {"Name": NAME, "Type": "A", "AliasTarget": {"DNSName": OLD_DNS + ".", "HostedZoneId": ALB_ZONE,
                                                       "EvaluateTargetHealth": True}}
WHEN = datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)


def props(step):
    return {"Step": step, "HostedZoneId": ZONE, "RecordName": NAME, "RecordType": "A", "BridgeSetIdentifier": "old-bridge",
            "OldTarget": {"DNSName": OLD_DNS, "HostedZoneId": ALB_ZONE, "EvaluateTargetHealth": "true"}, "TimeoutSeconds": "600"}


def bridge(record=SIMPLE):
    return {**record, "SetIdentifier": "old-bridge", "Weight": 100}


def weighted(identifier, dns, weight):
    return {"Name": NAME, "Type": "A", "SetIdentifier": identifier, "Weight": weight,
            "AliasTarget": {"DNSName": dns, "HostedZoneId": ALB_ZONE, "EvaluateTargetHealth": True}}


# --- each call against the API model (Stubber) -----------------------------------------------------


class Stubbed:
    def __init__(self):
        credentials = {"region_name": "eu-west-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        self.route53, self.cloudformation = boto3.client("route53", **credentials), boto3.client("cloudformation", **credentials)
        self.stub, self.cfn_stub = Stubber(self.route53), Stubber(self.cloudformation)

    def lists(self, *records):
        self.stub.add_response("list_resource_record_sets", {"ResourceRecordSets": list(records), "IsTruncated": False, "MaxItems": "100"},
                               {"HostedZoneId": ZONE, "StartRecordName": NAME, "StartRecordType": "A", "MaxItems": "100"})

    def changes(self, *changes, statuses=("PENDING", "INSYNC")):
        self.stub.add_response("change_resource_record_sets", {"ChangeInfo": {"Id": "/change/C1", "Status": statuses[0], "SubmittedAt": WHEN}},
                               {"HostedZoneId": ZONE, "ChangeBatch": {"Comment": ANY,
                                                                      "Changes": [{"Action": a, "ResourceRecordSet": r} for a, r in changes]}})
        for status in statuses[1:]:
            self.stub.add_response("get_change", {"ChangeInfo": {"Id": "/change/C1", "Status": status, "SubmittedAt": WHEN}}, {"Id": "/change/C1"})

    def stack_status(self, status):
        self.cfn_stub.add_response("describe_stacks", {"Stacks": [{"StackName": "Payments", "StackId": STACK, "StackStatus": status,
                                                                   "CreationTime": WHEN}]}, {"StackName": STACK})

    def step(self, step, clock=None):
        with self.stub:
            start.run_step({"RequestType": "Create", "ResourceProperties": props(step)}, self.route53, deadline=600, clock=clock or FakeClock())
        self.stub.assert_no_pending_responses()

    def undo(self, step):
        with self.stub, self.cfn_stub:
            start.undo_on_rollback({"RequestType": "Delete", "StackId": STACK, "ResourceProperties": props(step)},
                                   self.route53, self.cloudformation, deadline=600, clock=FakeClock())
        self.stub.assert_no_pending_responses()
        self.cfn_stub.assert_no_pending_responses()


def test_the_switch_replaces_the_simple_record_with_the_bridge_in_one_batch_delete_first():
    aws = Stubbed()
    aws.lists(SIMPLE)
    # DELETE first: a CREATE of a weighted record before it is refused beside the simple one (external-dns#1411)
    aws.changes(("DELETE", SIMPLE), ("CREATE", bridge()))
    aws.step("switch")


def test_the_switch_does_nothing_where_no_simple_record_is_left():
    aws = Stubbed()
    aws.lists(bridge(), weighted("old", OLD_DNS, 100))  # a start done already, or retried
    aws.step("switch")
    aws = Stubbed()
    aws.lists()  # a new name: CloudFormation creates the records as it would without the start
    aws.step("switch")


def test_a_simple_record_that_is_no_alias_or_points_elsewhere_fails_before_any_change():
    aws = Stubbed()
    aws.lists({"Name": NAME, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "192.0.2.10"}]})
    with pytest.raises(GateFailed, match=r"pay.example.com. \(A\) is a simple record with values \['192.0.2.10'\], not an alias"):
        aws.step("switch")
    aws = Stubbed()
    aws.lists({**SIMPLE, "AliasTarget": {**SIMPLE["AliasTarget"], "DNSName": "other-9.eu-west-1.elb.amazonaws.com."}})
    with pytest.raises(GateFailed, match=r"points to other-9.eu-west-1.elb.amazonaws.com. \(zone Z32O12XQLNTSW2\), and old_target "
                                         r"is dualstack.old-123"):
        aws.step("switch")


def test_the_finish_deletes_the_bridge_only_beside_a_record_that_answers():
    aws = Stubbed()
    aws.lists(weighted("new", NEW_DNS, 0), weighted("old", OLD_DNS, 100), bridge())
    aws.changes(("DELETE", bridge()), statuses=("INSYNC",))
    aws.step("finish")
    aws = Stubbed()
    aws.lists(weighted("new", NEW_DNS, 0), bridge())
    with pytest.raises(GateFailed, match="no weighted record of weight above 0 beside the bridge, so deleting it would leave the "
                                         "name unanswered; the bridge stays"):
        aws.step("finish")


def test_a_rollback_puts_the_bridge_back_then_the_simple_record_and_any_other_delete_changes_nothing():
    aws = Stubbed()
    aws.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    aws.lists(weighted("new", NEW_DNS, 0), weighted("old", OLD_DNS, 100))
    bridge_back = bridge({**SIMPLE, "AliasTarget": {"DNSName": OLD_DNS, "HostedZoneId": ALB_ZONE, "EvaluateTargetHealth": True}})
    aws.changes(("CREATE", bridge_back), statuses=("INSYNC",))
    aws.undo("finish")
    aws = Stubbed()
    aws.stack_status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    aws.lists(bridge())
    aws.changes(("DELETE", bridge()), ("CREATE", SIMPLE), statuses=("INSYNC",))
    aws.undo("switch")
    for status in ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "DELETE_IN_PROGRESS"):
        aws = Stubbed()
        aws.stack_status(status)
        aws.undo("finish")
        aws = Stubbed()
        aws.stack_status(status)
        aws.undo("switch")


def test_throttling_and_a_change_still_applied_are_waited_out():
    aws = Stubbed()
    aws.stub.add_client_error("list_resource_record_sets", "ThrottlingException", "Rate exceeded")
    aws.lists(SIMPLE)
    aws.stub.add_client_error("change_resource_record_sets", "PriorRequestNotComplete", "The request was rejected because "
                              "Route 53 was still processing a prior request")
    aws.changes(("DELETE", SIMPLE), ("CREATE", bridge()))
    clock = FakeClock()
    aws.step("switch", clock=clock)
    assert clock.slept == 3  # two retries and one poll for INSYNC


def test_a_refused_batch_fails_with_route53s_words_and_changes_nothing():
    aws = Stubbed()
    aws.lists(SIMPLE)
    aws.stub.add_client_error("change_resource_record_sets", "InvalidChangeBatch", "[Tried to delete resource record set "
                              "[name='pay.example.com.', type='A'] but the values provided do not match the current values]")
    with pytest.raises(GateFailed, match=r"\(InvalidChangeBatch: .*do not match the current values\]\); nothing was changed, as a "
                                         r"batch applies all or none"):
        aws.step("switch")


# --- the deploy, played against Route 53's rules -------------------------------------------------------


_ROUTE53 = botocore.session.get_session().get_service_model("route53")


class Zone:
    """One hosted zone with Route 53's rules for a name and type: weighted and simple records never side by side,
    unique set identifiers, batches all or none, a DELETE only of the record exactly as it is. Every call's
    parameters are checked against the Route 53 API model; every change is INSYNC at once."""

    def __init__(self, *records):
        self.records = [copy.deepcopy(r) for r in records]
        self.history = [self.answers()]

    @staticmethod
    def check(operation, params):
        report = ParamValidator().validate(params, _ROUTE53.operation_model(operation).input_shape)
        assert not report.has_errors(), report.generate_report()

    def list_resource_record_sets(self, **params):
        self.check("ListResourceRecordSets", params)
        return {"ResourceRecordSets": copy.deepcopy(self.records), "IsTruncated": False, "MaxItems": params["MaxItems"]}

    def change_resource_record_sets(self, **params):
        self.check("ChangeResourceRecordSets", params)
        records = copy.deepcopy(self.records)
        for change in params["ChangeBatch"]["Changes"]:
            record = change["ResourceRecordSet"]
            if change["Action"] == "DELETE":
                if record not in records:
                    raise ClientError("InvalidChangeBatch", "Tried to delete resource record set but the values provided do not match")
                records.remove(record)
            else:
                same = [r for r in records if r.get("SetIdentifier") == record.get("SetIdentifier")]
                if same:
                    raise ClientError("InvalidChangeBatch", "Tried to create resource record set but it already exists")
                if any(("SetIdentifier" in r) != ("SetIdentifier" in record) for r in records):
                    raise ClientError("InvalidChangeBatch", "cannot be created as a non-weighted set exists with the same name and type")
                records.append(record)
        self.records = records  # all or none: only a batch that passed every change is applied
        self.history.append(self.answers())
        return {"ChangeInfo": {"Id": f"/change/C{len(self.history)}", "Status": "INSYNC", "SubmittedAt": WHEN}}

    def get_change(self, **params):
        self.check("GetChange", params)
        return {"ChangeInfo": {"Id": params["Id"], "Status": "INSYNC", "SubmittedAt": WHEN}}

    def answers(self):
        """The targets a query for the name can get (old or new): a simple record's, or the weighted records' of weight above 0."""
        answering = [r for r in self.records if "SetIdentifier" not in r or r["Weight"] > 0]
        return sorted("new" if "new-456" in r["AliasTarget"]["DNSName"] else "old" for r in answering)


class ClientError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


class Stack:
    """CloudFormation's status, as DescribeStacks reports it."""

    def __init__(self, status):
        self.status = status

    def describe_stacks(self, StackName):  # noqa: N803 (boto3's spelling)
        return {"Stacks": [{"StackName": "Payments", "StackId": StackName, "StackStatus": self.status}]}


def the_start_template(percent=0):
    """The deploy that starts the shift, as the construct synthesizes it."""
    from harness import new_stack, synth, zone
    from safe_constructs import WeightedAliasTarget, WeightedTrafficShift
    stack = new_stack()
    target = lambda dns: WeightedAliasTarget.from_attributes(dns.removeprefix("dualstack."), ALB_ZONE)  # noqa: E731
    WeightedTrafficShift(stack, "PayShift", zone=zone(stack), record_name="pay", old_target=target(OLD_DNS),
                         new_target=target(NEW_DNS), percent_to_new=percent, from_simple_record=True)
    return synth(stack).to_json()["Resources"]


def creation_order(resources):
    """The order CloudFormation may create them in: each after what it depends on."""
    done, order = set(), []
    while len(order) < len(resources):
        for logical_id, resource in resources.items():
            needs = set(resource.get("DependsOn", [])) & set(resources)
            if logical_id not in done and needs <= done:
                done.add(logical_id)
                order.append(logical_id)
    return order


def play(zone, resources, fail_after=None, cfn=None):
    """Creates the start's resources in dependency order; with `fail_after`, fails there and rolls back in reverse."""
    shift = {k: r for k, r in resources.items() if r["Type"] in ("Custom::WeightedShiftStart", "AWS::Route53::RecordSet")}
    created = []
    for logical_id in creation_order(shift):
        resource = shift[logical_id]
        if resource["Type"] == "AWS::Route53::RecordSet":
            p = resource["Properties"]
            record = {"Name": p["Name"], "Type": p["Type"], "SetIdentifier": p["SetIdentifier"], "Weight": p["Weight"],
                      "AliasTarget": {"DNSName": p["AliasTarget"]["DNSName"], "HostedZoneId": p["AliasTarget"]["HostedZoneId"],
                                      "EvaluateTargetHealth": p["AliasTarget"]["EvaluateTargetHealth"]}}
            zone.change_resource_record_sets(HostedZoneId=p["HostedZoneId"], ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]})
            resource["_record"] = record
        else:
            start.run_step({"RequestType": "Create", "ResourceProperties": custom_properties(resource)}, zone, deadline=600, clock=FakeClock())
        created.append(logical_id)
        assert zone.answers(), f"the name did not answer after {logical_id}"
        if logical_id == fail_after:
            rollback(zone, shift, created, cfn or Stack("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"))
            return


def rollback(zone, shift, created, cfn):
    for logical_id in reversed(created):
        resource = shift[logical_id]
        if resource["Type"] == "AWS::Route53::RecordSet":
            zone.change_resource_record_sets(HostedZoneId=ZONE, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": resource["_record"]}]})
        else:
            start.undo_on_rollback({"RequestType": "Delete", "StackId": STACK, "ResourceProperties": custom_properties(resource)},
                                   zone, cfn, deadline=600, clock=FakeClock())
        assert zone.answers(), f"the name did not answer after {logical_id} was deleted"


def custom_properties(resource):
    """The properties CloudFormation sends: strings, and the service token left out."""
    def text(value):
        return {k: text(v) for k, v in value.items()} if isinstance(value, dict) else str(value).lower() if isinstance(value, bool) else str(value)
    return {k: text(v) for k, v in resource["Properties"].items() if k != "ServiceToken"}


def test_the_start_replaces_a_simple_record_with_the_shift_and_the_name_answers_all_along():
    # GIVEN production today: a simple alias record to the old load balancer
    zone = Zone(SIMPLE)
    # WHEN the start deploys (10 % to the new side)
    play(zone, the_start_template(percent=10))
    # THEN the name answered after every change, and ends with the shift's two records and no bridge
    assert sorted((r["SetIdentifier"], r["Weight"]) for r in zone.records) == [("new", 10), ("old", 90)]
    # simple -> bridge (one batch) -> bridge and the shift's records -> the shift's records
    assert zone.history[:2] == [["old"], ["old"]] and zone.history[-2:] == [["new", "old", "old"], ["new", "old"]]


def test_a_start_that_fails_midway_rolls_back_to_the_simple_record_and_the_name_answers_all_along():
    for fail_after_step in range(4):
        zone = Zone(SIMPLE)
        resources = the_start_template(percent=10)
        order = creation_order({k: r for k, r in resources.items()
                                if r["Type"] in ("Custom::WeightedShiftStart", "AWS::Route53::RecordSet")})
        play(zone, resources, fail_after=order[fail_after_step])
        # the simple record is back, to the same target (put back from old_target once the bridge was gone)
        [record] = zone.records
        assert "SetIdentifier" not in record and start.target_of(record["AliasTarget"]) == start.target_of(SIMPLE["AliasTarget"])
        assert all(zone.history), zone.history


def test_creating_the_weighted_records_beside_the_simple_one_is_what_route53_refuses():
    # The reason for the start: without it, CloudFormation creates the weighted records while the simple one exists.
    zone = Zone(SIMPLE)
    with pytest.raises(ClientError, match="non-weighted set exists with the same name and type"):
        zone.change_resource_record_sets(HostedZoneId=ZONE, ChangeBatch={"Changes": [{"Action": "CREATE",
                                                                                      "ResourceRecordSet": weighted("old", OLD_DNS, 100)}]})
    assert zone.records == [SIMPLE]  # all or none
