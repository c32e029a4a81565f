"""The example apps, synthesized by the real CDK CLI as a user would, and checked by cfn-lint and cdk-nag."""
import json
import os
import pathlib
import runpy
import subprocess
import sys

import pytest

from test_docs import check_assembly

ROOT = pathlib.Path(__file__).resolve().parent.parent
CDK_CLI = ROOT / "node_modules" / ".bin" / "cdk"
EXAMPLES = ["payment_migration", "external_secret_database"]


def cdk_synth(example, outdir):
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("CDK_OUTDIR", None)
    return subprocess.run([str(CDK_CLI), "synth", "--no-notices", "--no-version-reporting", "--quiet", "-o", str(outdir)],
                          cwd=ROOT / "examples" / example, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Each example synthesized once by the CDK CLI: its cloud assembly directory, by name."""
    outdirs = {}

    def get(example):
        if example not in outdirs:
            outdir = tmp_path_factory.mktemp(example)
            result = cdk_synth(example, outdir)
            assert result.returncode == 0, result.stderr[-4000:]
            outdirs[example] = outdir
        return outdirs[example]
    return get


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_templates_pass_cfn_lint_and_hold_no_secret(synthesized, example):
    assert len(check_assembly(synthesized(example))) == 1


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_passes_cdk_nag_with_every_acknowledgement_explained(synthesized, example):
    outdir = synthesized(example)
    report = json.loads((outdir / "validation-report.json").read_text())
    # cdk-nag, SafePatternsChecks and aws-cdk-lib's own validation run side by side (a plugin with
    # nothing to report may be left out of the report)
    assert {p["pluginName"] for p in report["pluginReports"]} <= {"AwsSolutions", "SafePatterns", "CloudFormation Validate"}
    for plugin in report["pluginReports"]:
        assert plugin["conclusion"] == "success" and plugin["violations"] == [], plugin["pluginName"]
        assert all(len(s["reason"]) > 20 for s in plugin.get("suppressedViolations", []))


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_has_no_error_or_warning_annotation(synthesized, example):
    outdir = synthesized(example)
    manifest = json.loads((outdir / "manifest.json").read_text())
    levels = [entry["type"] for artifact in manifest["artifacts"].values()
              for entries in artifact.get("metadata", {}).values() for entry in entries]
    assert "aws:cdk:error" not in levels and "aws:cdk:warning" not in levels


def template_of(outdir):
    [path] = outdir.glob("*.template.json")
    return json.loads(path.read_text())


def test_payment_migration_is_the_original_project_done_right(synthesized):
    resources = template_of(synthesized("payment_migration"))["Resources"].values()
    endpoints = [r["Properties"] for r in resources if r["Type"] == "AWS::DMS::Endpoint"]
    assert sorted(e["EndpointType"] for e in endpoints) == ["source", "target"]
    for endpoint in endpoints:
        assert set(endpoint["PostgreSqlSettings"]) >= {"SecretsManagerSecretId", "SecretsManagerAccessRoleArn"}
        assert not {"Username", "Password", "ServerName", "Port"} & set(endpoint)
        assert endpoint["SslMode"] == "require"
    [task] = [r["Properties"] for r in resources if r["Type"] == "AWS::DMS::ReplicationTask"]
    assert task["MigrationType"] == "full-load-and-cdc"
    weights = sorted(r["Properties"]["Weight"] for r in resources if r["Type"] == "AWS::Route53::RecordSet")
    assert weights == [0, 100]
    # the shift is tied to the replication: its records wait for the proof, which reads this task, and the task
    # validates its rows
    [(gate_id, gate)] = [(k, r) for k, r in template_of(synthesized("payment_migration"))["Resources"].items()
                         if r["Type"] == "Custom::DmsCutoverProof"]
    assert all(gate_id in r["DependsOn"] for r in resources if r["Type"] == "AWS::Route53::RecordSet")
    assert gate["Properties"]["MigrationType"] == "full-load-and-cdc" and gate["Properties"]["Validation"] is True
    assert json.loads(task["ReplicationTaskSettings"])["ValidationSettings"]["EnableValidation"] is True
    # every secret that DMS, a rotation or a user function reads a host from is attached to its database
    assert sum(r["Type"] == "AWS::SecretsManager::SecretTargetAttachment" for r in resources) == 4
    # the external master secret is checked before the database, and before the target user's function logs in with it
    assert sum(r["Type"] == "Custom::SecretPreflightCheck" for r in resources) == 2
    # DMS's users exist, with their grants, before the task runs; the task loses nothing by default
    users = sorted(r["Properties"]["Access"] for r in resources if r["Type"] == "Custom::PostgresDatabaseUser")
    assert users == ["SOURCE", "TARGET"]
    [task_resource] = [r for r in resources if r["Type"] == "AWS::DMS::ReplicationTask"]
    assert sum(d.startswith(("DmsReader", "DmsWriter")) for d in task_resource["DependsOn"]) >= 2
    settings = json.loads(task["ReplicationTaskSettings"])
    assert settings["TargetMetadata"]["FullLobMode"] and settings["FullLoadSettings"]["TargetTablePrepMode"] == "DO_NOTHING"
    # DMS's own tables where its users may create them, on an engine that supports PostgreSQL 17
    assert settings["ControlTablesSettings"]["ControlSchema"] == "awsdms"
    [source] = [e for e in endpoints if e["EndpointType"] == "source"]
    assert source["PostgreSqlSettings"]["HeartbeatSchema"] == "awsdms" and source["PostgreSqlSettings"]["CaptureDdls"] is False
    assert {r["Properties"]["DmsSchema"] for r in resources if r["Type"] == "Custom::PostgresDatabaseUser"} == {"awsdms"}
    [instance] = [r["Properties"] for r in resources if r["Type"] == "AWS::DMS::ReplicationInstance"]
    assert instance["EngineVersion"] == "3.6.1"
    # DMS's users rotate less often than the migration lasts (a rotation needs a task restart)
    schedules = [r["Properties"]["RotationRules"]["ScheduleExpression"] for k, r in template_of(
        synthesized("payment_migration"))["Resources"].items() if r["Type"] == "AWS::SecretsManager::RotationSchedule" and "Dms" in k]
    assert schedules == ["rate(90 days)", "rate(90 days)"]
    # the legacy database has logical replication on, and nothing tries to create DMS's account roles
    [parameters] = [r["Properties"] for r in resources if r["Type"] == "AWS::RDS::DBParameterGroup"]
    assert parameters["Parameters"]["rds.logical_replication"] == "1"
    assert not [r for r in resources if r["Type"] == "AWS::IAM::Role" and "RoleName" in r["Properties"]]
    # the legacy database's disk is bounded (a tenth of its 100 GiB) and the DMS heartbeat is on; the replication is watched
    assert parameters["Parameters"]["max_slot_wal_keep_size"] == "10240" and source["PostgreSqlSettings"]["HeartbeatEnable"] is True
    alarms = {r["Properties"]["MetricName"] for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == {"CDCLatencySource", "CDCLatencyTarget", "OldestReplicationSlotLag", "TransactionLogsDiskUsage",
                      "FreeStorageSpace", "FreeableMemory"}  # FreeStorageSpace twice: the source's and the instance's
    [topic] = [r["Properties"] for r in resources if r["Type"] == "AWS::SNS::Topic"]
    # one rule on the task's state changes, to the topic (the other rule restarts the task after a rotation)
    assert "KmsMasterKeyId" in topic and sorted(r["Properties"]["EventPattern"]["source"][0] for r in resources
                                                if r["Type"] == "AWS::Events::Rule") == ["aws.dms", "aws.secretsmanager"]


def test_external_secret_database_checks_the_secret_before_the_database_and_the_cache(synthesized):
    resources = template_of(synthesized("external_secret_database"))["Resources"]
    [check_id] = [k for k, r in resources.items() if r["Type"] == "Custom::SecretPreflightCheck"]
    for guarded in ("AWS::RDS::DBInstance", "AWS::ElastiCache::ReplicationGroup"):
        [resource] = [r for r in resources.values() if r["Type"] == guarded]
        assert check_id in resource["DependsOn"], guarded
    [cache] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ElastiCache::ReplicationGroup"]
    assert cache["AtRestEncryptionEnabled"] is True and cache["TransitEncryptionEnabled"] is True


def test_main_job_summarizes_the_payment_migration(tmp_path):
    summary = runpy.run_path(str(ROOT / "examples" / "summary.py"))
    text = summary["summarize"](summary["main"](str(tmp_path)))
    assert f"stack PaymentMigration: {tmp_path}/PaymentMigration.template.json" in text
    assert "      2  AWS::DMS::Endpoint" in text
    # the example's one warning, the source user's rds_superuser, is printed, not only counted
    assert "\n    [warning] /PaymentMigration/DmsReader: grant_rds_superuser (grantRdsSuperuser) is True" in text
    assert "policy validation AwsSolutions: success, 0 violations" in text


def test_every_python_function_asset_holds_what_it_imports(synthesized, tmp_path):
    # What `npx projen synth-example` checks: a Lambda asset without its driver fails only when invoked
    sys.path.insert(0, str(ROOT / "examples"))
    from summary import asset_problems, python_assets
    outdir = synthesized("payment_migration")
    assert len(python_assets(outdir)) == 3 and asset_problems(outdir) == []  # pre-flight, database user, gates (every module)
    # the same database-user asset without its vendored driver, as the main job once built it
    [user_asset] = [a for a in python_assets(outdir) if "pg8000" in (a / "index.py").read_text()]
    broken = tmp_path / user_asset.name
    broken.mkdir()
    for module in user_asset.glob("*.py"):  # its modules, without vendor/
        (broken / module.name).write_text(module.read_text())
    assert asset_problems(tmp_path) == [f"{user_asset.name}: imports pg8000, which it does not hold"]


def test_readme_lists_every_finding_the_payment_example_acknowledges_on_the_replication_with_its_reason():
    # GIVEN the example's acknowledgments on the replication's parts (its acknowledge_task_life), read from its source
    import ast
    source = (ROOT / "examples" / "payment_migration" / "app.py").read_text()
    [method] = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == "acknowledge_task_life"]
    acknowledged = [(ast.unparse(k.value), next(r.value.value for r in call.keywords if r.arg == "reason"))
                    for call in ast.walk(method) if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Acknowledgment"
                    for k in call.keywords if k.arg == "id"]
    assert len(acknowledged) >= 8
    # THEN README's list of them (in "The migration's weeks") gives each reason as the example does, and the rule it names
    readme = (ROOT / "README.md").read_text()
    listed = readme.split("cdk-nag reports these on the replication")[1].split("\n\n", 2)[1]
    for finding, reason in acknowledged:
        rule = finding.strip("'\"f").removeprefix("AwsSolutions::").split("[")[0]
        assert reason in " ".join(listed.split()), reason
        assert rule in listed, rule
