"""Benchmarks: what the safety costs a CDK app, and how it scales. Prints figures; asserts nothing.

1. Import cost: `import safe_constructs` after `import aws_cdk`, median of fresh processes.
2. Synth cost: the payment-migration example (safe constructs) vs the same resources written as L1
   `CfnResource`s, built and synthesized in a rotating order in this one process, with aws-cdk-lib's
   built-in CloudFormation validation off and on.
3. Scaling: EncryptionAspect and SafePatternsChecks on generated apps of 100, 1,000 and 5,000
   resources: synth time, the jsii kernel's peak memory during synth, the ratio to synth without
   them (and to a no-op plugin, aws-cdk-lib's own plugin cost), and the growth exponent of synth time.

Writes docs/BENCHMARKS.md (tables with the machine, versions and date) and docs/benchmarks.json.
Run: `npx projen bench` (or `.venv/bin/python benchmarks/bench.py`; `--quick` for a short run).
"""
import datetime
import importlib.metadata
import json
import math
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import aws_cdk as cdk
import jsii
from aws_cdk import Aspects, AspectPriority, Validations
from aws_cdk import aws_dynamodb as dynamodb, aws_kms as kms, aws_logs as logs, aws_route53 as route53, aws_s3 as s3
from aws_cdk import aws_sns as sns, aws_sqs as sqs

from safe_constructs import EncryptionAspect, SafePatternsChecks

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "payment_migration"))
from app import ACCOUNT, REGION, PaymentMigrationStack  # noqa: E402  (the example, imported from its folder)

ENV = cdk.Environment(account=ACCOUNT, region=REGION)
RESOURCES_PER_STACK = 450  # under CloudFormation's 500 per stack
SYNTH_RATIO_GOAL = 1.05
SCALING_RATIO_GOAL = 1.10


# --- measuring -------------------------------------------------------------------------------------

def jsii_kernel_pids():
    """The Node processes this interpreter started (the jsii kernel), and their descendants."""
    found, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as children:
                for child in map(int, children.read().split()):
                    found.append(child)
                    todo.append(child)
    return found


def kernel_memory(field):
    """A memory figure of the jsii kernel (VmRSS or VmHWM), in MiB."""
    total = 0
    for pid in jsii_kernel_pids():
        with open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
    return total / 1024


def reset_peak_memory():
    for pid in jsii_kernel_pids():
        with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current RSS (Linux proc(5))


def timed(build, measure_memory=False):
    """Builds an app, then synthesizes it: (build + synth seconds, synth seconds, synth's peak memory increase)."""
    start = time.perf_counter()
    app = build()
    built = time.perf_counter()
    if measure_memory:
        reset_peak_memory()
        before = kernel_memory("VmRSS")
    app.synth()
    done = time.perf_counter()
    grown = kernel_memory("VmHWM") - before if measure_memory else None
    return done - start, done - built, grown


def alternate(builders, repeats, measure_memory=False):
    """Runs each builder `repeats` times, in a rotating order so drift and heap growth touch all alike: medians."""
    samples = {name: [] for name in builders}
    names = list(builders)
    for repeat in range(repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            samples[name].append(timed(builders[name], measure_memory))
    return {name: {"total_s": statistics.median(s[0] for s in runs), "synth_s": statistics.median(s[1] for s in runs),
                   "synth_spread": (max(s[1] for s in runs) - min(s[1] for s in runs)) / statistics.median(s[1] for s in runs),
                   "peak_mib": statistics.median(s[2] for s in runs) if measure_memory else None}
            for name, runs in samples.items()}


OUTDIRS = tempfile.mkdtemp(prefix="bench-")  # every cloud assembly of the run, removed at its end


def outdir():
    return tempfile.mkdtemp(dir=OUTDIRS)


@jsii.implements(cdk.IPolicyValidationPlugin)
class NoOpPlugin:
    """A policy-validation plugin that checks nothing: what aws-cdk-lib's plugin machinery costs by itself."""

    @property
    def name(self):
        return "NoOp"

    def validate(self, context):
        return cdk.PolicyValidationPluginReport(success=True, violations=[])


# --- 1. import cost --------------------------------------------------------------------------------

IMPORT_PROBE = """
import time
start = time.perf_counter(); import aws_cdk; middle = time.perf_counter()
import safe_constructs; end = time.perf_counter()
print(middle - start, end - middle)
"""


def import_cost(processes):
    runs = []
    for _ in range(processes):
        result = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=True)
        runs.append([float(x) for x in result.stdout.split()])
    cdk_s, safe_s = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    return {"processes": processes, "import_aws_cdk_s": cdk_s, "import_safe_constructs_s": safe_s,
            "ratio": (cdk_s + safe_s) / cdk_s}


