"""Deploy-time gates: CloudFormation custom resources that fail the deploy with the service's own message.

A CloudFormation custom resource handler (AWS Lambda, Python runtime, standard library and boto3
only: nothing to bundle). Each gate waits for something a template cannot show, within a stated
bound (`TimeoutSeconds`, answered before the Lambda's own timeout, so CloudFormation never waits its
hour for a custom resource that does not answer):

- `connection_handler`: DMS `TestConnection` for each endpoint from the replication instance, then
  `DescribeConnections` until each is `successful` or `failed`. A failure carries DMS's
  `LastFailureMessage` and the endpoint's name.
  Resource properties: ReplicationInstanceArn, EndpointArns, TimeoutSeconds.
- `rotation_handler`: the first rotation of a secret has finished: Secrets Manager reports a
  rotation it completed (DescribeSecret's `LastRotatedDate`; ListSecrets: "The most recent date and
  time that the Secrets Manager rotation process was successfully completed. This value is null if
  the secret hasn't ever rotated"), and no `AWSPENDING` version is left apart from `AWSCURRENT`
  (RotateSecret: "If the AWSPENDING staging label is present but not attached to the same version
  as AWSCURRENT ... a previous rotation request is still in progress"). A moved `AWSCURRENT` (an
  `AWSPREVIOUS` version) proves nothing: attaching a secret to its database writes a new version
  before any rotation. It reads the secret's metadata, never its value. Resource properties:
  SecretId, TimeoutSeconds.

- `protection_handler`: deletion protection of a database the stack created, turned on once the
  database exists, so that the database's own template leaves `DeletionProtection` out. A rollback
  of the stack's failed creation deletes this resource before the database (it depends on the
  database); only then, with the stack in `ROLLBACK_IN_PROGRESS` ("removal of one or more stacks after
  a failed stack creation"), is protection turned off, so that CloudFormation can delete the new,
  empty database (RDS: "The database can't be deleted when deletion protection is enabled",
  CreateDBInstance, DeletionProtection). A stack deletion, a removal from the template and every
  update leave it on. Resource properties: Kind (instance or cluster), Identifier, TimeoutSeconds.

Delete does nothing, but for the protection. Every failure names what to check.

The longer waits (a DMS task started, stopped or resumed; a pre-migration assessment) run through
aws-cdk-lib's Provider framework, in modules of their own that share what is here: `task_life`,
`assessment`, `rotation_restart`. The cutover's short checks are gates like the ones above, in
`cutover` and `shift_start` (their patient calls in `calls`).
"""
import json
import time
import urllib.request

# Answer CloudFormation this long before the Lambda would be stopped.
RESPONSE_MARGIN_SECONDS = 30
POLL_SECONDS = 15
THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}

DMS_TROUBLESHOOTING = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Troubleshooting.html"
ROTATION_TROUBLESHOOTING = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html"


class GateFailed(Exception):
    """What the deploy failed on, in words safe to show (no secret value in them)."""


class Clock:
    """Time for the wait; the tests pass one that does not sleep."""

    def now(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)


def connection_handler(event, context):
    """Lambda entry point of the DMS connection gate: always answers CloudFormation."""
    answer(event, context, lambda deadline: test_connections(event, dms_client(), deadline))


def rotation_handler(event, context):
    """Lambda entry point of the first-rotation gate: always answers CloudFormation."""
    answer(event, context, lambda deadline: wait_for_rotation(event, secrets_client(), deadline))


def protection_handler(event, context):
    """Lambda entry point of the deletion protection turned on once the database exists: always answers CloudFormation."""
    answer(event, context, lambda deadline: protect(event, rds_client(), cloudformation_client(), deadline), on_delete=True)


def answer(event, context, gate, clock=None, on_delete=False):
    clock = clock or Clock()
    physical_id = event.get("PhysicalResourceId") or f"gate-{event['LogicalResourceId']}"
    try:
        reason = None
        if event["RequestType"] != "Delete" or on_delete:
            bound = float(event["ResourceProperties"].get("TimeoutSeconds", 600))
            remaining = context.get_remaining_time_in_millis() / 1000 - RESPONSE_MARGIN_SECONDS if context else bound
            reason = gate(clock.now() + min(bound, remaining))
        status, reason = "SUCCESS", reason or "passed"
    except GateFailed as error:
        status, reason = "FAILED", str(error)
    except Exception as error:  # anything else must still answer CloudFormation
        status, reason = "FAILED", f"the gate failed unexpectedly ({type(error).__name__}: {error})"[:1000]
    send_response(event, status, reason, physical_id)


def aws_client(service):
    """A boto3 client that gives up within seconds on a silent network and retries throttling a few times itself."""
    import boto3
    from botocore.config import Config
    return boto3.client(service, config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 5, "mode": "standard"}))


def dms_client():
    return aws_client("dms")


def secrets_client():
    return aws_client("secretsmanager")


