"""The first step of retiring a replication (assets/deploy-gates/retire.py): the task stopped before CloudFormation deletes it.

Where AWS stands: botocore's Stubber on a real boto3 DMS client checks each call and response against
the DMS API model; the statuses are those the model lists for a task ("running", "stopping",
"stopped", ...). No account produced them.
"""
import boto3
import pytest
from botocore.stub import Stubber

from handlers import GATES, FakeClock, gate_module

retire = gate_module("retire")

TASK = "arn:aws:dms:eu-west-1:123456789012:task:K55IUCGBASJS5VHZJIINA45FII"
FILTER = {"Filters": [{"Name": "replication-task-arn", "Values": [TASK]}], "WithoutSettings": True}


def stubbed():
    client = boto3.client("dms", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def status(stubber, value):
    stubber.add_response("describe_replication_tasks", {"ReplicationTasks": [
        {"ReplicationTaskArn": TASK, "Status": value, "MigrationType": "full-load-and-cdc"}]}, FILTER)


def stop(client, stubber, clock=None):
    with stubber:
        retire.stop_task({"RequestType": "Delete", "ResourceProperties": {"ReplicationTaskArn": TASK}}, client, deadline=600,
                         clock=clock or FakeClock())
    stubber.assert_no_pending_responses()


def test_a_running_task_is_stopped_and_waited_for():
    client, stubber = stubbed()
    status(stubber, "running")
    stubber.add_response("stop_replication_task", {"ReplicationTask": {"ReplicationTaskArn": TASK, "Status": "stopping"}},
                         {"ReplicationTaskArn": TASK})
    status(stubber, "stopping")
    status(stubber, "stopped")
    clock = FakeClock()
    stop(client, stubber, clock)
    assert clock.slept == 2


@pytest.mark.parametrize("state", ["stopped", "failed", "ready", "deleting"])
def test_a_task_that_may_be_deleted_is_left_as_it_is(state):
    client, stubber = stubbed()
    status(stubber, state)
    stop(client, stubber)


def test_a_task_dms_does_not_know_any_more_is_nothing_to_stop():
    client, stubber = stubbed()
    stubber.add_client_error("describe_replication_tasks", "ResourceNotFoundFault", "No task found", expected_params=FILTER)
    stop(client, stubber)


def test_a_task_that_is_still_starting_is_waited_for_then_stopped_and_throttling_waited_out():
    client, stubber = stubbed()
    status(stubber, "starting")
    stubber.add_client_error("describe_replication_tasks", "ThrottlingException", "Rate exceeded")
    status(stubber, "running")
    stubber.add_response("stop_replication_task", {"ReplicationTask": {"ReplicationTaskArn": TASK}}, {"ReplicationTaskArn": TASK})
    status(stubber, "stopped")
    stop(client, stubber)


def test_a_task_that_never_stops_fails_the_delete_at_the_bound_with_what_to_do():
    client, stubber = stubbed()
    status(stubber, "running")
    stubber.add_response("stop_replication_task", {"ReplicationTask": {"ReplicationTaskArn": TASK}}, {"ReplicationTaskArn": TASK})
    for _ in range(600 // GATES.POLL_SECONDS):
        status(stubber, "stopping")
    with pytest.raises(GATES.GateFailed, match=r"task .* is still stopping at the bound, and DMS deletes no running task: stop it "
                                               r"\(aws dms stop-replication-task\) and delete the stack again"):
        stop(client, stubber)


def test_only_a_delete_stops_and_each_request_is_answered(monkeypatch):
    answered = []
    monkeypatch.setattr(GATES, "send_response", lambda event, status, reason, physical_id: answered.append((event["RequestType"], status)))
    client, stubber = stubbed()
    monkeypatch.setattr(retire, "dms_client", lambda: client)
    status(stubber, "stopped")  # the one read: the delete's
    with stubber:
        for request in ("Create", "Update", "Delete"):
            retire.stop_handler({"RequestType": request, "LogicalResourceId": "Stop", "PhysicalResourceId": "gate-Stop",
                                 "ResourceProperties": {"ReplicationTaskArn": TASK, "TimeoutSeconds": "600"}}, None)
    stubber.assert_no_pending_responses()
    # answer() sees the delete as an update, so that it runs its work; CloudFormation gets the delete's own ids
    assert answered == [("Create", "SUCCESS"), ("Update", "SUCCESS"), ("Update", "SUCCESS")]
