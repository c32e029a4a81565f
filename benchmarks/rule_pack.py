"""Benchmark: what SafePatternsChecks adds to `cdk synth` on generated apps of 1,000 and 5,000 resources.

Each app is built, then synthesized (only synthesis is timed), without and with the pack, alternating,
in this one process; the median of the repeats is reported with the ratio. aws-cdk-lib's built-in
CloudFormation validation is off in both, so the figure is the pack's own cost. A benchmark prints
figures; it asserts nothing. Run: `npx projen bench-rules` (or `.venv/bin/python benchmarks/rule_pack.py 1000`).
"""
import statistics
import sys
import tempfile
import time

import aws_cdk as cdk
from aws_cdk import Validations, aws_route53 as route53, aws_s3 as s3, aws_sns as sns, aws_sqs as sqs

from safe_constructs import SafePatternsChecks

RESOURCES_PER_STACK = 450  # under CloudFormation's 500 per stack


def build_app(resources, with_pack):
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="bench-"), builtin_cloud_formation_validation=False)
    stack = None
    for i in range(resources):
        if i % RESOURCES_PER_STACK == 0:
            stack = cdk.Stack(app, f"Stack{i // RESOURCES_PER_STACK}")
        kind = i % 4
        if kind == 0:
            s3.CfnBucket(stack, f"Bucket{i}")
        elif kind == 1:
            sqs.CfnQueue(stack, f"Queue{i}", sqs_managed_sse_enabled=True)
        elif kind == 2:
            sns.CfnTopic(stack, f"Topic{i}", kms_master_key_id="alias/aws/sns")
        else:
            route53.CfnRecordSet(stack, f"Record{i}", hosted_zone_id="Z0123456789ABC", name=f"r{i // 8}.example.com.",
                type="A", weight=1, set_identifier=f"id{i}", alias_target=route53.CfnRecordSet.AliasTargetProperty(
                    dns_name="lb.eu-west-1.elb.amazonaws.com", hosted_zone_id="Z32O12XQLNTSW2"))
    if with_pack:
        Validations.of(app).add_plugins(SafePatternsChecks())
    return app


def timed_synth(resources, with_pack):
    app = build_app(resources, with_pack)
    start = time.perf_counter()
    app.synth()
    return time.perf_counter() - start


def measure(resources, repeats):
    without, with_pack = [], []
    for _ in range(repeats):  # alternate, so drift of the machine touches both alike
        without.append(timed_synth(resources, False))
        with_pack.append(timed_synth(resources, True))
    return statistics.median(without), statistics.median(with_pack)


def main(sizes):
    timed_synth(50, True)  # warm the jsii runtime and both code paths once
    print(f"{'resources':>9} {'repeats':>7} {'synth s':>9} {'with pack s':>11} {'ratio':>6} {'pack s':>7}")
    for resources in sizes:
        repeats = 3 if resources <= 1000 else 2
        without, with_pack = measure(resources, repeats)
        print(f"{resources:>9} {repeats:>7} {without:>9.2f} {with_pack:>11.2f} {with_pack / without:>6.2f} "
              f"{with_pack - without:>7.2f}")


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000, 5000])
