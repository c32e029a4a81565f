"""After a rotation, the running task stops and resumes (assets/deploy-gates/rotation_restart.py).

Where AWS stands: DMS is a real boto3 client whose calls botocore's Stubber answers, checking each
request and response against DMS's API model (moto's DMS does not move a task through stopping and
starting); the events are EventBridge's, shaped as CloudTrail delivers Secrets Manager's
RotationSucceeded (the secret's ARN in detail.additionalEventData.SecretId). The clock does not sleep.
"""
import datetime

import boto3
import pytest
from botocore.stub import Stubber

from handlers import FakeClock, gate_module

restart = gate_module("rotation_restart")

REGION = "eu-west-1"
TASK_ARN = f"arn:aws:dms:{REGION}:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECRET = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:dms_reader-AbCdEf"
MONDAY = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.timezone.utc)
TUESDAY = datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.timezone.utc)
ROTATED = {"version": "0", "source": "aws.secretsmanager", "detail-type": "AWS Service Event via CloudTrail",
           "detail": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "RotationSucceeded",
                      "eventType": "AwsServiceEvent", "additionalEventData": {"SecretId": SECRET}}}


def task(status, started=MONDAY, **fields):
    return {"ReplicationTaskIdentifier": "payments-replication", "ReplicationTaskArn": TASK_ARN, "Status": status,
            "ReplicationTaskStats": {"StartDate": started}, **fields}


@pytest.fixture
def dms():
    client = boto3.client("dms", region_name=REGION)
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


def describe(dms, *states):
    for state in states:
        dms.stub.add_response("describe_replication_tasks", {"ReplicationTasks": [state]},
                              {"Filters": [{"Name": "replication-task-arn", "Values": [TASK_ARN]}], "WithoutSettings": True})


def test_a_rotation_stops_the_running_task_and_resumes_it_from_where_it_stopped(dms):
    describe(dms, task("running"), task("running"))
    dms.stub.add_response("stop_replication_task", {"ReplicationTask": task("stopping")}, {"ReplicationTaskArn": TASK_ARN})
    stopped = task("stopped", StopReason="Stop Reason NORMAL")
    describe(dms, task("stopping"), stopped, stopped)
    dms.stub.add_response("start_replication_task", {"ReplicationTask": task("starting")},
                          {"ReplicationTaskArn": TASK_ARN, "StartReplicationTaskType": "resume-processing"})
    describe(dms, task("starting"), task("running", started=TUESDAY))
    told = []
    assert restart.restart_after_rotation(ROTATED, dms, TASK_ARN, FakeClock(), 870, notify=told.append) == "restarted"
    assert told == []


@pytest.mark.parametrize("status", ["ready", "stopped", "starting", "modifying", "failed"])
def test_a_rotation_leaves_a_task_that_is_not_running_as_it_is(dms, status):
    # ready: the first deploy's rotation, before the task starts; stopped: a deploy or an operator stopped it
    describe(dms, task(status))
    assert restart.restart_after_rotation(ROTATED, dms, TASK_ARN, FakeClock(), 870) == "left"  # no stop, no start


def test_a_task_that_does_not_run_again_is_told_and_raised(dms):
    describe(dms, task("running"), task("running"))
    dms.stub.add_response("stop_replication_task", {"ReplicationTask": task("stopping")}, {"ReplicationTaskArn": TASK_ARN})
    describe(dms, task("stopped", StopReason="Stop Reason NORMAL"), task("stopped", StopReason="Stop Reason NORMAL"))
    dms.stub.add_response("start_replication_task", {"ReplicationTask": task("starting")},
                          {"ReplicationTaskArn": TASK_ARN, "StartReplicationTaskType": "resume-processing"})
    describe(dms, task("failed", started=TUESDAY, StopReason="Stop Reason FATAL_ERROR",
                       LastFailureMessage="password authentication failed for user \"dms_reader\""))
    told = []
    with pytest.raises(restart.GateFailed) as raised:
        restart.restart_after_rotation(ROTATED, dms, TASK_ARN, FakeClock(), 870, notify=told.append)
    message = str(raised.value)
    assert f"After the rotation of secret {SECRET}, DMS task {TASK_ARN} was stopped to log in again and did not run again" in message
    assert "password authentication failed" in message and "--start-replication-task-type resume-processing" in message
    assert told == [message]


def test_throttling_is_waited_out_and_a_task_stuck_stopping_fails_at_the_bound(dms):
    dms.stub.add_client_error("describe_replication_tasks", service_error_code="ThrottlingException", service_message="Rate exceeded")
    describe(dms, task("running"), task("running"))
    dms.stub.add_response("stop_replication_task", {"ReplicationTask": task("stopping")}, {"ReplicationTaskArn": TASK_ARN})
    describe(dms, *[task("stopping")] * 3)  # at 30, 45 and 60 s of 60
    with pytest.raises(restart.GateFailed, match=r"did not run again: it was still stopping when the function's bound was reached"):
        restart.restart_after_rotation(ROTATED, dms, TASK_ARN, FakeClock(), 60, notify=lambda m: None)


def test_another_event_does_nothing(dms):
    other = {**ROTATED, "detail": {**ROTATED["detail"], "eventName": "RotationFailed"}}
    assert restart.restart_after_rotation(other, dms, TASK_ARN, FakeClock(), 870) == "ignored"
