"""The one way the tests synthesize: build a stack, synthesize it, check it, return its Template.

Every synthesized template goes through cfn-lint (AWS's own resource schemas), in this process, so a
property name or value AWS would reject fails here first, and through the plaintext-secret scan.
"""
import json
import re

import aws_cdk as cdk
from aws_cdk import assertions
from cfnlint.api import ManualArgs, lint

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)

# Properties that hold a secret value; in a template they may only be dynamic references.
SECRET_PROPERTIES = {"Password", "MasterUserPassword", "SecretString", "AuthToken"}
DYNAMIC_REFERENCE = re.compile(r"^\{\{resolve:(secretsmanager|ssm-secure):[^}]+\}\}$")


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
    problems = lint_findings(body, stack.region) + plaintext_secrets(body)
    assert not problems, "\n".join(problems)
    if not allow_errors:
        errors = assertions.Annotations.from_stack(stack).find_error("*", assertions.Match.any_value())
        assert not errors, f"synth would fail with errors: {errors}"
    return template


def lint_findings(template_body, region=REGION):
    """cfn-lint's error-level findings (rule ids E...) on a template, as text."""
    regions = [region] if region and not cdk.Token.is_unresolved(region) else [REGION]
    matches = lint(json.dumps(template_body), config=ManualArgs(regions=regions))
    return [f"cfn-lint {m.rule.id}: {m.message} at {'/'.join(map(str, m.path))}"
            for m in matches if m.rule.id.startswith("E")]


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
