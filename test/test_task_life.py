"""PostgresReplication's task through its weeks: started once, stopped and resumed around updates, never
replaced unseen, restarted after rotations, assessed before it starts (the handlers:
test_task_life_handler.py, test_assessment_handler.py, test_rotation_restart_handler.py)."""
import json
import re

import pytest
from aws_cdk import Duration

from harness import migration, migration_with_users, new_stack, only_resource, synth, warnings_of
from safe_constructs import DmsMigrationType, DmsPostgresCdcSettings


def resources_of(stack):
    template = synth(stack)
    return template, template.to_json()["Resources"]


def logical(stack, construct):
    return stack.resolve((construct.node.default_child or construct).logical_id)


def one(resources, resource_type):
    [(logical_id, resource)] = [(k, r) for k, r in resources.items() if r["Type"] == resource_type]
    return logical_id, resource


def statements(resources, role_id):
    """Every statement of the role's policies, less the two that let it write its own log group."""
    found = [s for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
             and {"Ref": role_id} in r["Properties"]["Roles"] for s in r["Properties"]["PolicyDocument"]["Statement"]]
    return [s for s in found if s["Action"] != ["logs:CreateLogStream", "logs:PutLogEvents"]]


def test_the_deploy_goes_connection_gate_then_task_then_assessment_then_start():
    stack = new_stack()
    replication, _ = migration_with_users(stack)
    _, resources = resources_of(stack)
    task_id = stack.resolve(replication.task.logical_id)
    gate, guard, run, assessment = (logical(stack, c) for c in (
        replication.connection_gate.resource, replication.task_update_guard, replication.task_run, replication.assessment))
    task = resources[task_id]
    # the task waits for the connection gate and for the guard, which runs before CloudFormation updates the task
    assert {gate, guard} <= set(task["DependsOn"])
    # the assessment reads the task; the start waits for the task and the assessment
    assert resources[assessment]["Properties"]["TaskArn"] == {"Ref": task_id}
    assert {task_id, assessment} <= set(resources[run]["DependsOn"])
    # the guard cannot reference the task (it runs before it): it finds it by its explicit identifier
    assert task_id not in json.dumps(resources[guard])
    # one identifier for the replication (dms-identifiers.ts): the stack's name, the path and their hash, lower case
    assert task["Properties"]["ReplicationTaskIdentifier"] == replication.task_identifier == replication.instance_identifier
    assert re.fullmatch(r"test-replication-[0-9a-f]{8}", replication.task_identifier), replication.task_identifier
    assert resources[guard]["Properties"]["TaskIdentifier"] == replication.task_identifier
    # the start resource reads the guard's physical id, which says whether the guard stopped the task
    assert resources[run]["Properties"]["StoppedBy"] == {"Ref": guard}


def test_the_guard_sees_what_the_task_would_be_modified_with_and_nothing_else():
    def hashes(**overrides):
        stack = new_stack()
        replication, _, _ = migration(stack, **overrides)
        _, resources = resources_of(stack)
        guard = resources[logical(stack, replication.task_update_guard)]["Properties"]
        assessment = resources[logical(stack, replication.assessment)]["Properties"]
        return guard["ModifiableHash"], assessment["AssessedHash"]

    base = hashes()
    assert hashes(task_settings={"FullLoadSettings": {"MaxFullLoadSubTasks": 4}}) != base  # a modification: stop, resume
    mappings = hashes(schemas=["payments", "ledger"])
    assert mappings[0] != base[0] and mappings[1] != base[1]                                 # new table mappings: assessed again
    assert hashes(allocated_storage=100) == base                                             # the instance's: not the task's
    # an endpoint's setting: assessed again, and the running task is not stopped for it (README, the assessment)
    endpoint = hashes(source_endpoint_props={"cdc_settings": DmsPostgresCdcSettings(heartbeat_frequency=10)})
    assert endpoint[0] == base[0] and endpoint[1] != base[1]
    assert hashes() == base                                                                  # stable across synths