# --- 2. synth cost of the payment migration --------------------------------------------------------

def payment_app(validation, with_checks, plugin=None):
    app = cdk.App(outdir=outdir(), builtin_cloud_formation_validation=validation)
    PaymentMigrationStack(app, "PaymentMigration", env=ENV)
    if with_checks:
        Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
        Validations.of(app).add_plugins(SafePatternsChecks())
    if plugin:
        Validations.of(app).add_plugins(plugin)
    return app


def hand_written_l1_app(template, validation):
    """The same resources, each an L1 CfnResource with the properties the safe constructs produced."""
    app = cdk.App(outdir=outdir(), builtin_cloud_formation_validation=validation)
    stack = cdk.Stack(app, "PaymentMigration", env=ENV)
    transforms = template.get("Transform", [])
    for transform in transforms if isinstance(transforms, list) else [transforms]:
        stack.add_transform(transform)
    for logical_id, resource in template["Resources"].items():
        l1 = cdk.CfnResource(stack, logical_id, type=resource["Type"], properties=resource.get("Properties"))
        l1.override_logical_id(logical_id)
        for attribute in ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition"):
            if attribute in resource:
                l1.add_override(attribute, resource[attribute])
    return app


def synth_cost(repeats):
    reference = payment_app(False, False).synth().get_stack_by_name("PaymentMigration").template
    extra_sections = sorted(set(reference) - {"Resources", "Parameters", "Rules", "Transform"})
    assert not extra_sections, f"the L1 copy does not handle the template sections {extra_sections}"
    results, first_synths = {}, {}
    for validation in (False, True):
        builders = {
            "hand-written L1": lambda v=validation: hand_written_l1_app(reference, v),
            "safe constructs": lambda v=validation: payment_app(v, False),
            "safe constructs + a no-op plugin": lambda v=validation: payment_app(v, False, NoOpPlugin()),
            "safe constructs + EncryptionAspect + SafePatternsChecks": lambda v=validation: payment_app(v, True),
        }
        state = "on" if validation else "off"
        # The first synth of each variant pays one-time costs (for "on", the validation engine's start).
        first_synths[state] = {name: timed(build)[0] for name, build in builders.items()}
        results[state] = alternate(builders, repeats)
    l1 = hand_written_l1_app(reference, False).synth().get_stack_by_name("PaymentMigration").template
    assert l1["Resources"] == reference["Resources"], "the L1 copy must synthesize the same resources"
    return {"resources": len(reference["Resources"]), "repeats": repeats, "validation": results,
            "first_synth_s": first_synths}


# --- 3. scaling ------------------------------------------------------------------------------------

def generated_app(resources, aspect, pack):
    """An app of `resources` CloudFormation resources from L2 constructs the aspect and the pack both check.

    The app passes both (what a team that adopted them runs every synth), so the figures are their checks,
    not the printing of findings.
    """
    app = cdk.App(outdir=outdir(), builtin_cloud_formation_validation=False)
    stack = topic_key = None
    for i in range(resources):
        if i % RESOURCES_PER_STACK == 0:
            stack = cdk.Stack(app, f"Stack{i // RESOURCES_PER_STACK}", env=ENV)
            topic_key = kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns")
        kind = i % 6
        if kind == 0:
            s3.Bucket(stack, f"Bucket{i}", encryption=s3.BucketEncryption.S3_MANAGED)
        elif kind == 1:
            sqs.Queue(stack, f"Queue{i}")
        elif kind == 2:
            sns.Topic(stack, f"Topic{i}", master_key=topic_key)
        elif kind == 3:
            dynamodb.Table(stack, f"Table{i}", partition_key=dynamodb.Attribute(
                name="id", type=dynamodb.AttributeType.STRING))
        elif kind == 4:
            logs.LogGroup(stack, f"Logs{i}")
        else:
            route53.CfnRecordSet(stack, f"Record{i}", hosted_zone_id="Z0123456789ABC", name=f"r{i // 12}.example.com.",
                type="A", weight=1, set_identifier=f"id{i}", alias_target=route53.CfnRecordSet.AliasTargetProperty(
                    dns_name="lb.eu-west-1.elb.amazonaws.com", hosted_zone_id="Z32O12XQLNTSW2"))
    if aspect:
        Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    if pack:
        Validations.of(app).add_plugins(SafePatternsChecks() if pack is True else NoOpPlugin())
    return app


