"""DMS's pre-migration assessment as a deploy gate (assets/deploy-gates/assessment.py).

Where AWS stands: DMS is a real boto3 client whose calls botocore's Stubber answers, checking each
request and response against DMS's API model (moto does not run assessment runs); the run and
individual-assessment statuses are the ones the model and the DMS guide list. The results bucket is
moto's S3, holding what DMS writes there: `summary.json` and one `<assessment>.json` per assessment
under the run's folder. DMS does not document what those files hold; the ones here carry text under
a description and a remediation, which is what the handler shows (any text under such keys).
"""
import datetime
import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from handlers import gate_module

gate = gate_module("assessment")

REGION = "eu-west-1"
STACK = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Payments/1234abcd"
TASK = "payments-replication"
TASK_ARN = f"arn:aws:dms:{REGION}:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RUN_ARN = f"arn:aws:dms:{REGION}:123456789012:assessment-run:RUNRUNRUN"
ROLE = "arn:aws:iam::123456789012:role/Payments-AssessmentServiceRole"
BUCKET = "payments-assessment-results"
NOW = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
RUN_NAME = f"{TASK}-20260528-202640-7f3c2a10"
FOLDER = f"{TASK}/{RUN_NAME}"
OFFERED = ["postgres-check-wallevel", "postgres-check-pk", "postgres-check-pglogical", "unsupported-data-types-in-source"]
MONDAY = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        dms = boto3.client("dms", region_name=REGION)
        with Stubber(dms) as stub:
            dms.stub = stub
            yield dms, s3
            stub.assert_no_pending_responses()


def props(**changes):
    found = {"TaskArn": TASK_ARN, "TaskIdentifier": TASK, "Bucket": BUCKET, "RoleArn": ROLE, "SkippedAssessments": [],
             "AssessedHash": "h1", "TimeoutSeconds": "1800"}
    found.update(changes)
    return found


def create(dms, names=OFFERED, skipped=(), start_error=None):
    task_status(dms, "ready")
    dms.stub.add_response("describe_applicable_individual_assessments", {"IndividualAssessmentNames": list(names)},
                          {"ReplicationTaskArn": TASK_ARN})
    wanted = [n for n in names if n not in skipped]
    params = {"ReplicationTaskArn": TASK_ARN, "ServiceAccessRoleArn": ROLE, "ResultLocationBucket": BUCKET,
              "ResultLocationFolder": FOLDER, "ResultEncryptionMode": "SSE_S3", "AssessmentRunName": RUN_NAME, "IncludeOnly": wanted}
    if start_error:
        dms.stub.add_client_error("start_replication_task_assessment_run", service_error_code=start_error, expected_params=params)
    else:
        dms.stub.add_response("start_replication_task_assessment_run", {"ReplicationTaskAssessmentRun": run("starting")}, params)
    event = {"RequestType": "Create", "ResourceType": gate.ASSESSMENT, "ResourceProperties": props(SkippedAssessments=list(skipped)),
             "StackId": STACK, "RequestId": "7f3c2a10-aaaa-bbbb-cccc-000000000000", "LogicalResourceId": "Assessment"}
    return gate.on_event(event, None, dms=dms, now=NOW)


def run(status, message=None, done=0):
    found = {"ReplicationTaskAssessmentRunArn": RUN_ARN, "ReplicationTaskArn": TASK_ARN, "Status": status,
             "AssessmentRunName": RUN_NAME, "ResultLocationBucket": BUCKET, "ResultLocationFolder": FOLDER,
             "AssessmentProgress": {"IndividualAssessmentCount": 4, "IndividualAssessmentCompletedCount": done}}
    if message:
        found["LastFailureMessage"] = message
    return found


def runs(dms, *states):
    for state in states:
        dms.stub.add_response("describe_replication_task_assessment_runs", {"ReplicationTaskAssessmentRuns": [state]},
                              {"Filters": [{"Name": "replication-task-arn", "Values": [TASK_ARN]}]})


def task_status(dms, *statuses):
    for status in statuses:
        dms.stub.add_response("describe_replication_tasks", {"ReplicationTasks": [
            {"ReplicationTaskIdentifier": TASK, "ReplicationTaskArn": TASK_ARN, "Status": status}]},
            {"Filters": [{"Name": "replication-task-arn", "Values": [TASK_ARN]}], "WithoutSettings": True})


