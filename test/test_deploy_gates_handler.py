"""The deploy-time gates' handler (assets/deploy-gates), against stand-ins for DMS and Secrets Manager.

Where AWS stands: moto (an emulator of the services' APIs) runs DMS's TestConnection and
DescribeConnections and Secrets Manager's versions and stages; what moto cannot produce (a failed
connection, throttling, a rotation that never finishes) comes from botocore's Stubber, which checks
each call and each response against the service's API model. The rotation is played as AWS's
rotation functions do it: createSecret puts an AWSPENDING version, finishSecret moves AWSCURRENT to it.
The answer to CloudFormation goes to a local HTTP server standing in for the pre-signed S3 URL.
"""
import datetime
import http.server
import json
import threading

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from handlers import GATES as gates, FakeClock

REGION = "eu-west-1"
INSTANCE = f"arn:aws:dms:{REGION}:123456789012:rep:INSTANCE"
SOURCE = f"arn:aws:dms:{REGION}:123456789012:endpoint:SOURCE"
TARGET = f"arn:aws:dms:{REGION}:123456789012:endpoint:TARGET"
SECRET = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:dms_reader-AbCdEf"
ROTATION_FUNCTION = f"arn:aws:lambda:{REGION}:123456789012:function:SecretsManagerPaymentsRotation"
POLLS_IN_600_SECONDS = 600 // gates.POLL_SECONDS + 1  # at 0, 15, ... 600 s


def connection_event(endpoints=(SOURCE, TARGET), instance=INSTANCE):
    return {"RequestType": "Create", "ResourceProperties": {"ReplicationInstanceArn": instance, "EndpointArns": list(endpoints)}}


def connection(endpoint, status, message="", identifier=None):
    return {"ReplicationInstanceArn": INSTANCE, "EndpointArn": endpoint, "Status": status, "LastFailureMessage": message,
            "EndpointIdentifier": identifier or endpoint.rsplit(":", 1)[1].lower(), "ReplicationInstanceIdentifier": "payments-dms"}


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


# --- the connection gate ------------------------------------------------------------------------


def test_connections_dms_reports_successful_pass_the_gate(aws):
    client = boto3.client("dms", region_name=REGION)
    instance = client.create_replication_instance(ReplicationInstanceIdentifier="payments-dms",
        ReplicationInstanceClass="dms.t3.medium")["ReplicationInstance"]["ReplicationInstanceArn"]
    endpoints = [client.create_endpoint(EndpointIdentifier=name, EndpointType=kind, EngineName="postgres")["Endpoint"]["EndpointArn"]
                 for name, kind in (("source", "source"), ("target", "target"))]
    clock = FakeClock()
    gates.test_connections(connection_event(endpoints, instance), client, deadline=600, clock=clock)
    statuses = {c["EndpointArn"]: c["Status"] for c in client.describe_connections()["Connections"]}
    assert statuses == dict.fromkeys(endpoints, "successful")


