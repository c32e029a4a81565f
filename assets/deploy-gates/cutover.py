"""The cutover gate: a deploy that raises the share of traffic sent to a migration's new side first proves the replication.

A CloudFormation custom resource (see index.py for how gates answer). It reads, and changes nothing:

- DescribeReplicationTasks: the task is `running`, or, for a full-load task, `stopped` with
  `Stop Reason FULL_LOAD_ONLY_FINISHED` ("The task completed the full load phase", DMS API
  ReplicationTask.StopReason); the full load is complete (`FullLoadProgressPercent` 100, no table
  loading, queued or errored).
- DescribeTableStatistics: every table's `TableState` is "Table completed" (the states are "Table
  does not exist | Before load | Full load | Table completed | Table cancelled | Table error | Table
  is being reloaded"); with validation, every table is "Validated" ("All rows in the table are
  validated") with no failed, suspended or pending record. `FullLoadErrorRows` is not read: it
  counts only for a DynamoDB target.
- CloudWatch GetMetricStatistics, `AWS/DMS` `CDCLatencyTarget` ("the gap, in seconds, between the
  first event timestamp waiting to commit on the target and the current timestamp of the AWS DMS
  instance", CHAP_Monitoring), per-minute maxima over the last `LatencyWindowMinutes`, with the
  dimensions `ReplicationInstanceIdentifier` (the instance's identifier) and
  `ReplicationTaskIdentifier` (the last part of the task's ARN). No datapoint is no proof.

Invoked directly (no ResponseURL: `aws lambda invoke` with {"ResourceProperties": {...}}), it returns
its verdict, {"Proven": ..., "Reasons": ...}, for a rise from 0 to PercentToNew, and answers nobody.

It checks only a rise: the old share comes from CloudFormation's update event
(OldResourceProperties), a new resource starts from 0, and a share that stays or falls passes at
once, so going back, and a rollback, is never blocked. Throttling is waited out until the bound.

Resource properties: ReplicationTaskArn, MigrationType, ReplicationInstanceIdentifier, ReplicationTaskIdentifier,
Validation, MaxCdcLatencySeconds (with CDC), LatencyWindowMinutes, PercentToNew, TimeoutSeconds.
"""
import datetime

from calls import retried
from index import Clock, GateFailed, answer, aws_client, dms_client, every_page, task_by_arn

FULL_LOAD = "full-load"
FULL_LOAD_ONLY_FINISHED = "Stop Reason FULL_LOAD_ONLY_FINISHED"
TABLE_COMPLETED = "Table completed"
VALIDATED = "Validated"
# DescribeTableStatistics: "Default: 100 Constraints: Minimum 20, maximum 500."
TABLES_PER_PAGE = 500
# How many tables a reason names before it counts the rest (a CloudFormation reason is short).
TABLES_NAMED = 5
VALIDATION_GUIDE = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Validating.html"
# How long a direct question waits out throttling (the caller waits for the answer).
DIRECT_BOUND_SECONDS = 60


def cutover_handler(event, context):
    """Lambda entry point of the cutover gate: always answers CloudFormation; invoked directly, returns its verdict."""
    if "ResponseURL" not in event:
        return verdict(event, dms_client(), cloudwatch_client())
    answer(event, context, lambda deadline: check_cutover(event, dms_client(), cloudwatch_client(), deadline))


def verdict(event, dms, cloudwatch, clock=None, now=None):
    """The gate asked directly (`aws lambda invoke` with {"ResourceProperties": {...}}): would a rise to PercentToNew pass now?"""
    clock = clock or Clock()
    try:
        check_cutover({"RequestType": "Create", "ResourceProperties": event["ResourceProperties"]}, dms, cloudwatch,
                      deadline=clock.now() + DIRECT_BOUND_SECONDS, clock=clock, now=now)
    except GateFailed as refused:
        return {"Proven": False, "Reasons": str(refused)}
    return {"Proven": True, "Reasons": ""}


def cloudwatch_client():
    return aws_client("cloudwatch")


def percents(event):
    """(the share before this deploy, the share after it): a new resource starts from 0."""
    new = float(event["ResourceProperties"]["PercentToNew"])
    old = float(event.get("OldResourceProperties", {}).get("PercentToNew", 0)) if event["RequestType"] == "Update" else 0.0
    return old, new


def check_cutover(event, dms, cloudwatch, deadline, clock=None, now=None):
    """Passes a share that does not rise; otherwise raises GateFailed naming every reason the replication is not proven."""
    clock = clock or Clock()
    old, new = percents(event)
    if new <= old:
        return  # going back, or staying: never blocked
    props = event["ResourceProperties"]
    arn = props["ReplicationTaskArn"]
    reasons = task_reasons(props, retried(clock, deadline, lambda: task_by_arn(dms, arn), f"DMS did not describe task {arn}"))
    tables = retried(clock, deadline, lambda: table_statistics(dms, arn), f"DMS did not give the table statistics of task {arn}")
    reasons += table_reasons(props, tables)
    if props.get("MaxCdcLatencySeconds") not in (None, ""):
        datapoints = retried(clock, deadline, lambda: latency_datapoints(cloudwatch, props, now or utc_now()),
                          "CloudWatch did not give the task's CDCLatencyTarget")
        reasons += latency_reasons(props, datapoints)
    if reasons:
        raise GateFailed(f"the share of traffic to the new side cannot rise from {old:g} % to {new:g} %: the replication "
                         f"({arn}) is not proven: " + "; ".join(reasons) + ". Nothing was changed; deploy again once these "
                         "hold, or lower percent_to_new, which is never blocked (README, \"Cutting over\")")


