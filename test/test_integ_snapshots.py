"""The integration tests' apps (integ/integ_*.py): synthesized here, scanned, and compared with their snapshots.

Nothing here is deployed: the snapshot records what the app synthesizes, so a change that alters a
template cannot pass unseen. Deploying the apps, which proves they work, needs an account
(`npx projen integ:deploy`). The snapshot was written with the floor aws-cdk-lib (requirements-dev.txt):
there the templates must be equal; a newer aws-cdk-lib writes its own code into some resources
(its custom-resource handlers, for one), so there the same stacks must hold the same resources
(logical ids and types).
"""
import importlib.metadata
import json
import pathlib
import re
import sys

import pytest

from harness import _SERVICE_AUTHORIZATION, lint_findings, template_problems

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from integ_snapshot import integ_apps, normalized, snapshot_dir, synthesize  # noqa: E402

FLOOR = re.search(r"^aws-cdk-lib==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M).group(1)
APPS = integ_apps()


def test_there_are_integration_tests_for_the_migration_and_a_rotating_secret():
    assert [a.name for a in APPS] == ["integ_payment_migration.py", "integ_rotating_secret.py"]


@pytest.mark.parametrize("app_file", APPS, ids=[a.name for a in APPS])
def test_integ_app_matches_its_snapshot_and_passes_the_scan(app_file, tmp_path):
    templates = {t.name: normalized(json.loads(t.read_text())) for t in synthesize(app_file, tmp_path)}
    for name, body in templates.items():
        # The assertion stack is aws-cdk's integ-tests provider (its role may make the calls on "*"): cfn-lint only.
        problems = lint_findings(body) if "DeployAssert" in name else template_problems(body)
        assert not problems, f"{name}:\n" + "\n".join(problems)
    snapshot = {t.name: json.loads(t.read_text()) for t in sorted(snapshot_dir(app_file).glob("*.template.json"))}
    stale = "the snapshot is stale: run `npx projen integ:snapshot` and review the change"
    assert sorted(templates) == sorted(snapshot), stale
    for name in templates:
        shape = {k: r["Type"] for k, r in templates[name]["Resources"].items()}
        assert shape == {k: r["Type"] for k, r in snapshot[name]["Resources"].items()}, f"{name}: {stale}"
        if importlib.metadata.version("aws-cdk-lib") == FLOOR:
            assert templates[name] == snapshot[name], f"{name}: {stale}"


@pytest.mark.parametrize("app_file", APPS, ids=[a.name for a in APPS])
def test_the_assertions_are_allowed_the_calls_they_make(app_file, tmp_path):
    # integ-tests writes the assertion role's actions from the service name it is given: "DatabaseMigrationService"
    # gave "databasemigrationservice:DescribeConnections", an action IAM does not know (denied at deploy); "DMS"
    # gives "dms:...". Every action must name a service of the Service Authorization Reference.
    for template in synthesize(app_file, tmp_path):
        if "DeployAssert" not in template.name:
            continue
        roles = [r for r in json.loads(template.read_text())["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
        actions = [a for r in roles for p in r["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]
                   for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
        assert actions and not [a for a in actions if a.split(":")[0].lower() not in _SERVICE_AUTHORIZATION], actions
