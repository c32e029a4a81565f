"""Starting a weighted traffic shift on a name that has a simple alias record today, with no moment when it does not resolve.

Route 53 refuses weighted records beside a non-weighted one of the same name and type ("You can't
create non-weighted records that have the same values for Record name and Record type as weighted
records", weighted routing), and CloudFormation creates a stack's new resources before it deletes the
removed ones. A change batch, though, is "transactional ... Route 53 validates the changes in the
request and then either makes all or none of the changes" (ChangeResourceRecordSets), so one batch
can delete the simple record and create a weighted copy of it (the bridge) at once: the name answers
before, during and after. Two custom resources of one function do the start:

- `switch` (the shift's records wait for it): reads the name's records; a simple alias record to the
  old target is replaced, in one batch (DELETE first), by the bridge: the same record with a set
  identifier and weight 100. A simple record that is no alias, or points elsewhere, fails the deploy
  before anything changes. No simple record (a new name, or a start already done): nothing to do.
- `finish` (it waits for the shift's records): deletes the bridge, once a record of weight above 0
  answers beside it. Until then the old target gets the bridge's share too: the new side gets less
  than asked, never more.

On delete, each step undoes itself only while its stack rolls back (DescribeStacks: a status with
ROLLBACK), so that a failed start leaves the name as it was: `finish` puts the bridge back before
CloudFormation deletes the shift's records, and `switch` turns the bridge back into the simple
record once they are gone. Any other delete (the prop removed later, the stack deleted) changes
nothing. Every change waits for Route 53's INSYNC (GetChange).

Resource properties: Step (switch or finish), HostedZoneId, RecordName (with the final dot),
RecordType, BridgeSetIdentifier, OldTarget {DNSName, HostedZoneId, EvaluateTargetHealth}, TimeoutSeconds.
"""
import calls
from index import THROTTLING, Clock, GateFailed, answer, aws_client, is_rollback, stack_status, wait

# The bridge's weight while the shift's records join it: any weight above 0 answers alone, and beside
# the records it sends the old target more than its share, never the new one.
BRIDGE_WEIGHT = 100
# Route 53 asks to wait and try again when a change of the zone is still being applied.
RETRY = THROTTLING | {"PriorRequestNotComplete"}
WEIGHTED_ROUTING = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html"


def retried(clock, deadline, call, what):
    """A Route 53 or CloudFormation call, waiting out throttling and changes still being applied."""
    return calls.retried(clock, deadline, call, what, retry=RETRY,
                         after=f"; nothing was changed, as a batch applies all or none ({WEIGHTED_ROUTING})")


def start_handler(event, context):
    """Lambda entry point of both steps: always answers CloudFormation."""
    if event["RequestType"] != "Delete":
        answer(event, context, lambda deadline: run_step(event, route53_client(), deadline))
        return
    # A delete has work of its own here (a rollback's undo): answer() runs it as it runs an update.
    answer({**event, "RequestType": "Update"}, context,
           lambda deadline: undo_on_rollback(event, route53_client(), cloudformation_client(), deadline))


def route53_client():
    return aws_client("route53")


def cloudformation_client():
    return aws_client("cloudformation")


def run_step(event, route53, deadline, clock=None):
    props = event["ResourceProperties"]
    clock = clock or Clock()
    if props["Step"] == "switch":
        switch(props, route53, deadline, clock)
    else:
        finish(props, route53, deadline, clock)


def normalized(name):
    return name.lower().rstrip(".")


def records_of(route53, props, deadline, clock):
    """Every record set of the name and type (weighted ones included), page by page."""
    name, kind = props["RecordName"], props["RecordType"]
    found, start = [], {"StartRecordName": name, "StartRecordType": kind}
    while True:
        page = retried(clock, deadline, lambda: route53.list_resource_record_sets(HostedZoneId=props["HostedZoneId"], MaxItems="100",
                                                                                  **start), f"Route 53 did not list {name} ({kind})")
        for record in page["ResourceRecordSets"]:
            if normalized(record["Name"]) != normalized(name) or record["Type"] != kind:
                return found  # listed in order: past this name and type
            found.append(record)
        if not page.get("IsTruncated"):
            return found
        start = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"],
                 **({"StartRecordIdentifier": page["NextRecordIdentifier"]} if page.get("NextRecordIdentifier") else {})}


def target_of(alias):
    """An alias target as Route 53 compares it: the DNS name without case, final dot or dualstack prefix, and the zone."""
    dns = normalized(alias["DNSName"])
    return (dns[len("dualstack."):] if dns.startswith("dualstack.") else dns, alias["HostedZoneId"])