def outcomes(dms, **statuses):
    dms.stub.add_response("describe_replication_task_individual_assessments", {"ReplicationTaskIndividualAssessments": [
        {"ReplicationTaskIndividualAssessmentArn": f"{RUN_ARN}:{name}", "ReplicationTaskAssessmentRunArn": RUN_ARN,
         "IndividualAssessmentName": name.replace("_", "-"), "Status": status, "ReplicationTaskIndividualAssessmentStartDate": MONDAY}
        for name, status in statuses.items()]},
        {"Filters": [{"Name": "replication-task-assessment-run-arn", "Values": [RUN_ARN]}]})


def results(s3, **files):
    """What DMS writes to the run's folder."""
    s3.put_object(Bucket=BUCKET, Key=f"{FOLDER}/summary.json", Body=json.dumps({"status": "see each file"}))
    for name, content in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{FOLDER}/{name.replace('_', '-')}.json", Body=json.dumps(content))


def complete(response, dms, s3, now=NOW + 60):
    return gate.is_complete({**response, "ResourceProperties": props()}, None, dms=dms, s3=s3, now=now)


def test_the_assessments_dms_offers_for_the_task_run_and_a_pass_lets_the_deploy_on(aws):
    dms, s3 = aws
    response = create(dms)
    assert response["Plan"]["Names"] == OFFERED and response["PhysicalResourceId"] == f"assessment:{TASK}:{RUN_NAME}"
    runs(dms, run("provisioning"), run("running", done=2), run("passed", done=4))
    assert complete(response, dms, s3) == {"IsComplete": False}
    assert complete(response, dms, s3) == {"IsComplete": False}
    task_status(dms, "ready")
    outcomes(dms, postgres_check_wallevel="passed", postgres_check_pk="passed", postgres_check_pglogical="passed",
             unsupported_data_types_in_source="passed")
    answer = complete(response, dms, s3)
    assert answer["IsComplete"] is True
    assert answer["Data"]["Result"] == f"passed: 4 assessments (s3://{BUCKET}/{FOLDER}/)"


def test_a_failed_assessment_fails_the_deploy_with_its_name_and_what_dms_says_to_do(aws):
    dms, s3 = aws
    response = create(dms)
    results(s3, postgres_check_pk={"description": "DMS doesn't support replication for tables without primary keys",
                                   "tables": [{"schema": "payments", "table": "audit_log"}],
                                   "remediation": "Add a primary key, or set the table's replica identity to full"},
            postgres_check_wallevel={"description": "wal_level is logical"})
    runs(dms, run("failed", done=4))
    task_status(dms, "ready")
    outcomes(dms, postgres_check_wallevel="passed", postgres_check_pk="failed", postgres_check_pglogical="passed",
             unsupported_data_types_in_source="passed")
    with pytest.raises(gate.GateFailed) as failed:
        complete(response, dms, s3)
    message = str(failed.value)
    assert (f"DMS's pre-migration assessment of task {TASK} failed (run {RUN_NAME}): postgres-check-pk: DMS doesn't support "
            "replication for tables without primary keys | Add a primary key, or set the table's replica identity to full. "
            f"Results: s3://{BUCKET}/{FOLDER}/") in message
    assert "wal_level" not in message  # only the failed ones
    assert "skipped_assessments (skippedAssessments)" in message


def test_warnings_let_the_deploy_on_and_become_the_result_the_stack_output_shows(aws):
    dms, s3 = aws
    response = create(dms)
    results(s3, postgres_check_pglogical={"message": "pglogical is not in shared_preload_libraries: DMS uses test_decoding"})
    runs(dms, run("warning", done=4))
    task_status(dms, "testing")  # the task leaves testing after the run ends: waited for, so it is never started during a run
    assert complete(response, dms, s3) == {"IsComplete": False}
    runs(dms, run("warning", done=4))
    task_status(dms, "ready")
    outcomes(dms, postgres_check_wallevel="passed", postgres_check_pk="passed", postgres_check_pglogical="warning",
             unsupported_data_types_in_source="skipped")
    answer = complete(response, dms, s3)
    assert answer["Data"]["Result"] == ("warning: postgres-check-pglogical: pglogical is not in shared_preload_libraries: DMS uses "
                                        f"test_decoding (s3://{BUCKET}/{FOLDER}/)")


