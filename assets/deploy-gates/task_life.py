"""A DMS task's life through deploys: started once, stopped and resumed around updates, never replaced unseen.

Two custom resources of aws-cdk-lib's Provider framework share these handlers: `on_event` decides what
the task needs and asks DMS for it, `is_complete` is asked every query interval until the task is
where it should be (each call converges: it acts when DMS allows it, waits otherwise), and fails
with DMS's own words before the framework's total timeout would fail it with none.

- `Custom::DmsTaskUpdateGuard`: the task depends on it, so CloudFormation updates it first; it finds
  the task by its identifier (it cannot reference the task). On Update it refuses a deploy that would
  replace a task under the same identifier (a create-only property changed, or the migration type,
  which DMS cannot change), and, when what the task would be modified with changes (ModifiableHash),
  stops a running task and waits until it is stopped ("The task must be stopped before you can modify
  it", ModifyReplicationTask). A new identifier (a new task that loads everything again) stops the old
  task, so the two never write at once. A stop is recorded in its physical id
  (`guard:<task>:stopped:<stopped task>:<request>`): rolling that update back, CloudFormation deletes
  the physical resource the failed update created, and that Delete resumes the stopped task.
- `Custom::DmsTaskRun`: depends on the task (and the assessment gate). Create and Update start a task
  that has never run (Status `ready`) with `start-replication` when StartTask is "true", resume one
  the guard stopped in this deploy with `resume-processing` ("replicate the changes from the last stop
  position"), and wait until it runs (a full-load task: or stopped with "Stop Reason
  FULL_LOAD_ONLY_FINISHED"), failing with DMS's `LastFailureMessage` and `StopReason`. A task that has
  run is never started again: no `start-replication`, no `reload-target`. Update during a rollback
  stops a task this deploy stopped and resumed, so that CloudFormation can modify it back (the guard's
  Delete then resumes it). Delete stops a running task: DMS deletes only a stopped one.

Sources: the DMS API reference (StartReplicationTask, StopReplicationTask, ModifyReplicationTask,
DescribeReplicationTasks); the statuses and stop reasons are botocore's DMS model's.
"""
import time

from index import THROTTLING, GateFailed, aws_client, error_code, is_rollback, replication_tasks, stack_status

GUARD = "Custom::DmsTaskUpdateGuard"
RUN = "Custom::DmsTaskRun"
# AWS::DMS::ReplicationTask's createOnlyProperties (its CloudFormation schema): a change replaces the task.
CREATE_ONLY = ("ReplicationInstanceArn", "SourceEndpointArn", "TargetEndpointArn", "ResourceIdentifier")
FULL_LOAD_FINISHED = "Stop Reason FULL_LOAD_ONLY_FINISHED"
# What a wait may still see on its way; anything else it has not asked for is an answer.
MOVING = {"creating", "modifying", "moving", "starting", "stopping", "testing"}
# Fail with the task's state this long before the framework's own timeout, which says only "Operation timed out".
MARGIN_SECONDS = 90
MODIFY_DOC = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.Modifying.html"
START_DOC = "https://docs.aws.amazon.com/dms/latest/APIReference/API_StartReplicationTask.html"


def on_event(event, context, dms=None, cloudformation=None, now=None):
    """The Provider framework's onEvent: the physical id, and the plan `is_complete` carries out."""
    dms = dms or aws_client("dms")
    now = now if now is not None else time.time()
    kind, request = event["ResourceType"], event["RequestType"]
    props = event["ResourceProperties"]
    status = "" if request == "Create" else stack_status(cloudformation or aws_client("cloudformation"), event["StackId"])
    if kind == GUARD:
        physical_id, plan = guard(event, dms, status)
    elif kind == RUN:
        physical_id, plan = run(event, dms, status)
    else:
        raise GateFailed(f"task_life handles {GUARD} and {RUN}, not {kind}")
    result = {"PhysicalResourceId": physical_id}
    if plan:
        plan.update(Deadline=now + float(props.get("TimeoutSeconds", 1800)) - MARGIN_SECONDS,
                    MigrationType=props.get("MigrationType", ""))
        try:
            converge(dms, plan, now)  # act at once where DMS allows it; is_complete waits for the rest
        except GateFailed:
            raise
        except Exception as error:  # a throttled first try is tried again by is_complete
            if error_code(error) not in THROTTLING:
                raise
        result["Plan"] = plan
    return result


def is_complete(event, context, dms=None, now=None):
    """The Provider framework's isComplete: true once the task is where the plan wants it; raises with DMS's reason."""
    plan = event.get("Plan")
    if not plan:
        return {"IsComplete": True}
    now = now if now is not None else time.time()
    try:
        done = converge(dms or aws_client("dms"), plan, now)
    except GateFailed:
        raise
    except Exception as error:
        if error_code(error) not in THROTTLING:
            raise
        done = False  # throttled: asked again at the next interval
        if now > plan["Deadline"]:
            raise GateFailed(f"DMS kept throttling the calls on task {plan['Task']} until the deploy's bound") from None
    return {"IsComplete": done}


