"""The one way the tests synthesize: build a stack, synthesize it once, check it, return its Template.

One synth per case gives the template and every message together (`synthesize`); `warnings_of` and
`error_annotations` read that synth, never a second one. The factories several test files share
(`migration`, `zone`, ...) are at the end.

Every synthesized template goes through the scan (`template_problems`): cfn-lint (AWS's own resource
schemas) in this process, so a property name or value AWS would reject fails here first; no secret in
plain text; no IAM statement on `*` unless AWS offers no narrower resource; an explicit deletion
policy on every stateful resource this library writes. `SCANNED` counts what the scan looked at, and
`SECONDS` where the suite's time went.
"""
import collections
import hashlib
import json
import re
import time

import aws_cdk as cdk
import cfnlint.data.AdditionalSpecs
from aws_cdk import assertions, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_rds as rds
from aws_cdk import aws_route53 as route53, aws_secretsmanager as secretsmanager
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.helpers import load_resource
from cfnlint.runner import Runner

from safe_constructs import (
    DmsAccess, DmsEndpointType, DmsMigrationType, PostgresDatabaseUser, PostgresReplication, RotatingSecret,
    SecureDmsPostgresEndpoint,
)

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)

# Shared fixtures: a secret and a key created outside any stack, the engine and subnets the tests use.
EXTERNAL_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/master-AbCdEf"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)
AURORA_POSTGRES = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_17_4)
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
# Where the suite's time goes (seconds by phase), printed at the end of the run beside the scan's counts.
SECONDS = collections.Counter()


def private_vpc(stack, construct_id="Vpc"):
    """A VPC with no NAT whose isolated subnets reach Secrets Manager through an interface endpoint."""
    vpc = ec2.Vpc(stack, construct_id, max_azs=2, nat_gateways=0)
    vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    return vpc


def new_stack(env=ENV, stack_id="Test", app=None):
    """A stack in a fresh app (in a concrete account and region unless env=None)."""
    app = app or cdk.App()
    return cdk.Stack(app, stack_id, env=env)


class Synthesized:
    """What one synth of a stack gave: its Template and its messages, by level."""

    def __init__(self, template, errors, warnings, infos, failed_validations):
        self.template, self.errors, self.warnings, self.infos = template, errors, warnings, infos
        self.failed_validations = failed_validations


# The last synths (by stack id, holding the stack so that the id stays its own; the 16 latest): the
# messages of a case are read from the synth that made its template, never from a second one.
_SYNTHESIZED = collections.OrderedDict()


def synthesize(stack):
    """Synthesizes the stack's app once and returns the template with every message.

    A synth whose validations fail (the library's synth-time checks, which fail `app.synth()` as
    `cdk synth`) has no template: the case is then synthesized again without them, and they are run on
    the same construct tree, so that the case still has a template to look at. Each is reported as
    `cdk synth` prints it: `[path] message`.
    """
    started = time.perf_counter()
    app = cdk.Stage.of(stack)
    try:
        assembly, validation = app.synth(force=True), []
    except RuntimeError as error:
        if "Validation failed" not in str(error):
            raise
        assembly = app.synth(force=True, skip_validation=True)
        validation = [f"[{c.node.path}] {m}" for c in stack.node.find_all() for m in c.node.validate()]
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    by_level = collections.defaultdict(list)
    for message in artifact.messages:
        by_level[str(message.level).split(".")[-1].lower()].append(str(message.entry.data))
    result = Synthesized(assertions.Template.from_json(artifact.template), validation + by_level["error"],
                         by_level["warning"], by_level["info"], validation)
    _SYNTHESIZED[id(stack)] = (stack, result)
    while len(_SYNTHESIZED) > 16:
        _SYNTHESIZED.popitem(last=False)
    SECONDS["synth (harness)"] += time.perf_counter() - started
    return result


def _last(stack):
    cached = _SYNTHESIZED.get(id(stack))
    return cached[1] if cached and cached[0] is stack else synthesize(stack)


def synth(stack, allow_errors=False):
    """Synthesizes `stack` (once) and returns its Template after the checks every template must pass.

    Fails on an error-level cfn-lint finding, a secret property in plain text, or (unless
    `allow_errors`) an error of the library, which `cdk synth` would refuse.
    """
    result = synthesize(stack)
    if result.failed_validations and not allow_errors:
        # what `app.synth()` raised, as it raised it
        raise RuntimeError("ValidationFailedWithErrors: Validation failed with the following errors:\n  "
                           + "\n  ".join(result.failed_validations))
    body = result.template.to_json()
    problems = template_problems(body, stack.region, library_written=logical_ids_written_by_the_library(stack))
    assert not problems, "\n".join(problems)
    if not allow_errors:
        assert not result.errors, f"synth would fail with errors: {result.errors}"
    return result.template


