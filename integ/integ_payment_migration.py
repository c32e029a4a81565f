"""Integration test, for an account: a PostgreSQL 17 migration, assessed, started and kept by the deploy, and a cutover that waits.

Two databases (the source with logical replication), DMS's users created by PostgresDatabaseUser,
both endpoints on their secrets, and PostgresReplication: its DmsConnectionGate fails the deploy
unless DMS connects to both endpoints, DMS's pre-migration assessment runs before the task starts,
and the deploy starts the task. A WeightedTrafficShift in a private hosted zone is tied to the
replication at 0 % (nothing to prove for a deploy that sends the new side nothing). The assertions
then check, from outside: DescribeConnections successful for both endpoints; the task validates its
rows (its settings); the task's assessment run `passed`; the task `running`; the cutover gate, asked
directly right after the start for a rise to 50 %, refuses, naming why (the databases are new and
empty: DMS reports no table, so nothing is loaded or validated, and CDC latency has no datapoint
yet); and the alarms on the replication instance, the task's CDC latency and the source's slot in
OK (so DMS and RDS publish their metrics under the dimension values the construct derives: an alarm
on a value nobody publishes goes to ALARM). The deploy itself shows that RDS accepts the bound
(max_slot_wal_keep_size) in the source's parameter group. A validation that finishes ("Validated" on
every table) needs tables with rows in the source: run the gate the same way on your own migration.
Destroying the stack stops the task first (the construct's run resource), as DMS deletes only a
stopped task.

A settings change around the running task: deploy the app a second time with
`-c task-settings-change=true` (the stacks kept by `integ:deploy -- --no-clean`, then
`npx cdk deploy --all --app "python integ/integ_payment_migration.py" -c task-settings-change=true`):
the task's ChangeProcessingTuning.MemoryKeepTime changes, so the deploy stops the task, CloudFormation
modifies it, and the deploy resumes it; the assertions of that deploy check that the task runs with
the new setting. Then `npx cdk destroy --all` with the same --app.

The account must have DMS's roles (dms-vpc-role, dms-cloudwatch-logs-role), as one that used DMS's
console has; otherwise set `create-dms-account-roles` in the context once.

Deploy it with `npx projen integ:deploy` (needs an account: see README, "Integration tests"). This
repository's CI never deploys it: it compares the committed snapshot (integ_payment_migration.py.snapshot/)
with what the app synthesizes, which shows that the template did not change unseen, not that it deploys.
"""
import aws_cdk as cdk
from aws_cdk import Duration, RemovalPolicy, aws_ec2 as ec2, aws_rds as rds, aws_route53 as route53, aws_secretsmanager as secretsmanager
from aws_cdk import integ_tests_alpha as integ

from safe_constructs import (
    DmsAccess, DmsAccountRolesMode, DmsEndpointType, DmsMigrationType, PostgresDatabaseUser, PostgresReplication,
    RotatingSecret, SecureDmsPostgresEndpoint, WeightedAliasTarget, WeightedTrafficShift,
)

POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)


