"""Stops a DMS task before CloudFormation deletes it: the first step of retiring a replication.

CloudFormation's delete handler of AWS::DMS::ReplicationTask is given `dms:DeleteReplicationTask`
and `dms:DescribeReplicationTasks`, not `dms:StopReplicationTask` (the resource schema's handler
permissions), and Terraform's provider stops a task before it deletes one. This custom resource
depends on the task, so CloudFormation deletes it first ("Resource A is deleted before resource B",
DependsOn attribute): on delete it stops a running task and waits until DMS reports it stopped,
failed or ready, within its bound. Create and update do nothing.

What comes after, in the order CloudFormation deletes: the task itself (DMS "automatically drops
replication slots when the task is deleted, if DMS created the slot", CHAP_Source.PostgreSQL), then
the sweep of the source's slots (assets/postgres-user/slots.py), which drops what DMS left.

Resource properties: ReplicationTaskArn, TimeoutSeconds.
"""
from calls import retried
from cutover import describe_task
from index import Clock, answer, dms_client, wait

# A task in one of these may be deleted; one in "deleting" is going already.
DELETABLE = {"stopped", "failed", "ready", "failed-move", "deleting"}


def stop_handler(event, context):
    """Lambda entry point: on delete, stops the task; always answers CloudFormation."""
    if event["RequestType"] != "Delete":
        answer(event, context, lambda deadline: None)
        return
    # A delete has work of its own here: answer() runs it as it runs an update.
    answer({**event, "RequestType": "Update"}, context, lambda deadline: stop_task(event, dms_client(), deadline))


def stop_task(event, dms, deadline, clock=None):
    """Stops the task if it runs, and waits until DMS reports a status its deletion accepts."""
    clock = clock or Clock()
    arn = event["ResourceProperties"]["ReplicationTaskArn"]
    asked = False
    while True:
        task = retried(clock, deadline, lambda: describe_task(dms, arn), f"DMS did not describe task {arn}")
        status = task and task.get("Status")
        if status is None or status in DELETABLE:
            return
        if status == "running" and not asked:
            retried(clock, deadline, lambda: dms.stop_replication_task(ReplicationTaskArn=arn), f"DMS did not stop task {arn}")
            asked = True
        wait(clock, deadline, f"task {arn} is still {status} at the bound, and DMS deletes no running task: stop it "
                              "(aws dms stop-replication-task) and delete the stack again")