def error_annotations(stack):
    """The errors of the stack's last synth (each fails `cdk synth`): failed validations and error annotations."""
    return _last(stack).errors


def template_problems(template_body, region=REGION, library_written=None):
    """Everything the scan finds wrong with a template, as text (empty when it passes).

    The deletion-policy check covers the stateful resources in `library_written` (logical ids), or
    every stateful resource when it is None (an app meant to be deployed as it is).
    """
    SCANNED["templates"] += 1
    SCANNED["resources"] += len(template_body.get("Resources", {}))
    return (lint_findings(template_body, region) + plaintext_secrets(template_body)
            + wildcard_statements(template_body) + stateful_without_policy(template_body, library_written))


# cfn-lint's findings by (template, region): a template synthesized again by another case (a shared
# fixture) is judged once. Identical input, identical findings: nothing is skipped.
_LINTED = {}
# One cfn-lint runner per region list, as cfn-lint's own CLI uses one for many templates: building its
# rules costs about 0.3 s, which `cfnlint.api.lint` pays on every call.
_RUNNERS = {}


def _runner(regions):
    if regions not in _RUNNERS:
        _RUNNERS[regions] = Runner(ConfigMixIn(regions=list(regions)))
    return _RUNNERS[regions]


def lint_findings(template_body, region=REGION):
    """cfn-lint's findings that fail a deploy, as text: errors (E...), and W3691 on a deprecated minor version.

    W3691 says RDS no longer creates instances on that engine version. On a bare major version such
    as "17" it is a false positive (RDS picks the major's current minor; cfn-lint#3849), so it counts
    only on a minor version.

    E1041 on an alias whose AliasTarget.HostedZoneId is the hosted zone its record is in: an alias to
    "another Route 53 record in the same hosted zone" is one Route 53 documents (developer guide,
    "Choosing between alias and non-alias records"; API reference, AliasTarget), and its hosted zone
    ID is that zone's. cfn-lint 1.58's format check (cfn-lint#4560) accepts only the ids of other
    services' resources there, so that one case does not count.
    """
    regions = [region] if region and not cdk.Token.is_unresolved(region) else [REGION]
    text = json.dumps(template_body, sort_keys=True)
    key = (hashlib.sha256(text.encode()).hexdigest(), tuple(regions))
    if key not in _LINTED:
        started = time.perf_counter()
        matches = list(_runner(tuple(regions)).validate_template(decode_str(text)[0]))
        SECONDS["cfn-lint"] += time.perf_counter() - started
        _LINTED[key] = [f"cfn-lint {m.rule.id}: {m.message} at {'/'.join(map(str, m.path))}" for m in matches
                        if (m.rule.id.startswith("E") and not (m.rule.id == "E1041" and _alias_in_own_zone(template_body, m.path)))
                        or (m.rule.id == "W3691" and not _bare_major(template_body, m.path))]
    else:
        SCANNED["templates linted once before (same template)"] += 1
    return list(_LINTED[key])


def _bare_major(template_body, path):
    """Whether the engine version a W3691 finding points at (the resource's properties) is a bare major ("17")."""
    value = template_body
    for step in path:
        value = value[step] if isinstance(value, (dict, list)) and step in (value if isinstance(value, dict) else range(len(value))) else None
    if isinstance(value, dict):
        value = value.get("EngineVersion")
    return isinstance(value, (str, int)) and str(value).isdigit()


def _alias_in_own_zone(template_body, path):
    """Whether a finding points at a record's AliasTarget.HostedZoneId that is the record's own HostedZoneId."""
    if len(path) != 5 or path[0] != "Resources" or list(path[2:]) != ["Properties", "AliasTarget", "HostedZoneId"]:
        return False
    resource = template_body.get("Resources", {}).get(path[1], {})
    properties = resource.get("Properties", {})
    zone = properties.get("HostedZoneId")
    return (resource.get("Type") == "AWS::Route53::RecordSet" and isinstance(zone, dict) and "Ref" in zone
            and properties.get("AliasTarget", {}).get("HostedZoneId") == zone
            and template_body["Resources"].get(zone["Ref"], {}).get("Type") == "AWS::Route53::HostedZone")


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
    # Python-side type checks first: each jsii property read is a call into the kernel.
    ours = [c for c in stack.node.find_all() if type(c).__module__.split(".")[0] == "safe_constructs"]
    outermost = [c for c in ours if not any(o is not c and _is_inside(c, o) for o in ours)]
    return {stack.resolve(r.logical_id) for c in outermost for r in c.node.find_all()
            if isinstance(r, cdk.CfnResource) and cdk.Stack.of(r) is stack}