def stubbed_dms():
    client = boto3.client("dms", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def expect_tests(stubber, *endpoints):
    for endpoint in endpoints:
        stubber.add_response("test_connection", {"Connection": connection(endpoint, "testing")},
                             {"ReplicationInstanceArn": INSTANCE, "EndpointArn": endpoint})


def expect_describe(stubber, *connections):
    stubber.add_response("describe_connections", {"Connections": list(connections)}, {"Filters": [
        {"Name": "replication-instance-arn", "Values": [INSTANCE]}, {"Name": "endpoint-arn", "Values": [SOURCE, TARGET]}]})


def test_a_failed_connection_fails_the_deploy_with_dms_own_message_and_what_to_check():
    client, stubber = stubbed_dms()
    expect_tests(stubber, SOURCE, TARGET)
    expect_describe(stubber, connection(SOURCE, "testing"), connection(TARGET, "testing"))
    expect_describe(stubber, connection(SOURCE, "successful"), connection(TARGET, "failed",
        "Test connection failed for endpoint 'target': password authentication failed for user \"dms_writer\""))
    with stubber, pytest.raises(gates.GateFailed) as failed:
        gates.test_connections(connection_event(), client, deadline=600, clock=FakeClock())
    message = str(failed.value)
    assert message.startswith("DMS cannot connect to endpoint target from replication instance payments-dms: Test connection "
                              "failed for endpoint 'target': password authentication failed for user \"dms_writer\"")
    assert "Check the endpoint's secret (username, password, host, port), the security groups" in message
    stubber.assert_no_pending_responses()


def test_throttling_and_a_busy_instance_are_waited_out_not_failed():
    client, stubber = stubbed_dms()
    # a test cannot start while the instance is busy: DMS answers InvalidResourceStateFault
    stubber.add_client_error("test_connection", "InvalidResourceStateFault", "Replication instance is not available",
                             expected_params={"ReplicationInstanceArn": INSTANCE, "EndpointArn": SOURCE})
    expect_tests(stubber, TARGET, SOURCE)
    stubber.add_client_error("describe_connections", "ThrottlingException", "Rate exceeded")
    expect_describe(stubber, connection(SOURCE, "successful"), connection(TARGET, "successful"))
    clock = FakeClock()
    with stubber:
        gates.test_connections(connection_event(), client, deadline=600, clock=clock)
    assert clock.slept == 2
    stubber.assert_no_pending_responses()


def test_a_test_that_never_finishes_fails_at_the_bound_not_in_an_hour():
    client, stubber = stubbed_dms()
    expect_tests(stubber, SOURCE, TARGET)
    for _ in range(POLLS_IN_600_SECONDS):
        expect_describe(stubber, connection(SOURCE, "successful"), connection(TARGET, "testing"))
    clock = FakeClock()
    with stubber, pytest.raises(gates.GateFailed, match=r"DMS was still testing target when the gate's bound was reached"):
        gates.test_connections(connection_event(), client, deadline=600, clock=clock)
    assert 585 <= clock.time <= 600


def test_an_endpoint_dms_does_not_know_fails_at_once():
    client, stubber = stubbed_dms()
    stubber.add_client_error("test_connection", "ResourceNotFoundFault", "Endpoint not found")
    with stubber, pytest.raises(gates.GateFailed, match=r"DMS could not start a connection test of .*SOURCE .*ResourceNotFoundFault"):
        gates.test_connections(connection_event(), client, deadline=600, clock=FakeClock())


# --- the first-rotation gate ---------------------------------------------------------------------


def test_a_pending_rotation_is_waited_for(aws):
    client = boto3.client("secretsmanager", region_name=REGION)
    arn = client.create_secret(Name="dms_reader", SecretString=json.dumps({"username": "dms_reader", "password": "first"}))["ARN"]
    # createSecret, as AWS's rotation functions do it: a new version staged AWSPENDING only
    client.put_secret_value(SecretId=arn, ClientRequestToken="0" * 32, VersionStages=["AWSPENDING"],
                            SecretString=json.dumps({"username": "dms_reader", "password": "second"}))
    event = {"RequestType": "Create", "ResourceProperties": {"SecretId": arn}}
    assert gates.rotation_state(client, arn)[:2] == (False, ["0" * 32])
    with pytest.raises(gates.GateFailed, match=r"version 0{32} is still AWSPENDING"):
        gates.wait_for_rotation(event, client, deadline=60, clock=FakeClock())


def test_an_attached_secret_is_not_taken_for_a_rotated_one_until_secrets_manager_reports_a_rotation(aws):
    client = boto3.client("secretsmanager", region_name=REGION)
    arn = client.create_secret(Name="master", SecretString=json.dumps({"username": "postgres", "password": "first"}))["ARN"]
    # What SecretTargetAttachment does: a new version with host, port and engine; AWSCURRENT moves to it
    # and the first version becomes AWSPREVIOUS, before any rotation
    client.put_secret_value(SecretId=arn, SecretString=json.dumps(
        {"username": "postgres", "password": "first", "host": "db.example", "port": 5432, "engine": "postgres"}))
    stages = [s for s in client.describe_secret(SecretId=arn)["VersionIdsToStages"].values()]
    assert sorted(stages) == [["AWSCURRENT"], ["AWSPREVIOUS"]]
    event = {"RequestType": "Create", "ResourceProperties": {"SecretId": arn}}
    with pytest.raises(gates.GateFailed, match=r"Secrets Manager reports no completed rotation \(DescribeSecret has no LastRotatedDate\)"):
        gates.wait_for_rotation(event, client, deadline=60, clock=FakeClock())
    # moto completes a rotation without a function at once, and reports it as AWS does
    client.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30})
    assert "LastRotatedDate" in client.describe_secret(SecretId=arn)
    gates.wait_for_rotation(event, client, deadline=60, clock=FakeClock())


