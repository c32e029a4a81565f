"""Writes the snapshots of the integration tests: each integ/integ_*.py app's templates, synthesized here,
into integ/<file>.snapshot/ (integ-runner's layout). Run by `npx projen integ:snapshot` after a change
that alters them; test/test_integ_snapshots.py fails until they are written again. Writing a snapshot
here deploys nothing: `npx projen integ:deploy` does that, in an account.
"""
import importlib.util
import json
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
INTEG = ROOT / "integ"


def integ_apps():
    return sorted(INTEG.glob("integ_*.py"))


def synthesize(app_file, outdir):
    """Runs the app's main(outdir) in this process; returns its *.template.json files."""
    spec = importlib.util.spec_from_file_location(app_file.stem, app_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(outdir))
    return sorted(pathlib.Path(outdir).glob("*.template.json"))


def snapshot_dir(app_file):
    return INTEG / f"{app_file.name}.snapshot"


def normalized(template):
    """The template without the time integ-tests writes into each assertion ("salt", so that it runs on every deploy)."""
    for resource in template.get("Resources", {}).values():
        if resource["Type"].startswith("Custom::DeployAssert@"):
            resource.get("Properties", {}).pop("salt", None)
    return template


if __name__ == "__main__":
    for app_file in integ_apps():
        with tempfile.TemporaryDirectory() as outdir:
            templates = synthesize(app_file, outdir)
            target = snapshot_dir(app_file)
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            for template in templates:
                body = normalized(json.loads(template.read_text()))
                (target / template.name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
        print(f"{target.relative_to(ROOT)}: {len(templates)} templates", file=sys.stderr)
