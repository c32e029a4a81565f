"""DMS's pre-migration assessment as a deploy gate, before the task is first started.

A custom resource of aws-cdk-lib's Provider framework (`Custom::DmsPremigrationAssessment`), after
the task and before `Custom::DmsTaskRun`. `on_event` asks DMS which individual assessments apply to
the task (DescribeApplicableIndividualAssessments: "If you specify an existing migration task, this
operation provides the default individual assessments you can specify for that task"), leaves out the
ones the user skipped, and starts a run of exactly those (StartReplicationTaskAssessmentRun, results
to the construct's bucket, SSE_S3, with the construct's service role). `is_complete` follows the run
(DescribeReplicationTaskAssessmentRuns) until it is no longer `starting`, `provisioning` or
`running`, and until the task has left `testing` ("being tested in response to running ...
StartReplicationTaskAssessmentRun", the task's Status), so the task is never started during a run:

- `passed`: the deploy goes on.
- `warning`: the deploy goes on; the warned assessments, with what their result files say, are the
  resource's `Result` attribute, which the construct puts in a stack output (`cdk deploy` prints it).
- `failed`: the deploy fails with each failed assessment's name and the text of its result file
  (DMS writes `summary.json` and one `<assessment name>.json` per assessment to the bucket: "These
  files each contain the results for the corresponding individual assessment"). The files' format is
  not documented: every text value under a key that reads like a description, a message or a
  remediation is shown, with the file's S3 key.
- `error-provisioning`, `error-executing`, `invalid state`, `cancelling`, `deleting`, or anything
  unknown: the deploy fails with DMS's `LastFailureMessage`.

A rollback or a Delete does nothing: the results stay in the bucket (its lifecycle expires them).
An update that finds the task running (what changed was an endpoint's settings, which the guard
does not stop the task for) runs nothing and says so in `Result`: DMS documents no task state for
an assessment run, and the safe side is not to assess a running task.

Sources: the DMS API reference (the operations above, ReplicationTaskAssessmentRun.Status); the DMS
guide's CHAP_Tasks.PremigrationAssessmentRuns (statuses, the result files).
"""
import json
import re
import time

from index import THROTTLING, GateFailed, aws_client, error_code, every_page, is_rollback, stack_status, task_by_arn

ASSESSMENT = "Custom::DmsPremigrationAssessment"
RUNNING = {"starting", "provisioning", "running"}
# Fail with the run's state this long before the framework's own timeout, which says only "Operation timed out".
MARGIN_SECONDS = 90
# A custom resource's whole answer to CloudFormation must stay under 4,096 bytes.
RESULT_CHARACTERS = 2500
TEXT_KEY = re.compile(r"description|remediation|recommendation|resolution|message|detail|action|reason", re.I)
# Not there yet, refused for now, or a role DMS cannot use yet (IAM is eventually consistent): asked again.
NOT_YET = {"InvalidResourceStateFault", "AccessDeniedFault", "S3AccessDeniedFault"}
GUIDE = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.AssessmentReport.html"