def table_statistics(dms, arn):
    """Every table's statistics, page by page."""
    return every_page(dms.describe_table_statistics, "TableStatistics", ReplicationTaskArn=arn, MaxRecords=TABLES_PER_PAGE)


def task_reasons(props, task):
    """Why the task itself is not done: its status and its full load."""
    if task is None:
        return [f"DMS has no task {props['ReplicationTaskArn']}"]
    status, stop_reason = task.get("Status"), task.get("StopReason", "")
    full_load_only = props["MigrationType"] == FULL_LOAD
    finished_load = full_load_only and status == "stopped" and stop_reason == FULL_LOAD_ONLY_FINISHED
    reasons = []
    if status != "running" and not finished_load:
        wanted = "running, or stopped with " + FULL_LOAD_ONLY_FINISHED if full_load_only else "running"
        failure = task.get("LastFailureMessage")
        reasons.append(f"the task is {status}{f' ({stop_reason})' if stop_reason else ''}{f': {failure}' if failure else ''}, "
                       f"not {wanted}")
    if props["MigrationType"] != "cdc":
        stats = task.get("ReplicationTaskStats", {})
        progress = stats.get("FullLoadProgressPercent", 0)
        if progress < 100:
            reasons.append(f"the full load is at {progress} %")
        busy = [f"{plural(stats[key], 'table')} {words}" for key, words in (("TablesLoading", "loading"), ("TablesQueued", "queued"))
                if stats.get(key, 0) > 0]
        if busy:
            reasons.append(", ".join(busy))
    errored = task.get("ReplicationTaskStats", {}).get("TablesErrored", 0)
    if errored > 0:
        reasons.append(f"DMS counts {plural(errored, 'error')} in the task (TablesErrored)")
    return reasons


def table_reasons(props, tables):
    """Why the tables are not done: not loaded, in error, or not validated."""
    if not tables:
        return ["DMS reports no table for the task, so nothing was loaded or validated yet"]
    name = lambda t: f"{t.get('SchemaName')}.{t.get('TableName')}"  # noqa: E731
    reasons = []
    not_loaded = [f"{name(t)} ({t.get('TableState')})" for t in tables if t.get("TableState") != TABLE_COMPLETED]
    if not_loaded:
        reasons.append(f"{counted(not_loaded, 'table')} not \"{TABLE_COMPLETED}\": {named(not_loaded)}")
    if str(props.get("Validation", "true")).lower() == "true":
        unproven = []
        for t in tables:
            counts = [f"{t.get(key, 0)} {words}" for key, words in (("ValidationFailedRecords", "failed"),
                      ("ValidationSuspendedRecords", "suspended"), ("ValidationPendingRecords", "pending")) if t.get(key, 0) > 0]
            if t.get("ValidationState") != VALIDATED or counts:
                detail = t.get("ValidationStateDetails")
                unproven.append(f"{name(t)} ({t.get('ValidationState')}{', ' + ', '.join(counts) if counts else ''}"
                                f"{': ' + detail if detail else ''})")
        if unproven:
            reasons.append(f"{counted(unproven, 'table')} not validated: {named(unproven)} (failed and suspended records are in "
                           f"awsdms_validation_failures_v1 in the target's control schema; a table without a primary key or "
                           f"unique index cannot be validated: {VALIDATION_GUIDE})")
    return reasons


def counted(items, noun):
    return plural(len(items), noun)


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def named(items):
    shown = ", ".join(items[:TABLES_NAMED])
    return shown + (f" and {len(items) - TABLES_NAMED} more" if len(items) > TABLES_NAMED else "")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def latency_dimensions(props):
    """DMS's task-metric dimensions, as the construct derives them for its alarms too: the instance's identifier, and the
    last part of the task's ARN (PostgresReplication's task metric dimensions, resolved by CloudFormation)."""
    return [{"Name": "ReplicationInstanceIdentifier", "Value": props["ReplicationInstanceIdentifier"]},
            {"Name": "ReplicationTaskIdentifier", "Value": props["ReplicationTaskIdentifier"]}]


def latency_datapoints(cloudwatch, props, now):
    """The per-minute maxima of CDCLatencyTarget over the window."""
    minutes = int(props.get("LatencyWindowMinutes", 10))
    return cloudwatch.get_metric_statistics(
        Namespace="AWS/DMS", MetricName="CDCLatencyTarget", Dimensions=latency_dimensions(props),
        StartTime=now - datetime.timedelta(minutes=minutes), EndTime=now, Period=60, Statistics=["Maximum"])["Datapoints"]


def latency_reasons(props, datapoints):
    """Why CDC latency is not proven: no datapoint, or one at the bound or over it."""
    bound = float(props["MaxCdcLatencySeconds"])
    minutes = int(props.get("LatencyWindowMinutes", 10))
    dimensions = ", ".join(f"{d['Name']}={d['Value']}" for d in latency_dimensions(props))
    if not datapoints:
        return [f"CloudWatch has no CDCLatencyTarget datapoint for the task in the last {minutes} minutes (AWS/DMS, {dimensions}), "
                "so its latency is not proven: CDC has not started, or the task does not run"]
    worst = max(point["Maximum"] for point in datapoints)
    if worst >= bound:
        return [f"CDC latency at the target reached {worst:g} s in the last {minutes} minutes, and the bound "
                f"(max_cdc_latency) is {bound:g} s"]
    return []
