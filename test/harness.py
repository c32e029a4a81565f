"""The one way the tests synthesize: build a stack, synthesize it, check it, return its Template.

Every synthesized template goes through the scan (`template_problems`): cfn-lint (AWS's own resource
schemas) in this process, so a property name or value AWS would reject fails here first; no secret in
plain text; no IAM statement on `*` unless AWS offers no narrower resource; an explicit deletion
policy on every stateful resource this library writes. `SCANNED` counts what the scan looked at.
"""
import collections
import json
import re

import aws_cdk as cdk
import cfnlint.data.AdditionalSpecs
from aws_cdk import assertions, aws_ec2 as ec2, aws_rds as rds
from cfnlint.api import ManualArgs, lint
from cfnlint.helpers import load_resource

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)

# Shared fixtures: a secret and a key created outside any stack, the engine and subnets the tests use.
EXTERNAL_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/master-AbCdEf"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)
ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
ALB_ZONE = "Z32O12XQLNTSW2"  # eu-west-1's canonical hosted zone id of load balancers

# Properties that hold a secret value; in a template they may only be dynamic references.
SECRET_PROPERTIES = {"Password", "MasterUserPassword", "SecretString", "AuthToken"}
DYNAMIC_REFERENCE = re.compile(r"^\{\{resolve:(secretsmanager|ssm-secure):[^}]+\}\}$")

# Stateful resource types, as AWS's cfn-lint lists them (rule I3011): deleting one loses data.
STATEFUL_TYPES = frozenset(load_resource(cfnlint.data.AdditionalSpecs, "StatefulResources.json")["ResourceTypes"])
# The Service Authorization Reference, as cfn-lint ships it: per service, per action, the resource
# types the action can be scoped to. An action listing none accepts only "*".
_SERVICE_AUTHORIZATION = load_resource(cfnlint.data.AdditionalSpecs, "Policies.json")
# Policies in which "*" names the resource the policy is attached to, not every resource.
SELF_RESOURCE_POLICIES = {
    # A key policy's Resource is "*", meaning the key the policy is attached to ("Elements in a key
    # policy"): https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
    ("AWS::KMS::Key", "KeyPolicy"),
}
# Where IAM statements live in a template: resource type -> property paths to policy documents.
POLICY_DOCUMENTS = {
    "AWS::IAM::Policy": [("PolicyDocument",)],
    "AWS::IAM::ManagedPolicy": [("PolicyDocument",)],
    "AWS::IAM::Role": [("AssumeRolePolicyDocument",), ("Policies", "*", "PolicyDocument")],
    "AWS::KMS::Key": [("KeyPolicy",)],
    "AWS::SecretsManager::ResourcePolicy": [("ResourcePolicy",)],
    "AWS::S3::BucketPolicy": [("PolicyDocument",)],
    "AWS::SQS::QueuePolicy": [("PolicyDocument",)],
    "AWS::SNS::TopicPolicy": [("PolicyDocument",)],
}

# What the scan has looked at in this test session, and how the property-based cases ended
# ((construct, ending) -> count); both are printed at the end of the run.
SCANNED = collections.Counter()
FUZZ_OUTCOMES = collections.Counter()


def private_vpc(stack, construct_id="Vpc"):
    """A VPC with no NAT whose isolated subnets reach Secrets Manager through an interface endpoint."""
    vpc = ec2.Vpc(stack, construct_id, max_azs=2, nat_gateways=0)
    vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    return vpc


def new_stack(env=ENV, stack_id="Test", app=None):
    """A stack in a fresh app (in a concrete account and region unless env=None)."""
    app = app or cdk.App()
    return cdk.Stack(app, stack_id, env=env)


def synth(stack, allow_errors=False):
    """Synthesizes `stack` and returns its Template after the checks every template must pass.

    Fails on an error-level cfn-lint finding, a secret property in plain text, or (unless
    `allow_errors`) an error annotation, which `cdk synth` would refuse.
    """
    template = assertions.Template.from_stack(stack)
    body = template.to_json()
    problems = template_problems(body, stack.region, library_written=logical_ids_written_by_the_library(stack))
    assert not problems, "\n".join(problems)
    if not allow_errors:
        errors = error_annotations(stack)
        assert not errors, f"synth would fail with errors: {errors}"
    return template


def error_annotations(stack):
    """The error annotations of a stack (each fails `cdk synth`), as their message texts."""
    found = assertions.Annotations.from_stack(stack).find_error("*", assertions.Match.any_value())
    return [str(e.entry.data) for e in found]


def template_problems(template_body, region=REGION, library_written=None):
    """Everything the scan finds wrong with a template, as text (empty when it passes).

    The deletion-policy check covers the stateful resources in `library_written` (logical ids), or
    every stateful resource when it is None (an app meant to be deployed as it is).
    """
    SCANNED["templates"] += 1
    SCANNED["resources"] += len(template_body.get("Resources", {}))
    return (lint_findings(template_body, region) + plaintext_secrets(template_body)
            + wildcard_statements(template_body) + stateful_without_policy(template_body, library_written))


