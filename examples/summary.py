"""The library's main job: synthesize the payment-migration example and summarize what came out.

Prints where each template is, the resources per type, the findings (annotations and the
cdk-nag / policy validation report), and whether every Python function asset holds what it imports.
Exits non-zero when an asset lacks a module (a Lambda would fail with ModuleNotFoundError). Run by
`npx projen synth-example`.
"""
import ast
import collections
import json
import pathlib
import sys

# What the Lambda Python runtime provides besides the standard library (boto3 and its dependencies).
RUNTIME_MODULES = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"}

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "payment_migration"))

from app import main  # noqa: E402  (the example app, imported from its folder)


def summarize(assembly):
    lines = [f"cloud assembly: {assembly.directory}"]
    for stack in assembly.stacks:
        resources = stack.template.get("Resources", {})
        lines.append(f"stack {stack.stack_name}: {stack.template_full_path}")
        lines.append(f"  {len(resources)} resources:")
        for resource_type, count in sorted(collections.Counter(r["Type"] for r in resources.values()).items()):
            lines.append(f"    {count:3d}  {resource_type}")
        # the level's value is upper case ("WARNING") in aws-cdk-lib's cx-api: compare it lower-cased
        by_level = collections.Counter(m.level.value.lower() for m in stack.messages)
        lines.append("  findings: " + (", ".join(f"{n} {level}" for level, n in sorted(by_level.items())) or "none"))
        for message in stack.messages:
            if message.level.value.lower() in ("warning", "error"):
                lines.append(f"    [{message.level.value.lower()}] {message.id}: {str(message.entry.data)[:160]}")
    report = pathlib.Path(assembly.directory) / "validation-report.json"
    if report.exists():
        for plugin in json.loads(report.read_text())["pluginReports"]:
            lines.append(f"policy validation {plugin['pluginName']}: {plugin['conclusion']}, "
                         f"{len(plugin['violations'])} violations, "
                         f"{len(plugin.get('suppressedViolations', []))} acknowledged with a reason:")
            for suppressed in plugin.get("suppressedViolations", []):
                lines.append(f"    {suppressed['ruleName'][:70]}: {suppressed['reason'][:80]}")
    problems = asset_problems(assembly.directory)
    lines.append(f"function assets: {len(python_assets(assembly.directory))} in Python, "
                 + ("each with every module it imports" if not problems else "some lacking a module:"))
    lines.extend(f"    {problem}" for problem in problems)
    return "\n".join(lines)


def python_assets(directory):
    """The asset folders of a cloud assembly that hold a Python handler (index.py)."""
    return sorted(path.parent for path in pathlib.Path(directory).glob("asset.*/index.py"))


def asset_problems(directory):
    """Each module a Python asset imports that neither the asset (or its vendor/), the standard library nor the runtime has."""
    problems = []
    for asset in python_assets(directory):
        imported = set()
        for module_file in sorted(asset.glob("*.py")):  # index.py and the handler modules beside it
            tree = ast.parse(module_file.read_text())
            imported |= {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                         if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        for module in sorted(imported - set(sys.stdlib_module_names) - RUNTIME_MODULES):
            if not any((folder / module).is_dir() or (folder / f"{module}.py").is_file() for folder in (asset, asset / "vendor")):
                problems.append(f"{asset.name}: imports {module}, which it does not hold")
    return problems


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else "cdk.out/payment_migration"
    assembly = main(outdir)
    print(summarize(assembly))
    sys.exit(1 if asset_problems(assembly.directory) else 0)