def growth_exponent(sizes, seconds):
    """The slope of log(seconds) over log(size): 1 is linear."""
    xs, ys = [math.log(n) for n in sizes], [math.log(max(s, 1e-6)) for s in seconds]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)


def scaling(sizes, repeats_for):
    variants = {"without": (False, False), "EncryptionAspect": (True, False), "no-op plugin": (False, "no-op"),
                "SafePatternsChecks": (False, True), "both": (True, True)}
    for aspect, pack in variants.values():
        timed(lambda a=aspect, p=pack: generated_app(60, a, p))  # warm each code path once
    rows = {}
    for size in sizes:
        builders = {name: (lambda s=size, a=a, p=p: generated_app(s, a, p)) for name, (a, p) in variants.items()}
        rows[size] = alternate(builders, repeats_for(size), measure_memory=True)
        rows[size]["repeats"] = repeats_for(size)
    exponents = {name: growth_exponent(sizes, [rows[n][name]["synth_s"] for n in sizes]) for name in variants}
    return {"sizes": sizes, "rows": rows, "synth_time_growth_exponent": exponents}


# --- report ----------------------------------------------------------------------------------------

def machine():
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    with open("/proc/meminfo") as meminfo:
        memory_gib = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))) / 1024 ** 2
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_gib, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(), "node": node,
            "aws-cdk-lib": importlib.metadata.version("aws-cdk-lib"), "jsii": importlib.metadata.version("jsii"),
            "safe-constructs": f"{importlib.metadata.version('safe-constructs')} (commit {commit or 'unknown'})"}


def own_share(row, name):
    """The time the library's own work adds, as a share of synth without it (None for the baselines)."""
    base = row["without"]["synth_s"]
    if name == "EncryptionAspect":
        return row[name]["synth_s"] / base - 1
    if name in ("SafePatternsChecks", "both"):  # beyond what any plugin costs inside aws-cdk-lib
        return (row[name]["synth_s"] - row["no-op plugin"]["synth_s"]) / base
    return None


def verdict(met):
    return "met" if met else "**not met**"