def on_event(event, context, dms=None, cloudformation=None, now=None):
    """The Provider framework's onEvent: starts the run; `is_complete` waits for it."""
    request, props = event["RequestType"], event["ResourceProperties"]
    if request == "Delete":
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    if request == "Update" and is_rollback(stack_status(cloudformation or aws_client("cloudformation"), event["StackId"])):
        # the previous properties were assessed already; the attribute the stack output reads stays there
        return {"PhysicalResourceId": event["PhysicalResourceId"],
                "Data": {"Result": "rolled back: the previous deploy's assessment stands"}}
    dms = dms or aws_client("dms")
    now = now if now is not None else time.time()
    task = task_by_arn(dms, props["TaskArn"])
    if task and task["Status"] in ("running", "starting"):
        # an update that changed only what the guard does not stop the task for (an endpoint's settings): DMS does
        # not document assessing a running task, and the safe side is not to try
        return {"PhysicalResourceId": event.get("PhysicalResourceId") or f"assessment:{props['TaskIdentifier']}",
                "Data": {"Result": f"not run again: task {props['TaskIdentifier']} is {task['Status']}, and the library assesses "
                                   "only a task that is not running (stop it and deploy again to assess it)"}}
    skipped = set(props.get("SkippedAssessments") or [])
    offered = applicable(dms, props["TaskArn"])
    names = [n for n in offered if n not in skipped]
    identifier = props["TaskIdentifier"]
    run_name = f"{identifier[:180]}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}-{event['RequestId'][:8]}"
    physical_id = f"assessment:{identifier}:{run_name}"
    if not names:
        return {"PhysicalResourceId": physical_id, "Data": {"Result": (
            f"no pre-migration assessment ran: DMS offers none for this task{' beyond the skipped ones' if offered else ''}")}}
    plan = {"Run": run_name, "Folder": f"{identifier}/{run_name}", "Names": names, "Started": False,
            "Deadline": now + float(props.get("TimeoutSeconds", 3600)) - MARGIN_SECONDS}
    print(f"assessment run {run_name} of {props['TaskArn']}: {', '.join(names)}"
          + (f" (skipped: {', '.join(sorted(skipped))})" if skipped else ""))
    plan["Started"] = start(dms, props, plan)
    return {"PhysicalResourceId": physical_id, "Plan": plan}


def is_complete(event, context, dms=None, s3=None, now=None):
    """The Provider framework's isComplete: true once the run has ended and the task has left `testing`."""
    plan = event.get("Plan")
    if not plan:
        return {"IsComplete": True}
    props = event["ResourceProperties"]
    dms = dms or aws_client("dms")
    now = now if now is not None else time.time()
    try:
        run = find_run(dms, props["TaskArn"], plan["Run"])
        if run is None:
            if not plan["Started"]:
                start(dms, props, plan)  # the first try was refused for now: try again
            return waiting(plan, now, f"assessment run {plan['Run']} has not started")
        status = run["Status"]
        if status in RUNNING:
            progress = run.get("AssessmentProgress") or {}
            return waiting(plan, now, f"assessment run {plan['Run']} is still {status} "
                                      f"({progress.get('IndividualAssessmentCompletedCount', 0)} of "
                                      f"{progress.get('IndividualAssessmentCount', len(plan['Names']))} done)")
        task = task_by_arn(dms, props["TaskArn"])
        if task and task["Status"] == "testing":
            return waiting(plan, now, f"the task is still testing after assessment run {plan['Run']} ended {status}")
    except GateFailed:
        raise
    except Exception as error:
        if error_code(error) not in THROTTLING:
            raise
        return waiting(plan, now, "DMS kept throttling the calls that follow the assessment run")
    return verdict(dms, s3 or aws_client("s3"), props, plan, run)


def verdict(dms, s3, props, plan, run):
    status, location = run["Status"], f"s3://{props['Bucket']}/{plan['Folder']}/"
    outcome = {a["IndividualAssessmentName"]: a["Status"] for a in individual(dms, run["ReplicationTaskAssessmentRunArn"])}
    if status == "passed":
        return {"IsComplete": True, "Data": {"Result": f"passed: {len(outcome) or len(plan['Names'])} assessments ({location})"}}
    if status in ("failed", "warning"):
        wanted = "failed" if status == "failed" else "warning"
        named = sorted(n for n, s in outcome.items() if s == wanted)
        texts = result_texts(s3, props["Bucket"], plan["Folder"], named)
        findings = "; ".join(f"{name}: {texts[name]}" for name in named) or f"(no individual assessment reports {wanted})"
        if status == "failed":
            raise GateFailed(
                f"DMS's pre-migration assessment of task {props['TaskIdentifier']} failed (run {plan['Run']}): {findings}. "
                f"Results: {location} (summary.json, and one file per assessment). Fix what each names on the source or "
                "target and deploy again (the assessment runs again), or, for an assessment that does not apply to "
                f"this migration, name it in skipped_assessments (skippedAssessments) ({GUIDE})")
        return {"IsComplete": True, "Data": {"Result": shorten(f"warning: {findings} ({location})")}}
    raise GateFailed(f"DMS's pre-migration assessment of task {props['TaskIdentifier']} ended {status} (run {plan['Run']}): "
                     f"{run.get('LastFailureMessage') or 'DMS gives no message'}. Individual assessments: "
                     + (", ".join(f"{n} {s}" for n, s in sorted(outcome.items())) or "none reported")
                     + f". Results, if any: {location} ({GUIDE})")