def test_a_run_that_ends_in_error_fails_the_deploy_with_dms_message(aws):
    dms, s3 = aws
    response = create(dms)
    runs(dms, run("error-provisioning", message="Unable to access the S3 bucket with the service access role"))
    task_status(dms, "ready")
    outcomes(dms, postgres_check_wallevel="error")
    with pytest.raises(gate.GateFailed, match=r"ended error-provisioning .*: Unable to access the S3 bucket with the service access "
                                              r"role\. Individual assessments: postgres-check-wallevel error"):
        complete(response, dms, s3)


def test_skipped_assessments_are_left_out_and_a_start_refused_for_now_is_tried_again(aws):
    dms, s3 = aws
    # the service role created in this deploy may not be usable by DMS yet (IAM is eventually consistent)
    response = create(dms, skipped=("postgres-check-pglogical",), start_error="S3AccessDeniedFault")
    assert "postgres-check-pglogical" not in response["Plan"]["Names"] and response["Plan"]["Started"] is False
    dms.stub.add_response("describe_replication_task_assessment_runs", {"ReplicationTaskAssessmentRuns": []},
                          {"Filters": [{"Name": "replication-task-arn", "Values": [TASK_ARN]}]})
    dms.stub.add_response("start_replication_task_assessment_run", {"ReplicationTaskAssessmentRun": run("starting")},
                          {"ReplicationTaskArn": TASK_ARN, "ServiceAccessRoleArn": ROLE, "ResultLocationBucket": BUCKET,
                           "ResultLocationFolder": FOLDER, "ResultEncryptionMode": "SSE_S3", "AssessmentRunName": RUN_NAME,
                           "IncludeOnly": [n for n in OFFERED if n != "postgres-check-pglogical"]})
    assert complete(response, dms, s3) == {"IsComplete": False}


def test_throttling_is_waited_out_and_a_run_past_the_bound_fails_naming_it(aws):
    dms, s3 = aws
    response = create(dms)
    dms.stub.add_client_error("describe_replication_task_assessment_runs", service_error_code="ThrottlingException")
    assert complete(response, dms, s3) == {"IsComplete": False}
    runs(dms, run("running", done=3))
    with pytest.raises(gate.GateFailed, match=rf"assessment run {RUN_NAME} is still running \(3 of 4 done\) when the deploy's bound"):
        complete(response, dms, s3, now=NOW + 1800)


def test_a_rollback_or_a_delete_runs_nothing(aws):
    dms, _ = aws
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    with Stubber(cloudformation) as stack:
        stack.add_response("describe_stacks", {"Stacks": [{"StackName": "Payments", "CreationTime": MONDAY,
                                                           "StackStatus": "UPDATE_ROLLBACK_IN_PROGRESS"}]}, {"StackName": STACK})
        rollback = {"RequestType": "Update", "ResourceType": gate.ASSESSMENT, "ResourceProperties": props(), "StackId": STACK,
                    "OldResourceProperties": props(AssessedHash="h2"), "PhysicalResourceId": f"assessment:{TASK}:x",
                    "RequestId": "r", "LogicalResourceId": "Assessment"}
        answer = gate.on_event(rollback, None, dms=dms, cloudformation=cloudformation, now=NOW)
        assert answer["PhysicalResourceId"] == f"assessment:{TASK}:x" and "Plan" not in answer
    assert gate.on_event({**rollback, "RequestType": "Delete"}, None, dms=dms, now=NOW) == {"PhysicalResourceId": f"assessment:{TASK}:x"}


def test_an_update_that_finds_the_task_running_assesses_nothing_and_says_so(aws):
    # the guard stops the task for a change of its settings or mappings; a change of an endpoint's settings alone
    # leaves it running, and DMS documents no state an assessment run needs: the safe side is not to run one
    dms, _ = aws
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    with Stubber(cloudformation) as stack:
        stack.add_response("describe_stacks", {"Stacks": [{"StackName": "Payments", "CreationTime": MONDAY,
                                                           "StackStatus": "UPDATE_IN_PROGRESS"}]}, {"StackName": STACK})
        task_status(dms, "running")
        update = {"RequestType": "Update", "ResourceType": gate.ASSESSMENT, "ResourceProperties": props(AssessedHash="h2"),
                  "OldResourceProperties": props(), "PhysicalResourceId": f"assessment:{TASK}:x", "StackId": STACK,
                  "RequestId": "r", "LogicalResourceId": "Assessment"}
        answer = gate.on_event(update, None, dms=dms, cloudformation=cloudformation, now=NOW)
    assert "Plan" not in answer and answer["PhysicalResourceId"] == f"assessment:{TASK}:x"
    assert answer["Data"]["Result"].startswith(f"not run again: task {TASK} is running")