def markdown(results):
    m, imp, syn, sca = results["machine"], results["import"], results["synth"], results["scaling"]
    lines = [
        "# Benchmarks", "",
        "Written by `npx projen bench` (`benchmarks/bench.py`); the same figures are in "
        "[benchmarks.json](benchmarks.json). Medians; variants measured in one process, in a rotating order.", "",
        "| machine | |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in m.items()], "",
        "## Import cost", "",
        f"Fresh processes: {imp['processes']} (median).", "",
        "| `import aws_cdk` | then `import safe_constructs` | ratio |", "|---:|---:|---:|",
        f"| {imp['import_aws_cdk_s']:.2f} s | {imp['import_safe_constructs_s']:.2f} s | {imp['ratio']:.2f} |", "",
        "## Synth cost: the payment migration", "",
        f"The example's {syn['resources']} resources, built and synthesized {syn['repeats']} times per variant "
        "(build + synth: what `cdk synth` spends after the imports). The L1 app declares the same resources as "
        "`CfnResource`s with the properties the safe constructs produced, so both synthesize the same template "
        f"(checked). Goal: at most {SYNTH_RATIO_GOAL:.2f} of the L1 figure.", "",
        "| built-in validation | variant | build + synth | synth only | ratio to L1 | goal |",
        "|---|---|---:|---:|---:|---|",
    ]
    for state, variants in syn["validation"].items():
        l1 = variants["hand-written L1"]["total_s"]
        for name, figures in variants.items():
            ratio = figures["total_s"] / l1
            goal = "" if name == "hand-written L1" else verdict(ratio <= SYNTH_RATIO_GOAL)
            lines.append(f"| {state} | {name} | {figures['total_s']:.3f} s | {figures['synth_s']:.3f} s | "
                         f"{ratio:.2f} | {goal} |")
    first = syn["first_synth_s"]
    lines += [
        "", f"The first synth in the process with built-in validation on (the hand-written L1 app, run after "
        f"all the \"off\" runs) took {first['on']['hand-written L1']:.2f} s, against "
        f"{syn['validation']['on']['hand-written L1']['total_s']:.2f} s for the same app later: the validation "
        "engine's start dominates a small app's synth, once per process (once per `cdk synth`).",
        "", "## Scaling: EncryptionAspect and SafePatternsChecks", "",
        "Generated apps of L2 buckets, queues, topics, tables, log groups and weighted records (450 resources per "
        "stack), built-in validation off so the figures are the library's own. Synth time and the jsii kernel's "
        "peak memory growth during synth (Node RSS high-water mark, reset before each synth). "
        f"Goal: linear growth, at most {SCALING_RATIO_GOAL - 1:.0%} added to synth by the library's own work. "
        "Any policy-validation plugin, even one that checks nothing (the no-op plugin row), makes aws-cdk-lib write "
        "a validation report and walk the construct tree for acknowledgements; SafePatternsChecks' own share is "
        "its time beyond the no-op plugin's, EncryptionAspect's its time beyond synth without it.", "",
        "| resources | repeats | variant | synth | ratio to without | the library's own share | peak memory growth | goal |",
        "|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for size in sca["sizes"]:
        row = sca["rows"][size]
        base = row["without"]["synth_s"]
        for name in ("without", "EncryptionAspect", "no-op plugin", "SafePatternsChecks", "both"):
            ratio = row[name]["synth_s"] / base
            own = own_share(row, name)
            goal = verdict(own <= SCALING_RATIO_GOAL - 1) if own is not None else ""
            lines.append(f"| {size:,} | {row['repeats']} | {name} | {row[name]['synth_s']:.2f} s | {ratio:.2f} | "
                         + (f"{own:+.0%}" if own is not None else "") + f" | {row[name]['peak_mib']:.0f} MiB | {goal} |")
    lines += ["", "Growth exponent of synth time (slope of log time over log resources, least squares; 1 is linear):", ""]
    for name, exponent in sca["synth_time_growth_exponent"].items():
        lines.append(f"- {name}: {exponent:.2f}")
    spreads = ", ".join(f"{size:,}: {sca['rows'][size]['without']['synth_spread']:.0%}" for size in sca["sizes"])
    lines += ["", "## Reading the figures", "",
              f"- Run-to-run spread (max - min over the median) of synth without the library, by size: {spreads}. "
              "A share smaller than that is within the noise of this machine.",
              "- The built-in CloudFormation validation of aws-cdk-lib starts an engine (WASM) on its first synth in "
              "a process; every variant paid it once, before the timed runs. With it on, its own per-synth cost is in "
              "every variant's figure alike, which is why the ratios move toward 1 with it on.",
              "- The L1 app's figure is the floor: no construct logic, no tokens to resolve beyond the template's own. "
              "The safe-constructs variant also pays for aws-cdk-lib's L2s the example uses (VPC, RDS, load balancer): "
              "its ratio to L1 is what the whole CDK programming model costs, of which the library is a part.",
              ""]
    return "\n".join(lines)


SUITE_START, SUITE_END = "<!-- suite:start -->", "<!-- suite:end -->"


def main(quick):
    sizes = [100, 1000] if quick else [100, 1000, 5000]
    results = {"machine": machine()}
    print("import cost ...", flush=True)
    results["import"] = import_cost(3 if quick else 7)
    print("synth cost of the payment migration ...", flush=True)
    results["synth"] = synth_cost(3 if quick else 6)
    print("scaling ...", flush=True)
    results["scaling"] = scaling(sizes, lambda n: 4 if quick or n > 1000 else 8)
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "benchmarks.json").write_text(json.dumps(results, indent=2) + "\n")
    report = markdown(results)
    print(report)
    # The test suite's figures come from benchmarks/suite.sh, which writes its own section: kept as it is.
    existing = (docs / "BENCHMARKS.md").read_text() if (docs / "BENCHMARKS.md").exists() else ""
    suite = existing[existing.find(SUITE_START):existing.find(SUITE_END) + len(SUITE_END)] if SUITE_START in existing else ""
    (docs / "BENCHMARKS.md").write_text(report + ("\n" + suite + "\n" if suite else ""))


if __name__ == "__main__":
    try:
        main("--quick" in sys.argv[1:])
    finally:
        shutil.rmtree(OUTDIRS, ignore_errors=True)