def stack_status(cloudformation, stack_id):
    """The stack's status (`UPDATE_ROLLBACK_IN_PROGRESS`, ...), read with DescribeStacks on its own ARN (the event's StackId)."""
    return cloudformation.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]


def is_rollback(status):
    """Whether CloudFormation is undoing an update or a create: the resources get their previous properties back."""
    return "ROLLBACK" in status


def rds_client():
    import boto3
    from botocore.config import Config
    return boto3.client("rds", config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 5, "mode": "standard"}))


def cloudformation_client():
    import boto3
    from botocore.config import Config
    return boto3.client("cloudformation", config=Config(connect_timeout=5, read_timeout=20,
                                                        retries={"max_attempts": 5, "mode": "standard"}))


def error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def replication_tasks(dms, filter_name, value):
    """DMS's tasks that one filter (replication-task-arn or replication-task-id) selects; [] when DMS has none."""
    try:
        return dms.describe_replication_tasks(Filters=[{"Name": filter_name, "Values": [value]}],
                                              WithoutSettings=True)["ReplicationTasks"]
    except Exception as error:
        if error_code(error) == "ResourceNotFoundFault":
            return []
        raise


def task_by_arn(dms, arn):
    """The task of this ARN, or None when DMS has no such task."""
    tasks = replication_tasks(dms, "replication-task-arn", arn)
    return tasks[0] if tasks else None


def every_page(call, key, **params):
    """Every item a DMS Describe call lists under `key`, following its Marker page by page."""
    found, marker = [], None
    while True:
        page = call(**params, **({"Marker": marker} if marker else {}))
        found += page.get(key, [])
        marker = page.get("Marker")
        if not marker:
            return found


def test_connections(event, client, deadline, clock=None):
    """Starts a connection test of each endpoint and waits until each has succeeded; raises GateFailed otherwise."""
    clock = clock or Clock()
    props = event["ResourceProperties"]
    instance, endpoints = props["ReplicationInstanceArn"], list(props["EndpointArns"])
    waiting = list(endpoints)
    while waiting:  # a test cannot start while the instance is busy (InvalidResourceStateFault): try again
        for endpoint in list(waiting):
            try:
                client.test_connection(ReplicationInstanceArn=instance, EndpointArn=endpoint)
                waiting.remove(endpoint)
            except Exception as error:
                if error_code(error) not in THROTTLING | {"InvalidResourceStateFault"}:
                    raise GateFailed(f"DMS could not start a connection test of {endpoint} from {instance} "
                                     f"({error_code(error) or type(error).__name__}: {error})") from None
        if waiting:
            wait(clock, deadline, f"DMS did not start the connection tests of {', '.join(waiting)} within the gate's bound")
    while True:
        try:
            connections = client.describe_connections(Filters=[
                {"Name": "replication-instance-arn", "Values": [instance]},
                {"Name": "endpoint-arn", "Values": endpoints}])["Connections"]
        except Exception as error:
            if error_code(error) not in THROTTLING:
                raise
            connections = []
        by_endpoint = {c["EndpointArn"]: c for c in connections}
        failed = [c for c in by_endpoint.values() if c.get("Status") == "failed"]
        if failed:
            raise GateFailed("; ".join(
                f"DMS cannot connect to endpoint {c.get('EndpointIdentifier', c['EndpointArn'])} from replication instance "
                f"{c.get('ReplicationInstanceIdentifier', instance)}: {c.get('LastFailureMessage') or 'no message'}"
                for c in failed) + ". Check the endpoint's secret (username, password, host, port), the security groups "
                "between the instance and the database, the user's grants, the database's TLS (ssl_mode) and the instance's "
                f"path to Secrets Manager ({DMS_TROUBLESHOOTING})")
        if all(by_endpoint.get(e, {}).get("Status") == "successful" for e in endpoints):
            return
        testing = [by_endpoint.get(e, {}).get("EndpointIdentifier", e) for e in endpoints
                   if by_endpoint.get(e, {}).get("Status") != "successful"]
        wait(clock, deadline, f"DMS was still testing {', '.join(testing)} when the gate's bound was reached: the replication "
                              f"instance may not reach the database (security groups, routes) ({DMS_TROUBLESHOOTING})")


def rotation_state(client, secret_id):
    """(finished, stuck versions, the secret's metadata): finished when a rotation completed and nothing is pending.

    Only a completed rotation sets LastRotatedDate; AWSCURRENT also moves when a secret is attached to its
    database (SecretTargetAttachment writes a version), so it is no proof of a rotation.
    """
    metadata = client.describe_secret(SecretId=secret_id)
    versions = client.list_secret_version_ids(SecretId=secret_id)["Versions"]
    stages = {v["VersionId"]: v.get("VersionStages", []) for v in versions}
    pending = [v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s]
    rotated = metadata.get("LastRotatedDate") is not None
    return rotated and not pending, pending, metadata