def switch(props, route53, deadline, clock):
    """Replaces the simple alias record with the bridge, in one batch; nothing when there is no simple record."""
    name, kind = props["RecordName"], props["RecordType"]
    simple = [r for r in records_of(route53, props, deadline, clock) if "SetIdentifier" not in r]
    if not simple:
        return
    record = simple[0]
    if "AliasTarget" not in record:
        raise GateFailed(f"{name} ({kind}) is a simple record with values {[v['Value'] for v in record.get('ResourceRecords', [])]}, "
                         "not an alias: from_simple_record replaces a simple alias record to the old target. Make it an alias "
                         "to the old target first, or start the shift on a name without a record")
    if target_of(record["AliasTarget"]) != target_of(props["OldTarget"]):
        raise GateFailed(f"{name} ({kind}) points to {record['AliasTarget']['DNSName']} (zone {record['AliasTarget']['HostedZoneId']}), "
                         f"and old_target is {props['OldTarget']['DNSName']} (zone {props['OldTarget']['HostedZoneId']}): the shift "
                         "would move traffic off a target it does not know. Give old_target the record's target")
    bridge = {**record, "SetIdentifier": props["BridgeSetIdentifier"], "Weight": BRIDGE_WEIGHT}
    change(route53, props, [("DELETE", record), ("CREATE", bridge)], deadline, clock,
           f"{name} ({kind}): the simple record replaced by a weighted copy of it (the bridge), in one batch")


def finish(props, route53, deadline, clock):
    """Deletes the bridge once another record of weight above 0 answers beside it."""
    name, kind = props["RecordName"], props["RecordType"]
    records = records_of(route53, props, deadline, clock)
    bridge = [r for r in records if r.get("SetIdentifier") == props["BridgeSetIdentifier"]]
    if not bridge:
        return
    if not any(r.get("SetIdentifier") not in (None, props["BridgeSetIdentifier"]) and r.get("Weight", 0) > 0 for r in records):
        raise GateFailed(f"{name} ({kind}) has no weighted record of weight above 0 beside the bridge, so deleting it would leave "
                         "the name unanswered; the bridge stays")
    change(route53, props, [("DELETE", bridge[0])], deadline, clock, f"{name} ({kind}): the bridge deleted")


def bridge_from(props):
    target = props["OldTarget"]
    return {"Name": props["RecordName"], "Type": props["RecordType"], "SetIdentifier": props["BridgeSetIdentifier"],
            "Weight": BRIDGE_WEIGHT, "AliasTarget": {"DNSName": target["DNSName"], "HostedZoneId": target["HostedZoneId"],
                                                     "EvaluateTargetHealth": str(target.get("EvaluateTargetHealth")).lower() == "true"}}


def undo_on_rollback(event, route53, cloudformation, deadline, clock=None):
    """While the stack rolls back: `finish` puts the bridge back, `switch` the simple record. Otherwise nothing."""
    clock = clock or Clock()
    props = event["ResourceProperties"]
    status = retried(clock, deadline, lambda: stack_status(cloudformation, event["StackId"]),
                     f"CloudFormation did not describe stack {event['StackId']}")
    if not is_rollback(status):
        return
    name, kind = props["RecordName"], props["RecordType"]
    records = records_of(route53, props, deadline, clock)
    bridge = [r for r in records if r.get("SetIdentifier") == props["BridgeSetIdentifier"]]
    if props["Step"] == "finish":
        # before CloudFormation deletes the shift's records: the bridge answers again
        if records and not bridge:
            change(route53, props, [("CREATE", bridge_from(props))], deadline, clock, f"{name} ({kind}): the bridge put back")
    elif bridge and len(records) == 1:
        # the shift's records are gone: the bridge becomes the simple record it was, in one batch
        simple = {key: value for key, value in bridge[0].items() if key not in ("SetIdentifier", "Weight")}
        change(route53, props, [("DELETE", bridge[0]), ("CREATE", simple)], deadline, clock,
               f"{name} ({kind}): the simple record put back")


def change(route53, props, changes, deadline, clock, comment):
    """One change batch, all or none, then Route 53's INSYNC."""
    batch = {"Comment": f"safe-constructs: {comment}"[:256],
             "Changes": [{"Action": action, "ResourceRecordSet": record} for action, record in changes]}
    what = f"Route 53 did not apply the change ({comment})"
    info = retried(clock, deadline, lambda: route53.change_resource_record_sets(HostedZoneId=props["HostedZoneId"],
                                                                                ChangeBatch=batch)["ChangeInfo"], what)
    while info["Status"] != "INSYNC":
        wait(clock, deadline, f"{what}: still {info['Status']} at the bound; it applies all or none, so the name still answers")
        info = retried(clock, deadline, lambda: route53.get_change(Id=info["Id"])["ChangeInfo"], what)
