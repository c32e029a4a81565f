"""The task's life through deploys (assets/deploy-gates/task_life.py), against botocore's Stubber.

Where AWS stands: DMS and CloudFormation are real boto3 clients (eu-west-1) whose calls botocore's
Stubber answers, after checking each request and each response against the services' API models;
the answers are the states DMS documents for a task (Status, StopReason, LastFailureMessage,
ReplicationTaskStats.StartDate). moto implements DMS's task calls without the task's life (a started
task does not move through starting, running, stopping), so it cannot stand in here. CloudFormation's
own part (updating the task between the guard and the run, rolling back in reverse order) is played
by calling the handlers in the order CloudFormation calls them, with the events it sends; the
Provider framework's part (calling is_complete again while it answers false) by calling is_complete
again.
"""
import datetime

import boto3
import pytest
from botocore.stub import Stubber

from handlers import gate_module

life = gate_module("task_life")
GateFailed = life.GateFailed

REGION = "eu-west-1"
STACK = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Payments/1234abcd"
TASK = "payments-replication"
TASK_ARN = f"arn:aws:dms:{REGION}:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OLD_TASK_ARN = f"arn:aws:dms:{REGION}:123456789012:task:OLDOLDOLDOLDOLDOLDOLD"
INSTANCE = f"arn:aws:dms:{REGION}:123456789012:rep:INSTANCE"
SOURCE, TARGET = (f"arn:aws:dms:{REGION}:123456789012:endpoint:{n}" for n in ("SOURCE", "TARGET"))
NOW = 1_000_000.0
MONDAY = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.timezone.utc)
TUESDAY = datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.timezone.utc)


def task(status, started=None, identifier=TASK, arn=TASK_ARN, **fields):
    """A task as DescribeReplicationTasks returns it (WithoutSettings)."""
    found = {"ReplicationTaskIdentifier": identifier, "ReplicationTaskArn": arn, "Status": status,
             "MigrationType": fields.pop("migration_type", "full-load-and-cdc")}
    if started:
        found["ReplicationTaskStats"] = {"StartDate": started, "FullLoadProgressPercent": 100}
    found.update(fields)
    return found


class Dms:
    """A Stubber on a real DMS client: each call is checked against DMS's API model."""

    def __init__(self):
        self.client = boto3.client("dms", region_name=REGION)
        self.stub = Stubber(self.client)
        self.stub.activate()

    def describe(self, *tasks, identifier=TASK):
        self.stub.add_response("describe_replication_tasks", {"ReplicationTasks": list(tasks)},
                               {"Filters": [{"Name": "replication-task-id", "Values": [identifier]}], "WithoutSettings": True})

    def start(self, kind, arn=TASK_ARN, started=None):
        self.stub.add_response("start_replication_task", {"ReplicationTask": task("starting", started)},
                               {"ReplicationTaskArn": arn, "StartReplicationTaskType": kind})

    def stop(self, arn=TASK_ARN):
        self.stub.add_response("stop_replication_task", {"ReplicationTask": task("stopping")}, {"ReplicationTaskArn": arn})

    def error(self, operation, code, message="", params=None):
        self.stub.add_client_error(operation, service_error_code=code, service_message=message, expected_params=params)

    def done(self):
        self.stub.assert_no_pending_responses()


class Stack:
    """CloudFormation's DescribeStacks on the stack's own ARN, stubbed with the status of the operation under way."""

    def __init__(self, *statuses):
        self.client = boto3.client("cloudformation", region_name=REGION)
        self.stub = Stubber(self.client)
        for status in statuses:
            self.stub.add_response("describe_stacks", {"Stacks": [
                {"StackName": "Payments", "CreationTime": MONDAY, "StackStatus": status}]}, {"StackName": STACK})
        self.stub.activate()


def guard_props(**changes):
    props = {"TaskIdentifier": TASK, "ModifiableHash": "h1", "MigrationType": "full-load-and-cdc",
             "ReplicationInstanceArn": INSTANCE, "SourceEndpointArn": SOURCE, "TargetEndpointArn": TARGET,
             "ResourceIdentifier": "", "StopForUpdates": "true", "TimeoutSeconds": "1800"}
    props.update(changes)
    return props


def run_props(**changes):
    props = {"TaskIdentifier": TASK, "TaskArn": TASK_ARN, "MigrationType": "full-load-and-cdc", "StartTask": "true",
             "StoppedBy": f"guard:{TASK}", "ModifiableHash": "h1", "TimeoutSeconds": "1800"}
    props.update(changes)
    return props


