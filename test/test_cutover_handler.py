"""The cutover gate's handler (assets/deploy-gates/cutover.py), against botocore's Stubber for DMS and CloudWatch.

Where AWS stands: botocore's Stubber on real boto3 clients checks every call the handler makes, and
every response the test feeds it, against the services' API models (DMS 2016-01-01, CloudWatch
2010-08-01). The responses are what DMS and CloudWatch return in the states a migration passes
through: a table still loading, a table in error, validation pending, failed and suspended records,
latency over the bound, no datapoints, throttling, and all clear. Their shapes follow the API
model and the examples of DMS's guide (CHAP_Validating, CHAP_Monitoring); no account produced them.
"""
import datetime

import boto3
import pytest
from botocore.stub import Stubber

from handlers import GATES, FakeClock, gate_module

cutover = gate_module("cutover")
GateFailed = cutover.GateFailed

REGION = "eu-west-1"
TASK = f"arn:aws:dms:{REGION}:123456789012:task:K55IUCGBASJS5VHZJIINA45FII"
INSTANCE = "paymentmigration-replication"
NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.timezone.utc)


def event(percent=50, old=None, migration_type="full-load-and-cdc", validation=True, bound="60"):
    """CloudFormation's event as it arrives: every property a string."""
    props = {"ReplicationTaskArn": TASK, "MigrationType": migration_type, "ReplicationInstanceIdentifier": INSTANCE,
             "ReplicationTaskIdentifier": TASK.rsplit(":", 1)[-1],
             "Validation": str(validation).lower(), "LatencyWindowMinutes": "10", "PercentToNew": str(percent),
             "TimeoutSeconds": "600"}
    if bound is not None:
        props["MaxCdcLatencySeconds"] = bound
    body = {"RequestType": "Create" if old is None else "Update", "ResourceProperties": props}
    if old is not None:
        body["OldResourceProperties"] = {**props, "PercentToNew": str(old)}
    return body


def task(status="running", progress=100, loading=0, queued=0, errored=0, stop_reason=None, failure=None):
    found = {"ReplicationTaskArn": TASK, "ReplicationTaskIdentifier": "paymentmigration-replication-task",
             "MigrationType": "full-load-and-cdc", "Status": status,
             "ReplicationTaskStats": {"FullLoadProgressPercent": progress, "TablesLoaded": 2, "TablesLoading": loading,
                                      "TablesQueued": queued, "TablesErrored": errored}}
    if stop_reason:
        found["StopReason"] = stop_reason
    if failure:
        found["LastFailureMessage"] = failure
    return found


def table(name, state="Table completed", validation="Validated", failed=0, suspended=0, pending=0, details=None):
    stats = {"SchemaName": "payments", "TableName": name, "TableState": state, "FullLoadRows": 1000, "Inserts": 3,
             "ValidationState": validation, "ValidationFailedRecords": failed, "ValidationSuspendedRecords": suspended,
             "ValidationPendingRecords": pending}
    if details:
        stats["ValidationStateDetails"] = details
    return stats


def latency(*maxima):
    return [{"Timestamp": NOW - datetime.timedelta(minutes=i + 1), "Maximum": float(m), "Unit": "Seconds"}
            for i, m in enumerate(maxima)]