def test_a_restart_of_the_full_load_is_a_new_task_with_a_new_name():
    stack = new_stack()
    replication, _, _ = migration(stack, restart_full_load_as="2")
    _, resources = resources_of(stack)
    task_id, task = one(resources, "AWS::DMS::ReplicationTask")
    assert task["Properties"]["ReplicationTaskIdentifier"] == replication.task_identifier == replication.instance_identifier + "-2"
    before = new_stack()
    migration(before)
    # a new logical id: CloudFormation creates the new task and deletes the old one, whatever else changed
    assert task_id != one(resources_of(before)[1], "AWS::DMS::ReplicationTask")[0]
    # every task of the replication carries one tag, by which the handlers may start and stop them
    assert {"Key": "safe-constructs:replication", "Value": replication.instance_identifier} in task["Properties"]["Tags"]


def test_the_task_life_role_may_start_and_stop_only_the_replications_tasks():
    stack = new_stack()
    replication, _, _ = migration(stack)
    _, resources = resources_of(stack)
    role = logical(stack, replication.node.find_child("TaskLifeWait").node.find_child("HandlerRole"))
    assert statements(resources, role) == [
        # no resource type in the Service Authorization Reference: "*" only
        {"Action": "dms:DescribeReplicationTasks", "Effect": "Allow", "Resource": "*"},
        {"Action": ["dms:StartReplicationTask", "dms:StopReplicationTask"], "Effect": "Allow",
         "Condition": {"StringEquals": {"aws:ResourceTag/safe-constructs:replication": replication.task_identifier}},
         "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":dms:eu-west-1:123456789012:task:*"]]}},
        {"Action": "cloudformation:DescribeStacks", "Effect": "Allow", "Resource": {"Ref": "AWS::StackId"}},
    ]


def test_the_providers_roles_are_the_librarys_own_each_writing_its_own_log_group():
    stack = new_stack()
    migration(stack)
    template, resources = resources_of(stack)
    assert "ManagedPolicyArns" not in json.dumps(template.find_resources("AWS::IAM::Role"))
    functions = {k: r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"
                 and k.startswith(("ReplicationTaskLifeWait", "ReplicationAssessmentWait"))}
    assert len(functions) == 10  # per provider: on_event, is_complete, and the framework's three
    for function in functions.values():
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        writes = [s["Resource"] for s in [s for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
                                          and {"Ref": role} in r["Properties"]["Roles"]
                                          for s in r["Properties"]["PolicyDocument"]["Statement"]]
                  if s["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]]
        assert writes == [{"Fn::GetAtt": [group, "Arn"]}]
    # the waiters' state machines log nothing, so their roles get no logs:* on "*"
    for machine in template.find_resources("AWS::StepFunctions::StateMachine").values():
        assert "LoggingConfiguration" not in machine["Properties"]


def test_the_assessment_writes_to_a_closed_bucket_with_the_role_dms_documents():
    stack = new_stack()
    replication, _, _ = migration(stack)
    template, resources = resources_of(stack)
    bucket_id = logical(stack, replication.assessment_results)
    bucket = resources[bucket_id]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["LifecycleConfiguration"] == {"Rules": [{"ExpirationInDays": 365, "Status": "Enabled"}]}
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
    [policy] = [r for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in policy["Properties"]["PolicyDocument"]["Statement"])
    service_role = logical(stack, replication.node.find_child("AssessmentServiceRole"))
    trust = resources[service_role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"}}]
    objects = {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]}
    assert statements(resources, service_role) == [
        {"Action": ["s3:PutObject", "s3:DeleteObject", "s3:GetObject", "s3:PutObjectTagging"], "Effect": "Allow", "Resource": objects},
        {"Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Effect": "Allow", "Resource": {"Fn::GetAtt": [bucket_id, "Arn"]}},
    ]
    # the handlers may start a run of that task only, passing that role to DMS only
    handler_role = logical(stack, replication.node.find_child("AssessmentWait").node.find_child("HandlerRole"))
    task = {"Ref": stack.resolve(replication.task.logical_id)}
    granted = statements(resources, handler_role)
    assert {"Action": ["dms:StartReplicationTaskAssessmentRun", "dms:DescribeApplicableIndividualAssessments"], "Effect": "Allow",
            "Resource": task} in granted
    # the task's assessment runs, whose ARNs DMS makes, in the stack's partition
    runs = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":dms:eu-west-1:123456789012:assessment-run:*"]]}
    assert {"Action": ["dms:DescribeReplicationTaskAssessmentRuns", "dms:DescribeReplicationTaskIndividualAssessments"],
            "Effect": "Allow", "Resource": [task, runs]} in granted
    assert {"Action": "iam:PassRole", "Effect": "Allow", "Resource": {"Fn::GetAtt": [service_role, "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "dms.amazonaws.com"}}} in granted
    # its verdict is a stack output, which cdk deploy prints: warnings are seen there
    [output] = template.to_json()["Outputs"].values()
    assert output["Value"] == {"Fn::GetAtt": [logical(stack, replication.assessment), "Result"]}


def test_a_rotation_of_either_endpoints_secret_stops_and_resumes_the_running_task():
    stack = new_stack()
    replication, _ = migration_with_users(stack)
    template, resources = resources_of(stack)
    # the rotation's rule (the watch has its own, on the task's state changes: test_replication_watch.py)
    rule = resources[logical(stack, replication.node.find_child("RotationRestartRule"))]
    secrets = [{"Ref": logical(stack, e.secret)} for e in (replication.node.scope.node.find_child("Source"),
                                                            replication.node.scope.node.find_child("Target"))]
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail", "AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["secretsmanager.amazonaws.com"], "eventName": ["RotationSucceeded"],
                   "additionalEventData": {"SecretId": secrets}}}
    function_id = logical(stack, replication.rotation_restart)
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    # Lambda does not retry it: a retry would find the task stopped and leave it
    [invoke] = template.find_resources("AWS::Lambda::EventInvokeConfig").values()
    assert invoke["Properties"]["MaximumRetryAttempts"] == 0
    role = resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    task = {"Ref": stack.resolve(replication.task.logical_id)}
    topic = {"Ref": logical(stack, replication.alarm_topic)}
    key = {"Fn::GetAtt": [logical(stack, replication.alarm_topic.master_key), "Arn"]}
    assert statements(resources, role) == [
        {"Action": "dms:DescribeReplicationTasks", "Effect": "Allow", "Resource": "*"},
        {"Action": ["dms:StartReplicationTask", "dms:StopReplicationTask"], "Effect": "Allow", "Resource": task},
        # a task that does not run again is published to the alarms' topic, encrypted with its own key
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": topic},
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": key},
    ]
    assert resources[function_id]["Properties"]["Environment"]["Variables"] == {"TASK_ARN": task, "TOPIC_ARN": topic}


def test_unwatched_the_rotation_restart_tells_only_its_log():
    stack = new_stack()
    replication, _, _ = migration(stack, watch=False)
    _, resources = resources_of(stack)
    function = resources[logical(stack, replication.rotation_restart)]["Properties"]
    assert function["Environment"]["Variables"] == {"TASK_ARN": {"Ref": stack.resolve(replication.task.logical_id)}}
    assert "sns:Publish" not in json.dumps(statements(resources, function["Role"]["Fn::GetAtt"][0]))


def test_each_behaviour_turned_off_leaves_a_warning_and_its_resources_out():
    stack = new_stack()
    replication, _, _ = migration(stack, start_task=False, start_task_off_reason="the cutover runbook starts it",
                                  stop_and_resume_for_updates=False, restart_after_rotation=False, assessment=False)
    template, resources = resources_of(stack)
    warnings = warnings_of(stack)
    for warning_id, says in [("taskNotStarted", "(the cutover runbook starts it): the deploy does not start the task"),
                             ("taskNotStoppedForUpdates", "The task must be stopped before you can modify it"),
                             ("rotationRestartOff", "might not fetch the rotated credentials"),
                             ("assessmentOff", "pre-migration assessment does not run")]:
        assert any(warning_id in w and says in w for w in warnings), (warning_id, warnings)
    assert replication.assessment is None and replication.rotation_restart is None
    # no rotation rule (the one rule left is the watch's, on the task's state changes) and no results bucket
    assert [r["Properties"]["EventPattern"]["source"] for r in template.find_resources("AWS::Events::Rule").values()] == [["aws.dms"]]
    assert not template.find_resources("AWS::S3::Bucket")
    # the guard and the run stay: a replacement is still refused, and the task stopped before it is deleted
    run = resources[logical(stack, replication.task_run)]["Properties"]
    assert run["StartTask"] == "false"
    assert resources[logical(stack, replication.task_update_guard)]["Properties"]["StopForUpdates"] == "false"


def test_skipped_assessments_are_named_in_a_warning():
    stack = new_stack()
    replication, _, _ = migration(stack, skipped_assessments=["postgres-check-pglogical"])
    _, resources = resources_of(stack)
    assert resources[logical(stack, replication.assessment)]["Properties"]["SkippedAssessments"] == ["postgres-check-pglogical"]
    assert any("assessmentsSkipped" in w and "postgres-check-pglogical" in w for w in warnings_of(stack))


def test_the_waits_are_bounded_as_the_props_say():
    stack = new_stack()
    replication, _, _ = migration(stack, task_timeout=Duration.minutes(45), assessment_timeout=Duration.hours(1))
    template, resources = resources_of(stack)
    assert resources[logical(stack, replication.task_run)]["Properties"]["TimeoutSeconds"] == 2700
    assert resources[logical(stack, replication.assessment)]["Properties"]["TimeoutSeconds"] == 3600
    # the framework asks every 30 s, as often as the bound allows
    definitions = json.dumps([m["Properties"]["DefinitionString"] for m in template.find_resources("AWS::StepFunctions::StateMachine").values()])
    assert '\\"IntervalSeconds\\":30,\\"MaxAttempts\\":90' in definitions and '\\"IntervalSeconds\\":30,\\"MaxAttempts\\":120' in definitions


def test_fails_when_a_cdc_task_is_left_unstarted_without_a_reason():
    with pytest.raises(RuntimeError, match=(
            r"\[safe-constructs:TaskStartOffWithoutReason\] Test/Replication: start_task \(startTask\) is false for a "
            r"full-load-and-cdc task, and no start_task_off_reason \(startTaskOffReason\) says why: an unstarted task captures "
            r"no change, and nobody is told; fix: give start_task_off_reason")):
        migration(new_stack(), start_task=False)
    # a full load needs no reason: it captures nothing
    stack = new_stack()
    migration(stack, start_task=False, migration_type=DmsMigrationType.FULL_LOAD)
    synth(stack)
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:TaskStartReasonUnused\] Test/Replication: start_task_off_reason "
                                           r"\(startTaskOffReason\) is given, and start_task \(startTask\) is on"):
        migration(new_stack(), start_task_off_reason="later")