def _is_inside(child, parent):
    scope = child.node.scope
    while scope is not None:
        if scope is parent:
            return True
        scope = scope.node.scope
    return False


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
    """The warning annotations of the stack's last synth, as their message texts."""
    return _last(stack).warnings


def infos_of(stack):
    """The info annotations of the stack's last synth."""
    return _last(stack).infos


def only_resource(template, resource_type):
    """The properties of the one resource of a type, failing if there is not exactly one."""
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, f"expected one {resource_type}, found {len(resources)}"
    return next(iter(resources.values()))


# Shared factories: what several test files build.

def zone(stack):
    return route53.HostedZone.from_hosted_zone_attributes(stack, "Zone", hosted_zone_id="Z0123456789ABC",
                                                          zone_name="example.com")


def public_vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def alb(stack, name="Alb", network=None):
    return elbv2.ApplicationLoadBalancer(stack, name, vpc=network or public_vpc(stack), internet_facing=True)


def imported_alb(stack, name="Old", dns="old-123.eu-west-1.elb.amazonaws.com"):
    return elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(stack, name,
        load_balancer_arn=f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/{name}/abc",
        security_group_id="sg-12345678", load_balancer_dns_name=dns,
        load_balancer_canonical_hosted_zone_id=ALB_ZONE)


def records_by_identifier(template):
    return {r["Properties"]["SetIdentifier"]: r["Properties"]
            for r in template.find_resources("AWS::Route53::RecordSet").values()}


def statements_of(template, role_prefix):
    """The statements of a role's policies, less those that let it write its own logs."""
    def writes_logs(statement):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        return all(a.startswith("logs:") for a in actions)
    return [s for p in template.find_resources("AWS::IAM::Policy").values()
            if any(r["Ref"].startswith(role_prefix) for r in p["Properties"]["Roles"])
            for s in p["Properties"]["PolicyDocument"]["Statement"] if not writes_logs(s)]


def logical_id(stack, construct):
    return stack.get_logical_id(construct.node.default_child)


# The migration's shape, for PostgresReplication and the gates that stand in its deploy.
LOGICAL_REPLICATION = {"rds.logical_replication": "1"}


def migration(stack, vpc=None, parameters=LOGICAL_REPLICATION, source_props=None, source_endpoint_props=None, **overrides):
    """A source database (rotating master secret, attached; `source_props` are its own), an external-secret target,
    and their replication (`source_endpoint_props`: the source endpoint's own)."""
    vpc = vpc or private_vpc(stack)
    group = rds.ParameterGroup(stack, "Params", engine=POSTGRES, parameters=parameters) if parameters else None
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)
    source_secret = RotatingSecret(stack, "SourceSecret", username="payments", hosted_rotation=rotation)
    source_db = rds.DatabaseInstance(stack, "SourceDb", **{"engine": POSTGRES, "vpc": vpc, "vpc_subnets": ISOLATED,
        "storage_encrypted": True, "parameter_group": group, "credentials": rds.Credentials.from_secret(source_secret),
        **(source_props or {})})
    source_db.connections.allow_default_port_from(rotation)
    target_db = rds.DatabaseInstance(stack, "TargetDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED,
        storage_encrypted=True, credentials=rds.Credentials.from_generated_secret("postgres"))
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret", EXTERNAL_ARN)
    source = SecureDmsPostgresEndpoint(stack, "Source", secret=source_secret, endpoint_type=DmsEndpointType.SOURCE,
                                       database_name="payments", **(source_endpoint_props or {}))
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                       database_name="payments")
    props = dict(source=source, target=target, vpc=vpc, vpc_subnets=ISOLATED, source_database=source_db,
                 target_database=target_db, migration_type=DmsMigrationType.FULL_LOAD_AND_CDC, schemas=["payments"])
    props.update(overrides)
    return PostgresReplication(stack, "Replication", **props), source_db, target_db