def stubbed_secrets():
    client = boto3.client("secretsmanager", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_a_stuck_rotation_fails_at_the_bound_naming_its_function_log_group_and_the_usual_causes():
    client, stubber = stubbed_secrets()
    when = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)
    for _ in range(POLLS_IN_600_SECONDS):
        stubber.add_response("describe_secret", {"ARN": SECRET, "Name": "dms_reader", "RotationEnabled": True,
                                                 "RotationLambdaARN": ROTATION_FUNCTION}, {"SecretId": SECRET})
        stubber.add_response("list_secret_version_ids", {"ARN": SECRET, "Versions": [
            {"VersionId": "a" * 32, "VersionStages": ["AWSCURRENT"], "CreatedDate": when},
            {"VersionId": "b" * 32, "VersionStages": ["AWSPENDING"], "CreatedDate": when}]}, {"SecretId": SECRET})
    with stubber, pytest.raises(gates.GateFailed) as failed:
        gates.wait_for_rotation({"RequestType": "Create", "ResourceProperties": {"SecretId": SECRET}}, client, deadline=600,
                                clock=FakeClock())
    message = str(failed.value)
    assert f"the first rotation of secret {SECRET} has not finished within the gate's bound: version {'b' * 32} is still AWSPENDING" in message
    assert "Its function reports why in /aws/lambda/SecretsManagerPaymentsRotation" in message
    assert "no network path from the function to the database or to Secrets Manager" in message
    assert "Until AWSPENDING is cleared, later rotations are refused" in message


def describe(rotated=None):
    response = {"ARN": SECRET, "Name": "master", "RotationEnabled": True, "RotationLambdaARN": ROTATION_FUNCTION}
    return {**response, "LastRotatedDate": rotated} if rotated else response


def versions(*stages):
    when = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)
    return {"ARN": SECRET, "Versions": [{"VersionId": c * 32, "VersionStages": s, "CreatedDate": when} for c, s in stages]}


def test_an_attached_secrets_first_rotation_is_followed_from_the_attachment_to_its_completion():
    # On the API's own shapes: the attachment's version (AWSCURRENT moved, AWSPREVIOUS there, nothing rotated),
    # then the rotation's AWSPENDING version, then the rotation completed: LastRotatedDate, AWSCURRENT on its version
    client, stubber = stubbed_secrets()
    rotated = datetime.datetime(2026, 12, 3, 10, 5, tzinfo=datetime.timezone.utc)
    for metadata, stages in [
        (describe(), versions(("a", ["AWSPREVIOUS"]), ("b", ["AWSCURRENT"]))),
        (describe(), versions(("a", ["AWSPREVIOUS"]), ("b", ["AWSCURRENT"]), ("c", ["AWSPENDING"]))),
        (describe(rotated), versions(("b", ["AWSPREVIOUS"]), ("c", ["AWSCURRENT", "AWSPENDING"]))),
    ]:
        stubber.add_response("describe_secret", metadata, {"SecretId": SECRET})
        stubber.add_response("list_secret_version_ids", stages, {"SecretId": SECRET})
    clock = FakeClock()
    with stubber:
        gates.wait_for_rotation({"RequestType": "Create", "ResourceProperties": {"SecretId": SECRET}}, client, deadline=600,
                                clock=clock)
    assert clock.slept == 2
    stubber.assert_no_pending_responses()


def test_an_attached_secret_never_rotated_fails_at_the_bound():
    client, stubber = stubbed_secrets()
    for _ in range(POLLS_IN_600_SECONDS):
        stubber.add_response("describe_secret", describe(), {"SecretId": SECRET})
        stubber.add_response("list_secret_version_ids", versions(("a", ["AWSPREVIOUS"]), ("b", ["AWSCURRENT"])), {"SecretId": SECRET})
    with stubber, pytest.raises(gates.GateFailed, match=r"has not finished within the gate's bound: Secrets Manager reports no "
                                                        r"completed rotation"):
        gates.wait_for_rotation({"RequestType": "Create", "ResourceProperties": {"SecretId": SECRET}}, client, deadline=600,
                                clock=FakeClock())