class Aws:
    """DMS and CloudWatch clients with their Stubbers, and the calls the gate is expected to make."""

    def __init__(self):
        credentials = {"region_name": REGION, "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        self.dms, self.cloudwatch = boto3.client("dms", **credentials), boto3.client("cloudwatch", **credentials)
        self.dms_stub, self.cloudwatch_stub = Stubber(self.dms), Stubber(self.cloudwatch)

    def describe(self, found):
        self.dms_stub.add_response("describe_replication_tasks", {"ReplicationTasks": [found]}, {
            "Filters": [{"Name": "replication-task-arn", "Values": [TASK]}], "WithoutSettings": True})

    def tables(self, *tables, marker=None, after=None):
        expected = {"ReplicationTaskArn": TASK, "MaxRecords": 500, **({"Marker": after} if after else {})}
        self.dms_stub.add_response("describe_table_statistics", {
            "ReplicationTaskArn": TASK, "TableStatistics": list(tables), **({"Marker": marker} if marker else {})}, expected)

    def latency(self, datapoints):
        self.cloudwatch_stub.add_response("get_metric_statistics", {"Label": "CDCLatencyTarget", "Datapoints": datapoints}, {
            "Namespace": "AWS/DMS", "MetricName": "CDCLatencyTarget",
            "Dimensions": [{"Name": "ReplicationInstanceIdentifier", "Value": INSTANCE},
                           {"Name": "ReplicationTaskIdentifier", "Value": "K55IUCGBASJS5VHZJIINA45FII"}],
            "StartTime": NOW - datetime.timedelta(minutes=10), "EndTime": NOW, "Period": 60, "Statistics": ["Maximum"]})

    def check(self, body, clock=None):
        with self.dms_stub, self.cloudwatch_stub:
            cutover.check_cutover(body, self.dms, self.cloudwatch, deadline=600, clock=clock or FakeClock(), now=NOW)
        self.dms_stub.assert_no_pending_responses()
        self.cloudwatch_stub.assert_no_pending_responses()

    def refused(self, body):
        with pytest.raises(GateFailed) as failed:
            self.check(body)
        return str(failed.value)


def test_all_clear_lets_the_share_rise():
    # GIVEN a task that runs CDC, every table loaded and validated, latency under a minute for ten minutes
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger"), table("refunds"))
    aws.latency(latency(2, 3, 1, 0, 4, 2, 1, 1, 0, 2))
    # WHEN the share rises from 10 to 50 THEN the gate passes
    aws.check(event(percent=50, old=10))


def test_a_table_still_loading_is_named_with_the_full_load_progress():
    aws = Aws()
    aws.describe(task(progress=62, loading=1))
    aws.tables(table("ledger"), table("refunds", state="Full load", validation="Pending validation"))
    aws.latency([])
    message = aws.refused(event())
    assert message.startswith(f"the share of traffic to the new side cannot rise from 0 % to 50 %: the replication ({TASK}) "
                              "is not proven: the full load is at 62 %; 1 table loading; 1 table not \"Table completed\": "
                              "payments.refunds (Full load); 1 table not validated: payments.refunds (Pending validation)")
    # during the full load there is no CDC latency yet: that is no proof either, and it is said
    assert "CloudWatch has no CDCLatencyTarget datapoint for the task in the last 10 minutes (AWS/DMS, " \
           f"ReplicationInstanceIdentifier={INSTANCE}, ReplicationTaskIdentifier=K55IUCGBASJS5VHZJIINA45FII)" in message
    assert message.endswith("Nothing was changed; deploy again once these hold, or lower percent_to_new, which is never "
                            "blocked (README, \"Cutting over\")")


def test_a_table_in_error_and_a_failed_task_are_named():
    aws = Aws()
    aws.describe(task(status="failed", errored=1, stop_reason="Stop Reason FATAL_ERROR",
                      failure="Error executing source loop; Stream component failed at subtask 0"))
    aws.tables(table("ledger"), table("refunds", state="Table error", validation="Table error"))
    aws.latency(latency(1))
    message = aws.refused(event())
    assert "the task is failed (Stop Reason FATAL_ERROR): Error executing source loop; Stream component failed at subtask 0, " \
           "not running" in message
    assert "DMS counts 1 error in the task (TablesErrored)" in message
    assert "payments.refunds (Table error)" in message


@pytest.mark.parametrize("stats, named", [
    (table("ledger", validation="Pending records", pending=120), "payments.ledger (Pending records, 120 pending)"),
    (table("ledger", validation="Mismatched records", failed=3), "payments.ledger (Mismatched records, 3 failed)"),
    (table("ledger", validation="Suspended records", suspended=2, details="Record suspended: busy row"),
     "payments.ledger (Suspended records, 2 suspended: Record suspended: busy row)"),
    (table("ledger", validation="No primary key"), "payments.ledger (No primary key)"),
    # "Validated" with a count left is not taken at its word
    (table("ledger", validation="Validated", failed=1), "payments.ledger (Validated, 1 failed)"),
])
def test_validation_not_finished_or_not_clean_is_refused(stats, named):
    aws = Aws()
    aws.describe(task())
    aws.tables(table("refunds"), stats)
    aws.latency(latency(1, 2))
    message = aws.refused(event())
    assert f"1 table not validated: {named} (failed and suspended records are in awsdms_validation_failures_v1" in message
    assert "a table without a primary key or unique index cannot be validated" in message
    assert "refunds" not in message  # a validated table is not named


def test_latency_at_or_over_the_bound_is_refused_with_the_worst_minute():
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger"))
    aws.latency(latency(12, 75, 3))
    message = aws.refused(event(bound="60"))
    assert message.endswith("is not proven: CDC latency at the target reached 75 s in the last 10 minutes, and the bound "
                            "(max_cdc_latency) is 60 s. Nothing was changed; deploy again once these hold, or lower "
                            "percent_to_new, which is never blocked (README, \"Cutting over\")")


def test_no_datapoints_is_no_proof():
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger"))
    aws.latency([])
    assert "so its latency is not proven: CDC has not started, or the task does not run" in aws.refused(event())


def test_going_back_or_staying_is_never_blocked_and_reads_nothing():
    # No response is stubbed: any call to DMS or CloudWatch would fail the test.
    aws = Aws()
    aws.check(event(percent=10, old=50))
    aws.check(event(percent=50, old=50))
    aws.check(event(percent=0))  # a new gate at 0 %: nothing moves


def test_a_full_load_task_stopped_after_its_load_passes_and_has_no_latency_to_read():
    aws = Aws()
    aws.describe(task(status="stopped", stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED"))
    aws.tables(table("ledger"))
    aws.check(event(migration_type="full-load", bound=None))
    # the same stop for a task with CDC is not a finished migration
    aws = Aws()
    aws.describe(task(status="stopped", stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED"))
    aws.tables(table("ledger"))
    aws.latency(latency(1))
    assert "the task is stopped (Stop Reason FULL_LOAD_ONLY_FINISHED), not running" in aws.refused(event())


def test_an_unvalidated_cutover_that_was_accepted_checks_everything_else():
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger", validation="Not enabled"))
    aws.latency(latency(1))
    aws.check(event(validation=False))


def test_every_page_of_tables_is_read():
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger"), marker="page-2")
    aws.tables(table("refunds", validation="Pending records", pending=1), after="page-2")
    aws.latency(latency(1))
    assert "payments.refunds (Pending records, 1 pending)" in aws.refused(event())


def test_a_task_dms_does_not_know_and_no_tables_are_refused():
    aws = Aws()
    aws.dms_stub.add_client_error("describe_replication_tasks", "ResourceNotFoundFault", "No task found")
    aws.tables()
    aws.latency([])
    message = aws.refused(event())
    assert f"DMS has no task {TASK}" in message
    assert "DMS reports no table for the task, so nothing was loaded or validated yet" in message


def test_throttling_is_waited_out_not_failed():
    aws = Aws()
    aws.dms_stub.add_client_error("describe_replication_tasks", "ThrottlingException", "Rate exceeded")
    aws.describe(task())
    aws.dms_stub.add_client_error("describe_table_statistics", "ThrottlingException", "Rate exceeded")
    aws.tables(table("ledger"))
    aws.cloudwatch_stub.add_client_error("get_metric_statistics", "Throttling", "Rate exceeded")
    aws.latency(latency(1))
    clock = FakeClock()
    aws.check(event(), clock=clock)
    assert clock.slept == 3


def test_throttling_that_lasts_past_the_bound_fails_at_the_bound():
    aws = Aws()
    for _ in range(600 // GATES.POLL_SECONDS + 1):
        aws.dms_stub.add_client_error("describe_replication_tasks", "ThrottlingException", "Rate exceeded")
    with pytest.raises(GateFailed, match=f"DMS did not describe task {TASK}: throttled until the gate's bound"):
        with aws.dms_stub:
            cutover.check_cutover(event(), aws.dms, aws.cloudwatch, deadline=600, clock=FakeClock(), now=NOW)


def test_a_denied_read_fails_at_once_with_its_code():
    aws = Aws()
    aws.dms_stub.add_client_error("describe_replication_tasks", "AccessDeniedFault", "not authorized")
    with pytest.raises(GateFailed, match=r"DMS did not describe task .* \(AccessDeniedFault: .*not authorized\)"):
        with aws.dms_stub:
            cutover.check_cutover(event(), aws.dms, aws.cloudwatch, deadline=600, clock=FakeClock(), now=NOW)


def test_many_tables_are_counted_not_all_named():
    aws = Aws()
    aws.describe(task())
    aws.tables(*[table(f"t{i}", validation="Pending records", pending=1) for i in range(8)])
    aws.latency(latency(1))
    assert "8 tables not validated: payments.t0 (Pending records, 1 pending), " in aws.refused(event())
    aws = Aws()
    aws.describe(task())
    aws.tables(*[table(f"t{i}", validation="Pending records", pending=1) for i in range(8)])
    aws.latency(latency(1))
    assert "payments.t4 (Pending records, 1 pending) and 3 more" in aws.refused(event())


def test_asked_directly_the_gate_gives_its_verdict_without_answering_cloudformation():
    aws = Aws()
    aws.describe(task(progress=40, loading=2))
    aws.tables(table("ledger", state="Full load", validation="Pending validation"))
    aws.latency([])
    with aws.dms_stub, aws.cloudwatch_stub:
        answer = cutover.verdict({"ResourceProperties": event()["ResourceProperties"]}, aws.dms, aws.cloudwatch, clock=FakeClock(), now=NOW)
    assert answer["Proven"] is False and "the full load is at 40 %; 2 tables loading" in answer["Reasons"]
    aws = Aws()
    aws.describe(task())
    aws.tables(table("ledger"))
    aws.latency(latency(1))
    with aws.dms_stub, aws.cloudwatch_stub:
        assert cutover.verdict({"ResourceProperties": event()["ResourceProperties"]}, aws.dms, aws.cloudwatch, clock=FakeClock(),
                               now=NOW) == {"Proven": True, "Reasons": ""}