# --- the guard ----------------------------------------------------------------------------------------


def guard(event, dms, status):
    props, request = event["ResourceProperties"], event["RequestType"]
    identifier = props["TaskIdentifier"]
    plain = f"guard:{identifier}"
    if request == "Create":
        return plain, None  # the task does not exist yet
    if request == "Delete":
        stopped = stopped_by(event["PhysicalResourceId"])
        if stopped and is_rollback(status):
            # the update that stopped the task failed: CloudFormation deletes this physical resource
            # after putting the task back as it was; the task runs again from where it stopped
            return event["PhysicalResourceId"], resume_plan(dms, stopped)
        return event["PhysicalResourceId"], None
    if is_rollback(status):
        return event["PhysicalResourceId"], None  # putting back the previous properties: nothing to refuse or stop
    old = event["OldResourceProperties"]
    if old["TaskIdentifier"] != identifier:
        # a new task (restart_full_load_as): the old one stops before the new one loads, and is deleted
        # by CloudFormation once the deploy succeeds (a failed deploy resumes it)
        return stop_if_running(dms, old["TaskIdentifier"], identifier, event["RequestId"])
    refuse_replacement(dms, old, props)
    if old.get("ModifiableHash") != props.get("ModifiableHash") and props.get("StopForUpdates") == "true":
        return stop_if_running(dms, identifier, identifier, event["RequestId"])
    return plain, None


def refuse_replacement(dms, old, new):
    """Raises when the deploy would replace the task under its identifier, naming what changed."""
    changed = [p for p in CREATE_ONLY if old.get(p, "") != new.get(p, "")]
    migration = old.get("MigrationType") != new.get("MigrationType")
    if not changed and not migration:
        return
    identifier = new["TaskIdentifier"]
    task = describe_task(dms, identifier)
    if task is None:
        return  # nothing to lose: DMS has no task of that name
    changes = "; ".join(f"{p} changes from {old.get(p) or '(none)'} to {new.get(p) or '(none)'}" for p in changed)
    if migration:
        changes = "; ".join(filter(None, [changes, f"MigrationType changes from {old.get('MigrationType')} to "
                                                   f"{new.get('MigrationType')}, which DMS cannot change on a task "
                                                   f"(\"You can't change the migration type of a task\", {MODIFY_DOC})"]))
    ran = task["Status"] != "ready"
    what = (f"It has run (status {task['Status']}): a replacement is a new task whose full load starts again, into "
            "target tables that already hold the rows, and whose change capture starts from the new task's start"
            if ran else f"It has never run (status {task['Status']}), so nothing would be lost")
    raise GateFailed(
        f"This deploy would replace DMS task {identifier}: {changes}. {what}. Nothing has been replaced: the task "
        "keeps its name, and CloudFormation cannot create a replacement under the same name (AWS::DMS::ReplicationTask "
        "lists ReplicationInstanceArn, SourceEndpointArn, TargetEndpointArn and ResourceIdentifier as create-only). "
        "Undo the change (an instance or endpoint that is replaced changes its ARN), or, to load everything again as "
        "a new task, set restart_full_load_as (restartFullLoadAs) on the PostgresReplication to a new value")


def stop_if_running(dms, stop_identifier, identifier, request_id):
    task = describe_task(dms, stop_identifier)
    if task and task["Status"] in ("running", "starting"):
        plan = {"Do": "stop", "Task": stop_identifier, "Before": ""}
        return f"guard:{identifier}:stopped:{stop_identifier}:{request_id[:8]}", plan
    if task and task["Status"] in ("stopping", "modifying"):
        # someone else's stop or change: wait until it settles, so CloudFormation can modify the task
        return f"guard:{identifier}", {"Do": "stop", "Task": stop_identifier, "Before": ""}
    return f"guard:{identifier}", None


def stopped_by(physical_id):
    """The task a guard's physical id says it stopped, or None."""
    parts = (physical_id or "").split(":")
    return parts[3] if len(parts) >= 5 and parts[0] == "guard" and parts[2] == "stopped" else None


# --- the run ------------------------------------------------------------------------------------------


def run(event, dms, status):
    props, request = event["ResourceProperties"], event["RequestType"]
    identifier = props["TaskIdentifier"]
    physical_id = f"run:{identifier}"
    if request == "Delete":
        # the stack is deleted, the task replaced, or a failed create rolled back: DMS deletes only a stopped task
        target = event["PhysicalResourceId"].split(":", 1)[1] if event["PhysicalResourceId"].startswith("run:") else identifier
        return event["PhysicalResourceId"], {"Do": "stop", "Task": target, "Before": ""}
    if request == "Update" and is_rollback(status):
        forward, previous = event["OldResourceProperties"], props
        if stopped_by(forward.get("StoppedBy")) and forward.get("StoppedBy") != previous.get("StoppedBy"):
            # the failed deploy stopped and resumed the task: stop it so that CloudFormation can put its
            # properties back; the guard's rollback then resumes it
            return event["PhysicalResourceId"], {"Do": "stop", "Task": identifier, "Before": ""}
        return event["PhysicalResourceId"], None
    task = describe_task(dms, identifier)
    if task is None:
        raise GateFailed(f"DMS has no replication task {identifier} to start (DescribeReplicationTasks)")
    old = event.get("OldResourceProperties", {})
    stopped_now = stopped_by(props.get("StoppedBy")) and props.get("StoppedBy") != old.get("StoppedBy")
    if task["Status"] == "ready" and props.get("StartTask") == "true":
        return physical_id, {"Do": "start", "Task": identifier, "Before": start_date(task)}
    if stopped_now and stopped_by(props["StoppedBy"]) == identifier:
        return physical_id, resume_plan(dms, identifier, task)
    return physical_id, None