def test_rotation_turned_off_fails_at_once():
    client, stubber = stubbed_secrets()
    stubber.add_response("describe_secret", {"ARN": SECRET, "RotationEnabled": False}, {"SecretId": SECRET})
    stubber.add_response("list_secret_version_ids", {"Versions": []}, {"SecretId": SECRET})
    with stubber, pytest.raises(gates.GateFailed, match="has rotation turned off"):
        gates.wait_for_rotation({"RequestType": "Create", "ResourceProperties": {"SecretId": SECRET}}, client, deadline=600,
                                clock=FakeClock())


# --- the answer to CloudFormation ----------------------------------------------------------------


@pytest.fixture
def response_url():
    """A local server standing in for CloudFormation's pre-signed response URL; yields (url, received bodies)."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802 (http.server's spelling)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/response", received
    server.shutdown()


class Context:
    """The Lambda context: 15 minutes left."""

    def get_remaining_time_in_millis(self):
        return 15 * 60 * 1000


def cfn_event(url, request="Create", **props):
    return {"RequestType": request, "ResponseURL": url, "StackId": "stack", "RequestId": "req", "LogicalResourceId": "Gate",
            "ResourceProperties": {"TimeoutSeconds": "600", **props}}


def test_the_gate_answers_cloudformation_failed_with_the_reason_and_delete_always_succeeds(response_url):
    url, received = response_url

    def failing(deadline):
        assert deadline == 600  # the stated bound, within the function's time
        raise gates.GateFailed("DMS cannot connect to endpoint target")
    gates.answer(cfn_event(url), Context(), failing, clock=FakeClock())
    gates.answer(cfn_event(url, request="Delete"), Context(), failing, clock=FakeClock())
    assert [(r["Status"], r["Reason"]) for r in received] == [("FAILED", "DMS cannot connect to endpoint target"), ("SUCCESS", "passed")]


def test_the_bound_never_passes_the_functions_own_time(response_url):
    url, received = response_url

    class Short(Context):
        def get_remaining_time_in_millis(self):
            return 120 * 1000
    deadlines = []
    gates.answer(cfn_event(url), Short(), deadlines.append, clock=FakeClock())
    assert deadlines == [90] and received[0]["Status"] == "SUCCESS"  # 120 s left, less the 30 s margin


# --- deletion protection, turned on once the database exists -------------------------------------
#
# Played against botocore's Stubber, which holds each call and answer to the RDS and CloudFormation API
# models. What decides is the stack's status when CloudFormation deletes the custom resource: only the
# rollback of the stack's failed creation (ROLLBACK_IN_PROGRESS) turns protection off.

STACK = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Orders/11111111-2222-3333-4444-555555555555"


def stubbed(service):
    client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def protection_event(request, kind="instance", identifier="orders-db"):
    return {"RequestType": request, "StackId": STACK, "ResourceProperties": {"Kind": kind, "Identifier": identifier}}


def stack_status(stubber, status):
    stubber.add_response("describe_stacks", {"Stacks": [{"StackName": "Orders", "StackId": STACK, "StackStatus": status,
                                                         "CreationTime": datetime.datetime(2026, 12, 3)}]},
                         {"StackName": STACK})


def instance_protection(stubber, on, identifier="orders-db"):
    stubber.add_response("modify_db_instance", {"DBInstance": {"DBInstanceIdentifier": identifier}},
                         {"DBInstanceIdentifier": identifier, "DeletionProtection": on})


def described(stubber, on, identifier="orders-db"):
    stubber.add_response("describe_db_instances", {"DBInstances": [{"DBInstanceIdentifier": identifier, "DeletionProtection": on}]},
                         {"DBInstanceIdentifier": identifier})


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_protection_is_turned_on_once_the_database_exists_and_on_every_update_never_off(request_type):
    rds, rds_stub = stubbed("rds")
    cloudformation, cfn_stub = stubbed("cloudformation")
    # a database still busy after its creation is waited for, within the bound
    rds_stub.add_client_error("modify_db_instance", "InvalidDBInstanceState", "DB instance is not available",
                              expected_params={"DBInstanceIdentifier": "orders-db", "DeletionProtection": True})
    instance_protection(rds_stub, True)
    described(rds_stub, False)  # RDS reports the change a moment later
    described(rds_stub, True)
    clock = FakeClock()
    with rds_stub, cfn_stub:
        reason = gates.protect(protection_event(request_type), rds, cloudformation, deadline=600, clock=clock)
    assert reason == "deletion protection is on for DB instance orders-db" and clock.slept == 2
    rds_stub.assert_no_pending_responses()


def test_the_rollback_of_the_stacks_creation_turns_protection_off_so_that_the_new_database_is_deleted():
    rds, rds_stub = stubbed("rds")
    cloudformation, cfn_stub = stubbed("cloudformation")
    stack_status(cfn_stub, "ROLLBACK_IN_PROGRESS")
    instance_protection(rds_stub, False)
    described(rds_stub, False)
    with rds_stub, cfn_stub:
        reason = gates.protect(protection_event("Delete"), rds, cloudformation, deadline=600, clock=FakeClock())
    assert reason == ("deletion protection is off for DB instance orders-db, which the rollback of the stack's creation deletes")
    rds_stub.assert_no_pending_responses()


@pytest.mark.parametrize("status", ["DELETE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                                    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS"])
def test_a_stack_deletion_a_removal_and_an_update_leave_protection_on(status):
    rds, rds_stub = stubbed("rds")  # no RDS answer stubbed: any RDS call fails the test
    cloudformation, cfn_stub = stubbed("cloudformation")
    stack_status(cfn_stub, status)
    with rds_stub, cfn_stub:
        reason = gates.protect(protection_event("Delete"), rds, cloudformation, deadline=600, clock=FakeClock())
    assert reason == f"deletion protection stays on for DB instance orders-db: the stack is {status}, not the rollback of its creation"


def test_a_rollback_before_the_database_exists_and_a_cluster():
    rds, rds_stub = stubbed("rds")
    cloudformation, cfn_stub = stubbed("cloudformation")
    stack_status(cfn_stub, "ROLLBACK_IN_PROGRESS")
    rds_stub.add_client_error("modify_db_instance", "DBInstanceNotFound", "DBInstance orders-db not found")
    stack_status(cfn_stub, "CREATE_IN_PROGRESS")
    rds_stub.add_response("modify_db_cluster", {"DBCluster": {"DBClusterIdentifier": "ledger"}},
                          {"DBClusterIdentifier": "ledger", "DeletionProtection": True})
    rds_stub.add_response("describe_db_clusters", {"DBClusters": [{"DBClusterIdentifier": "ledger", "DeletionProtection": True}]},
                          {"DBClusterIdentifier": "ledger"})
    with rds_stub, cfn_stub:
        assert gates.protect(protection_event("Delete"), rds, cloudformation, 600, FakeClock()) == (
            "nothing to do: DB instance orders-db does not exist")
        assert gates.protect(protection_event("Create", "cluster", "ledger"), rds, cloudformation, 600, FakeClock()) == (
            "deletion protection is on for DB cluster ledger")


def test_a_refusal_fails_the_deploy_with_rds_own_words_and_delete_is_answered(response_url):
    rds, rds_stub = stubbed("rds")
    rds_stub.add_client_error("modify_db_instance", "AccessDenied", "not authorized to perform: rds:ModifyDBInstance")
    with rds_stub, pytest.raises(gates.GateFailed, match=r"RDS refused to turn deletion protection on for DB instance orders-db "
                                                         r"\(AccessDenied: .*rds:ModifyDBInstance"):
        gates.set_deletion_protection(rds, "instance", "orders-db", True, 600, FakeClock())
    # the handler answers Delete too (the gates skip it), with what it did as the reason
    url, received = response_url
    gates.answer(cfn_event(url, request="Delete"), Context(), lambda deadline: "kept", clock=FakeClock(), on_delete=True)
    assert [(r["Status"], r["Reason"]) for r in received] == [("SUCCESS", "kept")]