def event(kind, request, props, old=None, physical_id=None, request_id="7f3c2a10-aaaa-bbbb-cccc-000000000000"):
    found = {"RequestType": request, "ResourceType": kind, "ResourceProperties": props, "StackId": STACK,
             "RequestId": request_id, "LogicalResourceId": "Resource"}
    if old is not None:
        found["OldResourceProperties"] = old
    if physical_id is not None:
        found["PhysicalResourceId"] = physical_id
    return found


def complete(response, dms, now=NOW + 60):
    """The framework's next isComplete call: the onEvent answer merged into the event."""
    return life.is_complete({**response}, None, dms=dms.client, now=now)["IsComplete"]


# --- the first deploy --------------------------------------------------------------------------------


def test_the_first_deploy_starts_a_task_that_never_ran_and_waits_until_it_runs():
    dms = Dms()
    dms.describe(task("ready"))                      # on_event: what the task needs
    dms.describe(task("ready"))                      # converge: DMS allows a start now
    dms.start("start-replication")
    response = life.on_event(event(life.RUN, "Create", run_props()), None, dms=dms.client, now=NOW)
    assert response["PhysicalResourceId"] == f"run:{TASK}" and response["Plan"]["Do"] == "start"
    dms.describe(task("starting"))
    assert complete(response, dms) is False
    dms.describe(task("running", started=TUESDAY))
    assert complete(response, dms) is True
    dms.done()


def test_a_start_that_fails_fails_the_deploy_with_dms_reason():
    dms = Dms()
    dms.describe(task("ready"))
    dms.describe(task("ready"))
    dms.start("start-replication")
    response = life.on_event(event(life.RUN, "Create", run_props()), None, dms=dms.client, now=NOW)
    dms.describe(task("failed", started=TUESDAY, StopReason="Stop Reason FATAL_ERROR",
                      LastFailureMessage="Failed to create replication slot: permission denied for database payments"))
    with pytest.raises(GateFailed, match=r"DMS task payments-replication failed after it was started: status failed; Stop Reason "
                                         r"FATAL_ERROR; DMS says: Failed to create replication slot: permission denied"):
        complete(response, dms)
    dms.done()


def test_a_full_load_task_that_finished_its_load_has_started():
    dms = Dms()
    ready = task("ready", migration_type="full-load")
    dms.describe(ready)
    dms.describe(ready)
    dms.start("start-replication")
    response = life.on_event(event(life.RUN, "Create", run_props(MigrationType="full-load")), None, dms=dms.client, now=NOW)
    dms.describe(task("stopped", started=TUESDAY, migration_type="full-load", StopReason="Stop Reason FULL_LOAD_ONLY_FINISHED"))
    assert complete(response, dms) is True
    dms.done()


def test_a_task_that_has_run_is_never_started_again_by_a_deploy():
    # a task stopped by someone else, found by a new run resource: not started, not resumed
    dms = Dms()
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    response = life.on_event(event(life.RUN, "Create", run_props()), None, dms=dms.client, now=NOW)
    assert "Plan" not in response
    dms.done()
    # and a plan to start finds it has run meanwhile: the deploy fails rather than load everything again
    dms = Dms()
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    with pytest.raises(GateFailed, match=r"has run before .* never starts a task's full load again"):
        life.converge(dms.client, {"Do": "start", "Task": TASK, "Before": str(MONDAY), "Deadline": NOW + 600}, NOW)
    dms.done()


def test_throttling_is_waited_out_and_the_bound_fails_with_the_task_state():
    dms = Dms()
    plan = {"Do": "start", "Task": TASK, "Before": "", "Deadline": NOW + 600, "MigrationType": "full-load-and-cdc"}
    dms.error("describe_replication_tasks", "ThrottlingException", "Rate exceeded")
    assert life.is_complete({"Plan": plan}, None, dms=dms.client, now=NOW)["IsComplete"] is False
    dms.describe(task("running", started=TUESDAY))
    assert life.is_complete({"Plan": plan}, None, dms=dms.client, now=NOW + 30)["IsComplete"] is True
    dms.describe(task("starting"))
    with pytest.raises(GateFailed, match=r"was not running within the deploy's bound: status starting"):
        life.is_complete({"Plan": plan}, None, dms=dms.client, now=NOW + 601)
    dms.done()


# --- an update around a running task -------------------------------------------------------------------


