"""After a rotation of an endpoint's secret, the running task stops and resumes, so DMS logs in again.

DMS: "Depending on your database engine configuration, your database might not fetch the rotated
credentials. In this case, you need to manually restart the task to refresh the credentials"
(security_iam_secretsmanager). DMS does not define "restart" there, and does not say whether a stop
and `resume-processing` reads the secret again; a restart in DMS's other sense (`start-replication`,
`reload-target`) would load every table again. This function takes the action that loses nothing:
StopReplicationTask, then StartReplicationTask with `resume-processing` ("replicate the changes from
the last stop position"; the replication slot is kept: "On restart (not resume) ... the replication
slot gets recreated", CHAP_Source.PostgreSQL). Only an account can show that it picks up the new
credentials.

An EventBridge rule invokes it on Secrets Manager's RotationSucceeded for the task's endpoint
secrets. It acts only on a task that is running: a task that has never run (the first rotation,
during the deploy, comes before the task starts), one a deploy or an operator stopped, one that is
starting or being modified, is left as it is. It waits within its own run (15 minutes), and when
the task does not run again it says so (`notify`) and raises: Lambda records the failed invocation
(its Errors metric, its log) and does not retry it (a retry would find the task stopped and leave it).

Environment: TASK_ARN; TOPIC_ARN (optional): an SNS topic told when the task cannot be resumed.
"""
import os
import time

from index import THROTTLING, Clock, GateFailed, aws_client, error_code

POLL_SECONDS = 15
# Stop waiting this long before Lambda would stop the function, to say why.
MARGIN_SECONDS = 30


def handler(event, context):
    """The Lambda entry point: EventBridge's event, asynchronously."""
    remaining = context.get_remaining_time_in_millis() / 1000 if context else 900
    restart_after_rotation(event, aws_client("dms"), os.environ["TASK_ARN"], Clock(), remaining - MARGIN_SECONDS,
                           notify=lambda message: notify(message, os.environ.get("TOPIC_ARN")))


def restart_after_rotation(event, dms, task_arn, clock, seconds, notify=print):
    """Stops and resumes the task when it is running; returns what it did. Raises GateFailed when it cannot resume it."""
    detail = event.get("detail", {})
    secret = (detail.get("additionalEventData") or {}).get("SecretId", "(unknown secret)")
    if detail.get("eventName") != "RotationSucceeded":
        print(f"not a RotationSucceeded event ({detail.get('eventName')}): nothing to do")
        return "ignored"
    deadline = clock.now() + seconds
    task = describe(dms, task_arn, clock, deadline)
    if task["Status"] != "running":
        print(f"secret {secret} rotated; task {task_arn} is {task['Status']}, not running: it is left as it is "
              "(a task that has not run yet, or one a deploy or an operator stopped, logs in again when it is resumed)")
        return "left"
    print(f"secret {secret} rotated: stopping task {task_arn} to resume it with the new credentials")
    try:
        settle(dms, task_arn, "stop", clock, deadline)
        settle(dms, task_arn, "resume", clock, deadline)
    except GateFailed as error:
        message = (f"After the rotation of secret {secret}, DMS task {task_arn} was stopped to log in again and did not "
                   f"run again: {error}. Resume it: aws dms start-replication-task --replication-task-arn {task_arn} "
                   "--start-replication-task-type resume-processing")
        notify(message)
        raise GateFailed(message) from None
    print(f"task {task_arn} resumed after the rotation of {secret}")
    return "restarted"


def settle(dms, task_arn, action, clock, deadline):
    """Stops (until stopped) or resumes (until running) the task, within the deadline."""
    asked, before = False, None
    while True:
        task = describe(dms, task_arn, clock, deadline)
        status = task["Status"]
        if action == "stop" and status in ("stopped", "failed") or action == "resume" and status == "running":
            return
        started = (task.get("ReplicationTaskStats") or {}).get("StartDate")
        if action == "resume" and asked and status in ("stopped", "failed") and started != before:
            raise GateFailed(f"it {status} again after the resume: "
                             + "; ".join(filter(None, [task.get("StopReason"), task.get("LastFailureMessage")])))
        if not asked and (action == "stop" and status == "running" or action == "resume" and status in ("stopped", "failed")):
            before = started
            try:
                if action == "stop":
                    dms.stop_replication_task(ReplicationTaskArn=task_arn)
                else:
                    dms.start_replication_task(ReplicationTaskArn=task_arn, StartReplicationTaskType="resume-processing")
                asked = True
            except Exception as error:
                if error_code(error) not in THROTTLING | {"InvalidResourceStateFault"}:
                    raise GateFailed(f"DMS refused to {action} it ({error_code(error) or type(error).__name__}: {error})") from None
        if clock.now() + POLL_SECONDS > deadline:
            raise GateFailed(f"it was still {status} when the function's bound was reached"
                             + (f" (DMS says: {task['LastFailureMessage']})" if task.get("LastFailureMessage") else ""))
        clock.sleep(POLL_SECONDS)


def describe(dms, task_arn, clock, deadline):
    while True:
        try:
            tasks = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}],
                                                   WithoutSettings=True)["ReplicationTasks"]
        except Exception as error:
            if error_code(error) not in THROTTLING:
                raise
            if clock.now() + POLL_SECONDS > deadline:
                raise GateFailed("DMS kept throttling DescribeReplicationTasks") from None
            clock.sleep(POLL_SECONDS)
            continue
        if not tasks:
            raise GateFailed(f"DMS has no task {task_arn}")
        return tasks[0]


def notify(message, topic_arn):
    """Tells someone the task did not run again: the replication's SNS topic when there is one, the log always.

    PostgresReplication sets TOPIC_ARN to its alarms' topic when it is watched (with sns:Publish on it and
    the topic key's kms:Decrypt and kms:GenerateDataKey*), so the message pages whoever the alarms page.
    """
    print(message)
    if topic_arn:
        aws_client("sns").publish(TopicArn=topic_arn, Subject="DMS task not resumed after a rotation"[:100], Message=message)
