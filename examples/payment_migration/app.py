"""The payment migration, done right.

A legacy PostgreSQL database is migrated by DMS (full load, then CDC) to a new instance whose master
credentials were created by the platform team outside any stack; traffic moves from the old load
balancer to the new one 10 % at a time, and only on proof: the shift is tied to the replication, so a
deploy that raises percent_to_new fails, before any record changes, unless every table is loaded and
validated and CDC has caught up (README, "Cutting over"). The first deploy sends the new side nothing.
Deployable by design: Secrets Manager through an interface
endpoint (no NAT), logical replication on the source, DMS's users created with the grants DMS
documents before anything logs in as them (their heartbeat and control tables in a schema of their
own), DMS 3.6.1 pinned for PostgreSQL 17, a major engine version. The first deploy runs DMS's
pre-migration assessment and starts the task; later deploys stop and resume it around changes and
refuse to replace it; a rotation of DMS's users has it log in again. The legacy database's disk is
bounded (DMS's heartbeat on; its replication slot may hold at most a tenth of its storage,
max_slot_wal_keep_size) and the replication is watched: alarms and every state change of the task go
to one encrypted SNS topic (the AlarmTopic output: subscribe the on-call to it). One step stays with
the operator: an account that never used DMS lacks dms-vpc-role and dms-cloudwatch-logs-role: deploy
once with account_roles=DmsAccountRolesMode.CREATE on the PostgresReplication.

Synthesize it with `cdk synth` (this folder's cdk.json), or `python app.py`.
"""
import os

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Aspects, AspectPriority, Duration, Validations
from aws_cdk import aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms, aws_lambda as lambda_
from aws_cdk import aws_rds as rds, aws_route53 as route53, aws_s3 as s3, aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks

from safe_constructs import (
    SafePatternsChecks,
    DmsAccess, DmsEndpointType, DmsMigrationType, EncryptionAspect, ExternalSecretRdsInstance, PostgresDatabaseUser,
    PostgresReplication, RotatingSecret, SecureDmsPostgresEndpoint, WeightedAliasTarget, WeightedTrafficShift,
)

ACCOUNT, REGION = "123456789012", "eu-west-1"
# Created by the platform team, outside any stack (the secret the original project's deploy tripped over).
PAYMENTS_MASTER_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/master-AbCdEf"
OLD_LOAD_BALANCER = {"arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/payments-old/1234567890abcdef",
                     "dns_name": "payments-old-1234567890.eu-west-1.elb.amazonaws.com",
                     "security_group_id": "sg-0123456789abcdef0"}
ALB_HOSTED_ZONE_ID = "Z32O12XQLNTSW2"  # eu-west-1's canonical hosted zone id of load balancers
# A major version: RDS creates its current minor (a pinned minor is refused once RDS deprecates it).
POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)
# DMS's users rotate on the deploy (before the task is started) and then every 90 days: after a rotation
# DMS "might not fetch the rotated credentials" (DMS guide, security_iam_secretsmanager), so the replication
# stops and resumes the running task (restart_after_rotation). Multi-user rotation is not used: its clone
# user cannot write the heartbeat and control tables DMS created as the other user.
DMS_USER_ROTATION = Duration.days(90)


class PaymentMigrationStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0, flow_logs={"all": ec2.FlowLogOptions()},
            subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
                                  ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
        Validations.of(vpc).acknowledge(Acknowledgment(id="CloudFormation-Validate::W3010",
            reason="the subnets' zones are the account's own, which CDK reads for this environment (cdk.json context)"))
        data = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        # No NAT: the rotation functions and DMS reach Secrets Manager through an interface endpoint.
        secrets_endpoint = vpc.add_interface_endpoint("SecretsManager",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, subnets=data)
        key = kms.Key(self, "DataKey", enable_key_rotation=True, description="payments data and secrets")

        def rotation():
            return secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=data)

        # The legacy database, with logical replication on (off in the default parameter group) for CDC.
        # Its master secret rotates and is attached to it, so it holds the host the user function needs.
        legacy_rotation = rotation()
        legacy_secret = RotatingSecret(self, "LegacySecret", username="payments", hosted_rotation=legacy_rotation,
            encryption_key=key)
        cdc_parameters = rds.ParameterGroup(self, "CdcParameters", engine=POSTGRES,
            description="logical replication for DMS change data capture", parameters={"rds.logical_replication": "1"})
        legacy = rds.DatabaseInstance(self, "LegacyDb", engine=POSTGRES, vpc=vpc, vpc_subnets=data,
            credentials=rds.Credentials.from_secret(legacy_secret), parameter_group=cdc_parameters, multi_az=True,
            storage_encrypted=True, storage_encryption_key=key, deletion_protection=True, iam_authentication=True,
            port=5433)

        # The new database: master credentials from the external secret, checked before creation, and
        # attached to it so that the secret holds the host the user function logs in to.
        master = secretsmanager.Secret.from_secret_complete_arn(self, "PaymentsMaster", PAYMENTS_MASTER_SECRET_ARN)
        payments = ExternalSecretRdsInstance(self, "PaymentsDb", secret=master, attach_secret=True, engine=POSTGRES,
            vpc=vpc, vpc_subnets=data, multi_az=True, storage_encryption_key=key, port=5433, database_name="payments",
            iam_authentication=True)
        # cdk-nag reads DeletionProtection in the template, which the library leaves out on purpose
        Validations.of(payments).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-RDS10",
            reason="deletion protection is turned on once the instance exists (deletion_protection_once_created), so that "
                   "a failed first deploy rolls back to nothing; the template leaves DeletionProtection out"))

        # DMS's own users, created with exactly their grants before DMS or a rotation logs in as them;
        # each secret is attached to its database, so it holds the host and port DMS reads.
        users = []
        for user_id, name, database, database_master, access in (
                ("DmsReader", "dms_reader", legacy, legacy_secret, DmsAccess.SOURCE),
                ("DmsWriter", "dms_writer", payments, master, DmsAccess.TARGET)):
            user_rotation = rotation()
            secret = RotatingSecret(self, f"{user_id}Secret", username=name, hosted_rotation=user_rotation,
                encryption_key=key, automatically_after=DMS_USER_ROTATION)
            secret.attach(database)
            database.connections.allow_default_port_from(user_rotation)
            # CDC as a user that is not the master: the DMS guide requires rds_superuser of it (README, "The users DMS logs in as")
            users.append((secret, PostgresDatabaseUser(self, user_id, master_secret=database_master, user_secret=secret,
                database_name="payments", schema_name="payments", access=access, vpc=vpc, vpc_subnets=data,
                database=database, grant_rds_superuser=True if access == DmsAccess.SOURCE else None)))
        legacy.connections.allow_default_port_from(legacy_rotation)
        (reader_secret, reader), (writer_secret, writer) = users

        # The replication: instance (DMS 3.6.1 by default), network paths, account roles as the account has
        # them, and the task, which waits for the users and keeps DMS's tables in their "awsdms" schema; the
        # deploy assesses it and starts it once, and later deploys stop and resume it around changes.
        replication = PostgresReplication(self, "Replication", vpc=vpc, vpc_subnets=data,
            source=SecureDmsPostgresEndpoint(self, "Source", secret=reader_secret, endpoint_type=DmsEndpointType.SOURCE,
                database_name="payments", cdc_settings={"heartbeat_frequency": 5}),  # the heartbeat: on for CDC
            target=SecureDmsPostgresEndpoint(self, "Target", secret=writer_secret, endpoint_type=DmsEndpointType.TARGET,
                database_name="payments"),
            source_database=legacy, target_database=payments, migration_type=DmsMigrationType.FULL_LOAD_AND_CDC,
            schemas=["payments"], multi_az=True, encryption_key=key)
        cdk.CfnOutput(self, "AlarmTopic", value=replication.alarm_topic.topic_arn,
                      description="the replication's alarms and task state changes: subscribe the on-call")

        # Traffic: the old load balancer (outside the stack) and the new one. The shift waits for proof of the
        # replication before any rise: raise percent_to_new (10, 50, 100) once the task has loaded and validated.
        logs = s3.Bucket(self, "AccessLogs", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=cdk.RemovalPolicy.RETAIN)
        new_lb = elbv2.ApplicationLoadBalancer(self, "NewLb", vpc=vpc, internet_facing=True)
        new_lb.log_access_logs(logs, "payments-new")
        old_lb = elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(self, "OldLb",
            load_balancer_arn=OLD_LOAD_BALANCER["arn"], security_group_id=OLD_LOAD_BALANCER["security_group_id"],
            load_balancer_dns_name=OLD_LOAD_BALANCER["dns_name"],
            load_balancer_canonical_hosted_zone_id=ALB_HOSTED_ZONE_ID)
        zone = route53.HostedZone.from_hosted_zone_attributes(self, "Zone",
            hosted_zone_id="Z0123456789ABCDEFGHIJ", zone_name="example.com")
        shift = WeightedTrafficShift(self, "PayShift", zone=zone, record_name="pay",
            old_target=WeightedAliasTarget.from_load_balancer(old_lb),
            new_target=WeightedAliasTarget.from_load_balancer(new_lb),
            percent_to_new=0, replication=replication)

        self.acknowledge_findings(logs, secrets_endpoint, [reader, writer], replication, shift)

    def acknowledge_findings(self, logs, secrets_endpoint, users, replication, shift):
        """cdk-nag findings this design accepts, each with its reason."""
        for group in secrets_endpoint.connections.security_groups:
            Validations.of(group).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-EC23",
                reason="the Secrets Manager endpoint admits only the VPC's own CIDR on 443 (an attribute of the VPC, "
                       "which the rule cannot read at synth)"))
        for user in users:
            # cdk-nag matches this finding id itself; written without its "AwsSolutions::" prefix, because
            # aws-cdk-lib 2.263.0 rejects a second "::" in an id
            function_arn = self.resolve(user.handler.function_arn)["Fn::GetAtt"][0]
            Validations.of(user.provider_role).acknowledge(Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{function_arn}.Arn>:*]",
                reason="the provider framework may invoke the database-user function and its versions (aws-cdk-lib's grant)"))
        Validations.of(replication.connection_gate.handler.role).acknowledge(Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
            reason="dms:DescribeConnections has no resource type (Service Authorization Reference), so only * is possible; "
                   "dms:TestConnection names the replication instance and the two endpoints"))
        Validations.of(shift.cutover_gate.handler.role).acknowledge(Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
            reason="dms:DescribeReplicationTasks and cloudwatch:GetMetricStatistics have no resource type (Service Authorization "
                   "Reference), so only * is possible; dms:DescribeTableStatistics names the task"))
        Validations.of(logs).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-S1",
            reason="this bucket receives the load balancer's access logs; logging access to it would loop"))
        self.acknowledge_task_life(replication)

    def acknowledge_task_life(self, replication):
        """cdk-nag findings on the task's life: aws-cdk-lib's provider framework, and scopes AWS allows no narrower."""
        for provider in (replication.task_life_provider, replication.assessment_provider):
            for function in [c for c in provider.node.find_all() if isinstance(c, lambda_.Function)]:
                logical_id = self.resolve(function.function_arn)["Fn::GetAtt"][0]
                Validations.of(provider).acknowledge(Acknowledgment(id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                    reason="aws-cdk-lib's provider framework may invoke its functions and their versions (its own grant)"))
            Validations.of(provider).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-SF1",
                reason="the provider framework's waiter state machine only calls is_complete again; the functions log"))
            Validations.of(provider).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-SF2",
                reason="the provider framework's waiter state machine only calls is_complete again; no tracing needed"))
        dms_arn = "arn:aws:dms:eu-west-1:123456789012"
        Validations.of(replication.task_life_provider).acknowledge(Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::{dms_arn}:task:*]",
            reason="start and stop are allowed only on tasks tagged as this replication's: the guard runs before the task exists"))
        Validations.of(replication.assessment_provider).acknowledge(Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::{dms_arn}:assessment-run:*]",
            reason="DMS names assessment runs itself: the handlers read the runs of this task's assessment"))
        # dms:DescribeReplicationTasks has no resource type (Service Authorization Reference): "*" is the narrowest there is
        for role in (replication.task_life_provider.node.find_child("HandlerRole"),
                     replication.assessment_provider.node.find_child("HandlerRole"), replication.rotation_restart.role):
            Validations.of(role).acknowledge(Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
                reason="dms:DescribeReplicationTasks has no resource type (Service Authorization Reference), so only * is "
                       "possible; starting and stopping name the task (its ARN, or its tag)"))
        Validations.of(replication.rotation_restart.role).acknowledge(Acknowledgment(id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            reason="publishing to the alarms' encrypted topic: SNS documents kms:GenerateDataKey* and kms:Decrypt for a publisher "
                   "(aws-cdk-lib's grant_publish), on that topic's key only"))
        Validations.of(replication.assessment_results).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-S1",
            reason="DMS's assessment reports, written by DMS's service role and read by the assessment handler only; "
                   "encrypted, SSL only, no public access"))
        bucket = self.resolve(replication.assessment_results.bucket_arn)["Fn::GetAtt"][0]
        Validations.of(replication).acknowledge(Acknowledgment(id=f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/*]",
            reason="the assessment results bucket's objects: DMS writes them (its documented policy), the handler reads them"))


def main(outdir=None):
    # Partition literals (a flag `cdk init` turns on): in a stack of a known region, ARNs name its partition
    # ("arn:aws:..."), so the findings on them can be acknowledged; with the flag off they read
    # "arn:<AWS::Partition>:...", an id aws-cdk-lib 2.263 refuses (a second "::")
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out",
                  context={"@aws-cdk/core:enablePartitionLiterals": True})
    PaymentMigrationStack(app, "PaymentMigration", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    # cdk-nag's pack and this library's own, side by side in one synth report
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), SafePatternsChecks())
    return app.synth()


if __name__ == "__main__":
    main()