def test_an_update_stops_the_running_task_and_resumes_it_once_cloudformation_modified_it():
    # GIVEN a running task and a deploy that changes its settings (a new ModifiableHash)
    dms, stack = Dms(), Stack("UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")
    update = event(life.GUARD, "Update", guard_props(ModifiableHash="h2"), old=guard_props(), physical_id=f"guard:{TASK}")
    dms.describe(task("running", started=MONDAY))
    dms.describe(task("running", started=MONDAY))
    dms.stop()
    # WHEN the guard runs (before CloudFormation modifies the task)
    stop = life.on_event(update, None, dms=dms.client, cloudformation=stack.client, now=NOW)
    # THEN it stopped the task, says so in its physical id, and waits until it is stopped
    assert stop["PhysicalResourceId"] == f"guard:{TASK}:stopped:{TASK}:7f3c2a10"
    dms.describe(task("stopping", started=MONDAY))
    assert complete(stop, dms) is False
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    assert complete(stop, dms) is True
    # (CloudFormation's ModifyReplicationTask on the stopped task happens here)
    # WHEN the run resource is updated after the task, with the guard's new physical id
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    dms.start("resume-processing")
    resume = life.on_event(event(life.RUN, "Update", run_props(StoppedBy=stop["PhysicalResourceId"], ModifiableHash="h2"),
                                 old=run_props(), physical_id=f"run:{TASK}"), None, dms=dms.client, cloudformation=stack.client, now=NOW)
    # THEN it resumed it from where it stopped (never start-replication) and waits until it runs
    assert resume["Plan"]["Do"] == "resume"
    dms.describe(task("running", started=TUESDAY))
    assert complete(resume, dms) is True
    dms.done()


def test_an_update_that_changes_nothing_the_task_is_modified_with_leaves_it_running():
    dms, stack = Dms(), Stack("UPDATE_IN_PROGRESS")
    response = life.on_event(event(life.GUARD, "Update", guard_props(TimeoutSeconds="2400"), old=guard_props(),
                                   physical_id=f"guard:{TASK}"), None, dms=dms.client, cloudformation=stack.client, now=NOW)
    assert response == {"PhysicalResourceId": f"guard:{TASK}"}  # no DMS call at all
    dms.done()


def test_a_resume_that_fails_fails_the_deploy_with_dms_reason():
    dms = Dms()
    plan = {"Do": "resume", "Task": TASK, "Before": str(MONDAY), "Deadline": NOW + 600, "MigrationType": "full-load-and-cdc"}
    dms.describe(task("failed", started=TUESDAY, StopReason="Stop Reason FATAL_ERROR",
                      LastFailureMessage="Invalid value for ControlSchema"))
    with pytest.raises(GateFailed, match=r"failed after it was resumed: .*DMS says: Invalid value for ControlSchema"):
        life.is_complete({"Plan": plan}, None, dms=dms.client, now=NOW)
    dms.done()


# --- a replacement ------------------------------------------------------------------------------------


def test_a_deploy_that_would_replace_a_task_that_has_run_is_refused_naming_what_changed():
    dms, stack = Dms(), Stack("UPDATE_IN_PROGRESS")
    new_source = f"arn:aws:dms:{REGION}:123456789012:endpoint:NEWSOURCE"
    dms.describe(task("running", started=MONDAY))
    with pytest.raises(GateFailed) as refused:
        life.on_event(event(life.GUARD, "Update", guard_props(SourceEndpointArn=new_source, ModifiableHash="h2"), old=guard_props(),
                            physical_id=f"guard:{TASK}"), None, dms=dms.client, cloudformation=stack.client, now=NOW)
    message = str(refused.value)
    assert f"This deploy would replace DMS task {TASK}: SourceEndpointArn changes from {SOURCE} to {new_source}" in message
    assert "It has run (status running): a replacement is a new task whose full load starts again, into target tables that " \
           "already hold the rows" in message
    assert "Nothing has been replaced" in message and "set restart_full_load_as (restartFullLoadAs)" in message
    dms.done()  # and nothing was stopped


def test_a_migration_type_change_is_refused_as_dms_cannot_make_it():
    dms, stack = Dms(), Stack("UPDATE_IN_PROGRESS")
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    with pytest.raises(GateFailed, match=r"MigrationType changes from full-load-and-cdc to cdc, which DMS cannot change on a task "
                                         r"\(\"You can't change the migration type of a task\""):
        life.on_event(event(life.GUARD, "Update", guard_props(MigrationType="cdc"), old=guard_props(), physical_id=f"guard:{TASK}"),
                      None, dms=dms.client, cloudformation=stack.client, now=NOW)
    dms.done()