def wait_for_rotation(event, client, deadline, clock=None):
    """Waits for the secret's first rotation to have finished; raises GateFailed at the bound with the secret's state."""
    clock = clock or Clock()
    secret_id = event["ResourceProperties"]["SecretId"]
    while True:
        try:
            finished, pending, metadata = rotation_state(client, secret_id)
        except Exception as error:
            if error_code(error) not in THROTTLING:
                raise GateFailed(f"the state of secret {secret_id} cannot be read ({error_code(error) or type(error).__name__})") from None
            finished, pending, metadata = False, [], {}
        if finished:
            return
        if metadata and metadata.get("RotationEnabled") is False:
            raise GateFailed(f"secret {secret_id} has rotation turned off, so its first rotation will not happen")
        function = metadata.get("RotationLambdaARN", "")
        logs = f"/aws/lambda/{function.rsplit(':', 1)[-1]}" if function else "the rotation function's log group"
        state = (f"version {', '.join(pending)} is still AWSPENDING" if pending
                 else "Secrets Manager reports no completed rotation (DescribeSecret has no LastRotatedDate)")
        wait(clock, deadline, f"the first rotation of secret {secret_id} has not finished within the gate's bound: {state}. "
                              f"Its function reports why in {logs}. The troubleshooting guide's usual causes: no network path "
                              "from the function to the database or to Secrets Manager (an interface endpoint or a NAT route, "
                              "443 open), a user that does not exist or a password the database refuses, a key the function "
                              f"may not use ({ROTATION_TROUBLESHOOTING}). Until AWSPENDING is cleared, later rotations are refused")


# The stack status in which a Delete is the rollback of the stack's failed creation: nothing in the stack existed before.
ROLLBACK_OF_CREATION = "ROLLBACK_IN_PROGRESS"
# What RDS answers while a database is busy (being created, modified) or absent, per kind (the RDS API model's codes).
RDS_KINDS = {
    "instance": {"busy": "InvalidDBInstanceState", "absent": "DBInstanceNotFound", "what": "DB instance"},
    "cluster": {"busy": "InvalidDBClusterStateFault", "absent": "DBClusterNotFoundFault", "what": "DB cluster"},
}


def protect(event, rds, cloudformation, deadline, clock=None):
    """Turns deletion protection on (create, update), or off for the rollback of the stack's creation; returns what it did."""
    props = event["ResourceProperties"]
    kind, identifier = props["Kind"], props["Identifier"]
    if event["RequestType"] != "Delete":
        set_deletion_protection(rds, kind, identifier, True, deadline, clock)
        return f"deletion protection is on for {RDS_KINDS[kind]['what']} {identifier}"
    status = cloudformation.describe_stacks(StackName=event["StackId"])["Stacks"][0]["StackStatus"]
    if status != ROLLBACK_OF_CREATION:
        return (f"deletion protection stays on for {RDS_KINDS[kind]['what']} {identifier}: the stack is {status}, not the "
                "rollback of its creation")
    if not set_deletion_protection(rds, kind, identifier, False, deadline, clock):
        return f"nothing to do: {RDS_KINDS[kind]['what']} {identifier} does not exist"
    return f"deletion protection is off for {RDS_KINDS[kind]['what']} {identifier}, which the rollback of the stack's creation deletes"


def set_deletion_protection(rds, kind, identifier, on, deadline, clock=None):
    """Sets DeletionProtection and waits until RDS reports it; False when the database does not exist (only when turning off)."""
    clock = clock or Clock()
    codes, what = RDS_KINDS[kind], RDS_KINDS[kind]["what"]
    while True:
        try:
            if kind == "cluster":
                rds.modify_db_cluster(DBClusterIdentifier=identifier, DeletionProtection=on)
            else:
                rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=on)
            break
        except Exception as error:
            code = error_code(error)
            if code == codes["absent"] and not on:
                return False
            if code not in THROTTLING | {codes["busy"]}:
                raise GateFailed(f"RDS refused to turn deletion protection {'on' if on else 'off'} for {what} {identifier} "
                                 f"({code or type(error).__name__}: {error})") from None
            wait(clock, deadline, f"{what} {identifier} stayed busy ({code}) until the bound: deletion protection could not be "
                                  f"turned {'on' if on else 'off'}")
    while True:
        if kind == "cluster":
            current = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0].get("DeletionProtection")
        else:
            current = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0].get("DeletionProtection")
        if current is on:
            return True
        wait(clock, deadline, f"RDS did not report deletion protection {'on' if on else 'off'} for {what} {identifier} within "
                              "the bound")


def wait(clock, deadline, message):
    """Sleeps one poll, or raises GateFailed(message) when the next poll would pass the deadline."""
    if clock.now() + POLL_SECONDS > deadline:
        raise GateFailed(message)
    clock.sleep(POLL_SECONDS)


def send_response(event, status, reason, physical_id):
    """Answers CloudFormation at the pre-signed ResponseURL."""
    body = json.dumps({
        "Status": status, "Reason": reason[:3500], "PhysicalResourceId": physical_id,
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