def start(dms, props, plan):
    """Starts the run; False when DMS refused it for now (asked again by is_complete)."""
    try:
        dms.start_replication_task_assessment_run(
            ReplicationTaskArn=props["TaskArn"], ServiceAccessRoleArn=props["RoleArn"], ResultLocationBucket=props["Bucket"],
            ResultLocationFolder=plan["Folder"], ResultEncryptionMode="SSE_S3", AssessmentRunName=plan["Run"],
            IncludeOnly=plan["Names"])
        return True
    except Exception as error:
        code = error_code(error)
        if code == "ResourceAlreadyExistsFault":
            return True  # this run's name: an earlier try went through
        if code in THROTTLING | NOT_YET:
            print(f"the assessment run could not start yet ({code}): {error}")
            return False
        raise GateFailed(f"DMS could not start the pre-migration assessment of task {props['TaskIdentifier']} "
                         f"({code or type(error).__name__}: {error})") from None


def waiting(plan, now, state):
    if now > plan["Deadline"]:
        raise GateFailed(f"{state} when the deploy's bound for the assessment was reached: give assessment_timeout "
                         f"(assessmentTimeout) more time (at most an hour), or see the run in DMS's console ({GUIDE})")
    return {"IsComplete": False}


def applicable(dms, task_arn):
    """The names of every individual assessment DMS offers for the task."""
    return every_page(dms.describe_applicable_individual_assessments, "IndividualAssessmentNames", ReplicationTaskArn=task_arn)


def find_run(dms, task_arn, run_name):
    marker = None
    while True:
        page = dms.describe_replication_task_assessment_runs(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}], **({"Marker": marker} if marker else {}))
        for run in page.get("ReplicationTaskAssessmentRuns", []):
            if run.get("AssessmentRunName") == run_name:
                return run
        marker = page.get("Marker")
        if not marker:
            return None


def individual(dms, run_arn):
    """Every individual assessment of the run."""
    return every_page(dms.describe_replication_task_individual_assessments, "ReplicationTaskIndividualAssessments",
                      Filters=[{"Name": "replication-task-assessment-run-arn", "Values": [run_arn]}])


def result_texts(s3, bucket, folder, names):
    """For each assessment, what its result file says (its text values), or where the file was looked for."""
    keys = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{folder}/"):
        for item in page.get("Contents", []):
            base = item["Key"].rsplit("/", 1)[-1]
            if base.endswith(".json"):
                keys.setdefault(base[:-len(".json")], item["Key"])
    texts = {}
    for name in names:
        key = keys.get(name)
        if key is None:
            texts[name] = f"no {name}.json under s3://{bucket}/{folder}/"
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            found = []
            collect(json.loads(body), found)
            texts[name] = shorten(" | ".join(dict.fromkeys(found)), 600) or f"see s3://{bucket}/{key}"
        except ValueError:
            texts[name] = shorten(body.decode("utf-8", "replace"), 600)
    return texts


def collect(node, found, key=""):
    """Every non-empty text value under a key that reads like a description, message or remediation."""
    if isinstance(node, dict):
        for k, v in node.items():
            collect(v, found, k)
    elif isinstance(node, list):
        for item in node:
            collect(item, found, key)
    elif isinstance(node, str) and node.strip() and TEXT_KEY.search(key):
        found.append(node.strip())


def shorten(text, limit=RESULT_CHARACTERS):
    return text if len(text) <= limit else text[:limit - 1] + "…"