def test_fails_on_waits_the_provider_framework_cannot_hold_and_on_names_dms_would_refuse():
    with pytest.raises(RuntimeError) as raised:
        migration(new_stack(), task_timeout=Duration.minutes(61), assessment_timeout=Duration.seconds(330),
                  restart_full_load_as="Two", skipped_assessments=["postgres check"])
    message = str(raised.value)
    assert ("[safe-constructs:TaskWaitOutOfRange] Test/Replication: task_timeout (taskTimeout) must be from 5 minutes to 1 hour, "
            "got: 1 hour 1 minute; fix: give whole minutes from 5 to 60") in message
    assert ("[safe-constructs:TaskWaitOutOfRange] Test/Replication: assessment_timeout (assessmentTimeout) must be whole minutes, "
            "got: 5 minutes 30 seconds") in message
    assert ("[safe-constructs:RestartLabelInvalid] Test/Replication: restart_full_load_as (restartFullLoadAs) must be 1 to 30 "
            "lower-case letters, digits and single hyphens, starting and ending with a letter or digit, got: \"Two\"") in message
    assert ("[safe-constructs:SkippedAssessmentInvalid] Test/Replication: skipped_assessments (skippedAssessments) names no "
            "individual assessment: \"postgres check\"") in message
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:SkippedAssessmentInvalid\] .* is used only with the assessment on"):
        migration(new_stack(), assessment=False, skipped_assessments=["postgres-check-pglogical"])


def test_the_task_identifier_keeps_to_dms_rule_whatever_the_names():
    stack = new_stack(stack_id="Payments--Stack-")
    replication, _, _ = migration(stack)
    # lower case, no double or trailing hyphen
    assert re.fullmatch(r"payments-?stack-replication-[0-9a-f]{8}", replication.task_identifier), replication.task_identifier
    long_stack = new_stack(stack_id="P" * 120)
    long_replication, _, _ = migration(long_stack, restart_full_load_as="a" * 30)
    identifier = long_replication.task_identifier
    assert len(identifier) <= 255 and identifier.endswith("-" + "a" * 30) and "--" not in identifier
    task = only_resource(synth(long_stack), "AWS::DMS::ReplicationTask")
    assert task["Properties"]["ReplicationTaskIdentifier"] == identifier
