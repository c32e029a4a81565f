"""The library's main job: synthesize the payment-migration example and summarize what came out.

Prints where each template is, the resources per type, and the findings (annotations and the
cdk-nag / policy validation report). Run by `npx projen synth-example`.
"""
import collections
import json
import pathlib
import sys

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
        by_level = collections.Counter(m.level.value for m in stack.messages)
        lines.append("  findings: " + (", ".join(f"{n} {level}" for level, n in sorted(by_level.items())) or "none"))
        for message in stack.messages:
            if message.level.value in ("warning", "error"):
                lines.append(f"    [{message.level.value}] {message.id}: {str(message.entry.data)[:160]}")
    report = pathlib.Path(assembly.directory) / "validation-report.json"
    if report.exists():
        for plugin in json.loads(report.read_text())["pluginReports"]:
            lines.append(f"policy validation {plugin['pluginName']}: {plugin['conclusion']}, "
                         f"{len(plugin['violations'])} violations, "
                         f"{len(plugin.get('suppressedViolations', []))} acknowledged with a reason:")
            for suppressed in plugin.get("suppressedViolations", []):
                lines.append(f"    {suppressed['ruleName'][:70]}: {suppressed['reason'][:80]}")
    return "\n".join(lines)


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else "cdk.out/payment_migration"
    print(summarize(main(outdir)))