def lint_findings(template_body, region=REGION):
    """cfn-lint's findings that fail a deploy, as text: errors (E...), and W3691 on a deprecated minor version.

    W3691 says RDS no longer creates instances on that engine version. On a bare major version such
    as "17" it is a false positive (RDS picks the major's current minor; cfn-lint#3849), so it counts
    only on a minor version.
    """
    regions = [region] if region and not cdk.Token.is_unresolved(region) else [REGION]
    matches = lint(json.dumps(template_body), config=ManualArgs(regions=regions))
    return [f"cfn-lint {m.rule.id}: {m.message} at {'/'.join(map(str, m.path))}" for m in matches
            if m.rule.id.startswith("E") or (m.rule.id == "W3691" and not _bare_major(template_body, m.path))]


def _bare_major(template_body, path):
    """Whether the engine version a W3691 finding points at (the resource's properties) is a bare major ("17")."""
    value = template_body
    for step in path:
        value = value[step] if isinstance(value, (dict, list)) and step in (value if isinstance(value, dict) else range(len(value))) else None
    if isinstance(value, dict):
        value = value.get("EngineVersion")
    return isinstance(value, (str, int)) and str(value).isdigit()


def plaintext_secrets(template_body):
    """Every secret property whose value is not a dynamic reference (whole, or joined from parts)."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SECRET_PROPERTIES and not _is_dynamic_reference(value):
                    found.append(f"plaintext secret at {'/'.join(path + [key])}: {json.dumps(value)[:80]}")
                walk(value, path + [key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + [str(i)])

    walk(template_body.get("Resources", {}), [])
    return found


def wildcard_statements(template_body):
    """Every Allow statement on Resource "*" that is not on the allow-list, as text.

    Allowed: a policy in which "*" means the resource it is attached to (SELF_RESOURCE_POLICIES), or
    a statement whose every action AWS lets be scoped to no resource type (the Service
    Authorization Reference), so "*" is the narrowest resource there is.
    """
    found = []
    for logical_id, resource in template_body.get("Resources", {}).items():
        for prop_path in POLICY_DOCUMENTS.get(resource.get("Type"), []):
            for document in _at(resource.get("Properties", {}), prop_path):
                for statement in _as_list(document.get("Statement", [])):
                    SCANNED["IAM statements"] += 1
                    if statement.get("Effect") != "Allow" or "*" not in _as_list(statement.get("Resource", [])):
                        continue
                    if (resource["Type"], prop_path[0]) in SELF_RESOURCE_POLICIES:
                        SCANNED["IAM statements on * (the policy's own resource)"] += 1
                        continue
                    scoped = [a for a in _as_list(statement.get("Action", [])) if not _accepts_only_star(a)]
                    if scoped:
                        found.append(f"IAM statement on * at {logical_id}/{'/'.join(prop_path)}: "
                                     f"{', '.join(scoped)} can be scoped to a resource ARN")
                    else:
                        SCANNED["IAM statements on * (no resource type in AWS)"] += 1
    return found


def _accepts_only_star(action):
    """True when the Service Authorization Reference gives the action no resource type."""
    if not isinstance(action, str) or ":" not in action or "*" in action:
        return False
    service, name = action.lower().split(":", 1)
    entry = _SERVICE_AUTHORIZATION.get(service, {}).get("Actions", {}).get(name)
    return entry is not None and not entry.get("Resources")


def stateful_without_policy(template_body, only=None):
    """Every stateful resource (of `only`, if given) without explicit DeletionPolicy and UpdateReplacePolicy."""
    found = []
    for logical_id, resource in template_body.get("Resources", {}).items():
        if resource.get("Type") not in STATEFUL_TYPES or (only is not None and logical_id not in only):
            continue
        SCANNED["stateful resources"] += 1
        missing = [p for p in ("DeletionPolicy", "UpdateReplacePolicy") if p not in resource]
        if missing:
            found.append(f"stateful {resource['Type']} {logical_id} has no explicit {' or '.join(missing)}")
    return found


def logical_ids_written_by_the_library(stack):
    """The logical ids of the CloudFormation resources inside this library's constructs in `stack`."""
    library_paths = [c.node.path + "/" for c in stack.node.find_all()
                     if type(c).__module__.split(".")[0] == "safe_constructs"]
    return {stack.resolve(c.logical_id) for c in stack.node.find_all()
            if isinstance(c, cdk.CfnResource) and any(c.node.path.startswith(p) for p in library_paths)}


def _at(node, path):
    """The values at a property path, "*" stepping into every item of a list."""
    if not path:
        return [node] if isinstance(node, dict) else []
    head, rest = path[0], path[1:]
    if head == "*":
        return [found for item in _as_list(node) for found in _at(item, rest)]
    return _at(node[head], rest) if isinstance(node, dict) and head in node else []


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _is_dynamic_reference(value):
    if isinstance(value, str):
        return bool(DYNAMIC_REFERENCE.match(value))
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        literal = "".join(p if isinstance(p, str) else "X" for p in parts)
        return separator == "" and bool(DYNAMIC_REFERENCE.match(literal))
    return False


def warnings_of(stack):
    """The warning annotations of a stack, as their message texts."""
    found = assertions.Annotations.from_stack(stack).find_warning("*", assertions.Match.any_value())
    return [str(w.entry.data) for w in found]


def only_resource(template, resource_type):
    """The properties of the one resource of a type, failing if there is not exactly one."""
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, f"expected one {resource_type}, found {len(resources)}"
    return next(iter(resources.values()))