def resume_plan(dms, identifier, task=None):
    task = task or describe_task(dms, identifier)
    return {"Do": "resume", "Task": identifier, "Before": start_date(task) if task else ""}


# --- converging on the plan ---------------------------------------------------------------------------


def converge(dms, plan, now):
    """True once the task is where the plan wants it; acts when DMS allows it; raises GateFailed with DMS's reason."""
    identifier, do = plan["Task"], plan["Do"]
    task = describe_task(dms, identifier)
    if task is None:
        if do == "stop":
            return True  # gone: nothing to stop
        raise GateFailed(f"DMS has no replication task {identifier} any more")
    status = task["Status"]
    if do == "stop":
        if status in ("stopped", "failed", "ready"):
            return True
        if status == "running":
            call(dms.stop_replication_task, ReplicationTaskArn=task["ReplicationTaskArn"])
        return past_deadline(plan, now, task, "stopped")
    started = start_date(task) != plan["Before"]  # a start or resume after the plan was made
    if status == "running":
        return True
    if status in ("stopped", "failed") and started:
        if status == "stopped" and task.get("StopReason") == FULL_LOAD_FINISHED and plan.get("MigrationType") == "full-load":
            return True
        raise GateFailed(f"DMS task {identifier} {'failed' if status == 'failed' else 'stopped'} after it was "
                         f"{'started' if do == 'start' else 'resumed'}: {reason(task)}")
    if status == "ready":
        if do != "start":
            raise GateFailed(f"DMS task {identifier} has never run, so it cannot be resumed (\"resume-processing is only "
                             f"available for previously executed tasks\", {START_DOC})")
        call(dms.start_replication_task, ReplicationTaskArn=task["ReplicationTaskArn"], StartReplicationTaskType="start-replication")
    elif status in ("stopped", "failed"):
        if do != "resume":
            raise GateFailed(f"DMS task {identifier} has run before ({reason(task)}), and the deploy never starts a "
                             "task's full load again (start-replication or reload-target): resume it with "
                             "`aws dms start-replication-task --start-replication-task-type resume-processing`")
        call(dms.start_replication_task, ReplicationTaskArn=task["ReplicationTaskArn"], StartReplicationTaskType="resume-processing")
    elif status not in MOVING:
        raise GateFailed(f"DMS task {identifier} is {status}, from which it cannot be {do}ed: {reason(task)}")
    return past_deadline(plan, now, task, "running")


def call(operation, **params):
    """Asks DMS for a change; a state DMS refuses it in now (InvalidResourceStateFault), throttling and
    permissions not yet in force (a policy just written) are waited out until the deadline."""
    try:
        operation(**params)
    except Exception as error:
        if error_code(error) not in THROTTLING | {"InvalidResourceStateFault", "AccessDeniedFault", "AccessDeniedException"}:
            raise GateFailed(f"DMS refused {operation.__name__} on {params['ReplicationTaskArn']}: "
                             f"{error_code(error) or type(error).__name__}: {error}") from None
        print(f"{operation.__name__} not accepted yet ({error_code(error)}): {error}")


def past_deadline(plan, now, task, wanted):
    if now > plan["Deadline"]:
        after = (" It was being stopped for this deploy: if the deploy rolls back and the task stays stopped, resume it "
                 "with `aws dms start-replication-task --start-replication-task-type resume-processing`"
                 if plan["Do"] == "stop" else "")
        raise GateFailed(f"DMS task {plan['Task']} was not {wanted} within the deploy's bound: {reason(task)}. "
                         f"The task's log (CloudWatch Logs, dms-tasks-<instance>) says why.{after}")
    return False


def reason(task):
    parts = [f"status {task['Status']}"]
    if task.get("StopReason"):
        parts.append(task["StopReason"])
    if task.get("LastFailureMessage"):
        parts.append(f"DMS says: {task['LastFailureMessage']}")
    return "; ".join(parts)


def start_date(task):
    """When the task last started, fresh or resumed (ReplicationTaskStats.StartDate), as text; "" before its first start."""
    value = (task.get("ReplicationTaskStats") or {}).get("StartDate")
    return str(value) if value else ""


def describe_task(dms, identifier):
    """The task named `identifier` (DMS stores identifiers in lower case), or None."""
    tasks = replication_tasks(dms, "replication-task-id", identifier)
    return next((t for t in tasks if t["ReplicationTaskIdentifier"].lower() == identifier.lower()), None)