def test_a_new_task_stops_the_old_one_before_it_loads():
    # restart_full_load_as: a new identifier; the old task stops now and is deleted once the deploy succeeds
    dms, stack = Dms(), Stack("UPDATE_IN_PROGRESS")
    old = task("running", started=MONDAY)
    dms.describe(old)
    dms.describe(old)
    dms.stop()
    response = life.on_event(event(life.GUARD, "Update", guard_props(TaskIdentifier=f"{TASK}-2", SourceEndpointArn="other"),
                                   old=guard_props(), physical_id=f"guard:{TASK}"), None, dms=dms.client, cloudformation=stack.client, now=NOW)
    assert response["PhysicalResourceId"] == f"guard:{TASK}-2:stopped:{TASK}:7f3c2a10"
    dms.done()


# --- rollbacks ----------------------------------------------------------------------------------------


def test_when_the_update_fails_after_the_stop_the_rollback_resumes_the_task():
    # GIVEN the guard stopped the task and CloudFormation's ModifyReplicationTask failed: rolling back, CloudFormation
    # deletes the physical resource the failed update made, after putting the task's properties back
    dms, stack = Dms(), Stack("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stopped = task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL")
    dms.describe(stopped)
    dms.describe(stopped)
    dms.start("resume-processing")
    delete = event(life.GUARD, "Delete", guard_props(ModifiableHash="h2"), physical_id=f"guard:{TASK}:stopped:{TASK}:7f3c2a10")
    response = life.on_event(delete, None, dms=dms.client, cloudformation=stack.client, now=NOW)
    # THEN the task is resumed, and the rollback waits until it runs
    assert response["Plan"]["Do"] == "resume" and response["PhysicalResourceId"] == delete["PhysicalResourceId"]
    dms.describe(task("running", started=TUESDAY))
    assert complete(response, dms) is True
    dms.done()


def test_after_a_successful_update_the_old_guard_is_deleted_and_nothing_resumes():
    dms, stack = Dms(), Stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    response = life.on_event(event(life.GUARD, "Delete", guard_props(), physical_id=f"guard:{TASK}:stopped:{TASK}:0ld0ld0l"),
                             None, dms=dms.client, cloudformation=stack.client, now=NOW)
    assert "Plan" not in response
    dms.done()


def test_when_a_later_resource_fails_the_run_stops_the_resumed_task_so_cloudformation_can_modify_it_back():
    # GIVEN the deploy stopped, modified and resumed the task, and a resource after it failed: the run resource is
    # rolled back before the task (reverse order); its old properties are the failed deploy's
    dms, stack = Dms(), Stack("UPDATE_ROLLBACK_IN_PROGRESS")
    forward = run_props(StoppedBy=f"guard:{TASK}:stopped:{TASK}:7f3c2a10", ModifiableHash="h2")
    running = task("running", started=TUESDAY)
    dms.describe(running)
    dms.stop()
    response = life.on_event(event(life.RUN, "Update", run_props(), old=forward, physical_id=f"run:{TASK}"), None,
                             dms=dms.client, cloudformation=stack.client, now=NOW)
    # THEN it stops it (the guard's rollback then resumes it, as above)
    assert response["Plan"]["Do"] == "stop"
    dms.describe(task("stopped", started=TUESDAY, StopReason="Stop Reason NORMAL"))
    assert complete(response, dms) is True
    dms.done()


def test_the_guard_rolled_back_after_its_own_refusal_does_nothing():
    dms, stack = Dms(), Stack("UPDATE_ROLLBACK_IN_PROGRESS")
    response = life.on_event(event(life.GUARD, "Update", guard_props(), old=guard_props(SourceEndpointArn="new"),
                                   physical_id=f"guard:{TASK}"), None, dms=dms.client, cloudformation=stack.client, now=NOW)
    assert response == {"PhysicalResourceId": f"guard:{TASK}"}
    dms.done()


def test_before_the_stack_or_a_replaced_task_is_deleted_the_run_stops_the_task():
    dms, stack = Dms(), Stack("DELETE_IN_PROGRESS")
    running = task("running", started=MONDAY)
    dms.describe(running)
    dms.stop()
    response = life.on_event(event(life.RUN, "Delete", run_props(), physical_id=f"run:{TASK}"), None,
                             dms=dms.client, cloudformation=stack.client, now=NOW)
    dms.describe(task("stopped", started=MONDAY, StopReason="Stop Reason NORMAL"))
    assert complete(response, dms) is True
    dms.done()