def migration_with_users(stack, heartbeat=True, **overrides):
    """The payment example's shape: DMS users with rotating secrets attached to their databases."""
    vpc = private_vpc(stack)
    group = rds.ParameterGroup(stack, "Params", engine=POSTGRES, parameters=LOGICAL_REPLICATION)
    rotation = lambda: secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)  # noqa: E731
    databases, users = [], []
    for name, access in (("Source", DmsAccess.SOURCE), ("Target", DmsAccess.TARGET)):
        master = RotatingSecret(stack, f"{name}Master", username="postgres", hosted_rotation=rotation())
        db = rds.DatabaseInstance(stack, f"{name}Db", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
                                  parameter_group=group, credentials=rds.Credentials.from_secret(master))
        secret = RotatingSecret(stack, f"{name}DmsSecret", username=f"dms_{name.lower()}", hosted_rotation=rotation())
        secret.attach(db)
        user_access = overrides.pop(f"{name.lower()}_access", access)
        # DMS requires rds_superuser of a CDC source user that is not the master (CHAP_Source.PostgreSQL)
        user_props = {"database_name": "payments", "schema_name": "payments",
                      **({"grant_rds_superuser": True} if user_access == DmsAccess.SOURCE else {}),
                      **overrides.pop(f"{name.lower()}_user", {})}
        users.append(PostgresDatabaseUser(stack, f"{name}User", master_secret=master, user_secret=secret, access=user_access, vpc=vpc,
            vpc_subnets=ISOLATED, database=db, **user_props))
        databases.append((db, secret))
    (source_db, source_secret), (target_db, target_secret) = databases
    source = SecureDmsPostgresEndpoint(stack, "Source", secret=source_secret, endpoint_type=DmsEndpointType.SOURCE,
        database_name="payments", cdc_settings=overrides.pop("cdc_settings", {"heartbeat_enable": heartbeat}))
    target = SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
        database_name="payments")
    replication = PostgresReplication(stack, "Replication", source=source, target=target, vpc=vpc, vpc_subnets=ISOLATED,
        source_database=source_db, target_database=target_db,
        migration_type=overrides.pop("migration_type", DmsMigrationType.FULL_LOAD_AND_CDC),
        schemas=overrides.pop("schemas", ["payments"]), **overrides)
    return replication, users


def aurora_migration(stack, cluster_parameters=LOGICAL_REPLICATION, writer_parameters=None):
    """An Aurora PostgreSQL source cluster (its DMS user on the writer) replicated into an instance."""
    vpc = private_vpc(stack)
    rotation = lambda: secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=ISOLATED)  # noqa: E731
    group = rds.ParameterGroup(stack, "ClusterParams", engine=AURORA_POSTGRES, parameters=cluster_parameters) if cluster_parameters else None
    master = RotatingSecret(stack, "ClusterMaster", username="postgres", hosted_rotation=rotation())
    cluster = rds.DatabaseCluster(stack, "Cluster", engine=AURORA_POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True,
        parameter_group=group, credentials=rds.Credentials.from_secret(master),
        writer=rds.ClusterInstance.provisioned("Writer", instance_type=ec2.InstanceType("r6g.large"), parameter_group=(
            rds.ParameterGroup(stack, "WriterParams", engine=AURORA_POSTGRES, parameters=writer_parameters) if writer_parameters else None)))
    reader_secret = RotatingSecret(stack, "ReaderSecret", username="dms_reader", hosted_rotation=rotation())
    reader_secret.attach(cluster)
    user = PostgresDatabaseUser(stack, "Reader", master_secret=master, user_secret=reader_secret, database_name="payments",
                                schema_name="payments", access=DmsAccess.SOURCE, vpc=vpc, vpc_subnets=ISOLATED, database=cluster,
                                grant_rds_superuser=True)
    target_db = rds.DatabaseInstance(stack, "TargetDb", engine=POSTGRES, vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    target_secret = secretsmanager.Secret.from_secret_complete_arn(stack, "TargetSecret", EXTERNAL_ARN)
    PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=ISOLATED, source_database=cluster, target_database=target_db,
        migration_type=DmsMigrationType.FULL_LOAD_AND_CDC, schemas=["payments"],
        source=SecureDmsPostgresEndpoint(stack, "Source", secret=reader_secret, endpoint_type=DmsEndpointType.SOURCE,
                                         database_name="payments"),
        target=SecureDmsPostgresEndpoint(stack, "Target", secret=target_secret, endpoint_type=DmsEndpointType.TARGET,
                                         database_name="payments"))
    return cluster, user