def main(outdir=None):
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "SafeConstructsPaymentMigration")
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, subnets=isolated)
    cdc = rds.ParameterGroup(stack, "Cdc", engine=POSTGRES, parameters={"rds.logical_replication": "1"})

    def rotation():
        return secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=isolated)

    endpoints = {}
    for name, access, kind, group in (("Source", DmsAccess.SOURCE, DmsEndpointType.SOURCE, cdc),
                                      ("Target", DmsAccess.TARGET, DmsEndpointType.TARGET, None)):
        # A test stack: everything goes with it
        master_rotation = rotation()
        master = RotatingSecret(stack, f"{name}Master", username="postgres", hosted_rotation=master_rotation,
                                removal_policy=RemovalPolicy.DESTROY)
        database = rds.DatabaseInstance(stack, f"{name}Db", engine=POSTGRES, vpc=vpc, vpc_subnets=isolated,
            storage_encrypted=True, parameter_group=group, credentials=rds.Credentials.from_secret(master),
            deletion_protection=False, removal_policy=RemovalPolicy.DESTROY, database_name="payments")
        database.connections.allow_default_port_from(master_rotation)
        user_rotation = rotation()
        user_secret = RotatingSecret(stack, f"{name}DmsUser", username=f"dms_{name.lower()}", hosted_rotation=user_rotation,
                                     removal_policy=RemovalPolicy.DESTROY)
        user_secret.attach(database)
        database.connections.allow_default_port_from(user_rotation)
        # a fresh database has only public: DMS reads it on the source and writes it on the target
        PostgresDatabaseUser(stack, f"{name}User", master_secret=master, user_secret=user_secret, database_name="payments",
                             schema_name="public", access=access, vpc=vpc, vpc_subnets=isolated, database=database,
                             grant_rds_superuser=True if access == DmsAccess.SOURCE else None)  # CDC, not the master
        endpoints[name] = (SecureDmsPostgresEndpoint(stack, f"{name}Endpoint", secret=user_secret, endpoint_type=kind,
                                                     database_name="payments"), database)
    roles = DmsAccountRolesMode.CREATE if app.node.try_get_context("create-dms-account-roles") else DmsAccountRolesMode.EXISTING
    # the second deploy's change: a setting DMS modifies only on a stopped task
    changed = {"ChangeProcessingTuning": {"MemoryKeepTime": 61}} if app.node.try_get_context("task-settings-change") else {}
    replication = PostgresReplication(stack, "Replication", vpc=vpc, vpc_subnets=isolated,
        source=endpoints["Source"][0], target=endpoints["Target"][0], source_database=endpoints["Source"][1],
        target_database=endpoints["Target"][1], migration_type=DmsMigrationType.FULL_LOAD_AND_CDC, schemas=["public"],
        account_roles=roles, task_settings=changed)

    # The cutover, in a private zone of the VPC: two simple records stand for the old and new load balancers.
    zone = route53.PrivateHostedZone(stack, "Zone", zone_name="payments.internal", vpc=vpc)
    sides = {name: route53.ARecord(stack, f"{name}Side", zone=zone, record_name=name.lower(),
                                   target=route53.RecordTarget.from_ip_addresses(address))
             for name, address in (("Old", "10.0.0.10"), ("New", "10.0.0.20"))}
    shift = WeightedTrafficShift(stack, "PayShift", zone=zone, record_name="pay",
        old_target=WeightedAliasTarget.from_attributes(sides["Old"].domain_name, zone.hosted_zone_id),
        new_target=WeightedAliasTarget.from_attributes(sides["New"].domain_name, zone.hosted_zone_id),
        percent_to_new=0, evaluate_target_health=False, replication=replication)

    test = integ.IntegTest(app, "PaymentMigrationInteg", test_cases=[stack])
    endpoint_arns = [endpoints[name][0].endpoint_arn for name in ("Source", "Target")]
    connections = test.assertions.aws_api_call("DMS", "describeConnections",
        {"Filters": [{"Name": "endpoint-arn", "Values": endpoint_arns}]})
    connections.expect(integ.ExpectedResult.object_like({"Connections": integ.Match.array_with([
        integ.Match.object_like({"EndpointArn": arn, "Status": "successful"}) for arn in endpoint_arns])}))
    task = replication.task.ref
    assessed = test.assertions.aws_api_call("DMS", "describeReplicationTaskAssessmentRuns",
        {"Filters": [{"Name": "replication-task-arn", "Values": [task]}]})
    assessed.expect(integ.ExpectedResult.object_like({"ReplicationTaskAssessmentRuns": integ.Match.array_with([
        integ.Match.object_like({"Status": "passed"})])}))
    validating = test.assertions.aws_api_call("DMS", "describeReplicationTasks",
        {"Filters": [{"Name": "replication-task-arn", "Values": [task]}]})
    validating.expect(integ.ExpectedResult.object_like({"ReplicationTasks": [integ.Match.object_like({
        "ReplicationTaskSettings": integ.Match.serialized_json(integ.Match.object_like({
            "ValidationSettings": integ.Match.object_like({"EnableValidation": True})}))})]}))
    # started by the deploy (and, after the second deploy, resumed with the new setting)
    running = test.assertions.aws_api_call("DMS", "describeReplicationTasks",
        {"Filters": [{"Name": "replication-task-arn", "Values": [task]}]})
    expected = {"Status": "running"}
    if changed:
        expected["ReplicationTaskSettings"] = integ.Match.string_like_regexp('"MemoryKeepTime":61')
    running.expect(integ.ExpectedResult.object_like({"ReplicationTasks": [integ.Match.object_like(expected)]}))
    # The gate asked directly (no ResponseURL: it returns its verdict) for a rise to 50 % while the task loads
    gate = shift.cutover_gate
    refused = test.assertions.invoke_function(function_name=gate.handler.function_name, payload=gate.verdict_payload(50))
    refused.expect(integ.ExpectedResult.object_like({"Payload": integ.Match.serialized_json(integ.Match.object_like({
        "Proven": False, "Reasons": integ.Match.string_like_regexp("cannot rise from 0 % to 50 %")}))}))
    watched = [replication.instance_free_storage_alarm, replication.cdc_latency_source_alarm, replication.source_slot_lag_alarm]
    alarms_ok = test.assertions.aws_api_call("CloudWatch", "describeAlarms", {"AlarmNames": [a.alarm_name for a in watched]})
    alarms_ok.expect(integ.ExpectedResult.object_like({"MetricAlarms": [
        integ.Match.object_like({"StateValue": "OK"}) for _ in watched]}))
    alarms_ok.wait_for_assertions(total_timeout=Duration.minutes(30), interval=Duration.minutes(1))
    connections.next(validating).next(assessed).next(running).next(refused).next(alarms_ok)
    return app.synth()


if __name__ == "__main__":
    main()
