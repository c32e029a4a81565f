"""The payment migration, done right.

A legacy PostgreSQL database is migrated by DMS (full load, then change data capture) to a new
instance whose master credentials were created by the platform team outside any stack; traffic
moves from the old load balancer to the new one 10 % at a time. Every mistake of the original
project is impossible here: see the README's "before / after" table.

Synthesize it with `cdk synth` (this folder's cdk.json), or `python app.py`.
"""
import json
import os

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Aspects, AspectPriority, Validations
from aws_cdk import aws_dms as dms, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms
from aws_cdk import aws_rds as rds, aws_route53 as route53, aws_s3 as s3, aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks

from safe_constructs import (
    SafePatternsChecks,
    DmsAccountRoles, DmsEndpointType, EncryptionAspect, ExternalSecretRdsInstance, RotatingSecret,
    SecureDmsPostgresEndpoint, WeightedAliasTarget, WeightedTrafficShift,
)

ACCOUNT, REGION = "123456789012", "eu-west-1"
# Created by the platform team, outside any stack (the secret the seed's deploy tripped over).
PAYMENTS_MASTER_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/master-AbCdEf"
OLD_LOAD_BALANCER = {
    "arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/payments-old/1234567890abcdef",
    "dns_name": "payments-old-1234567890.eu-west-1.elb.amazonaws.com",
    "security_group_id": "sg-0123456789abcdef0",
}
ALB_HOSTED_ZONE_ID = "Z32O12XQLNTSW2"  # eu-west-1's canonical hosted zone id of load balancers
# A major version: RDS creates its current minor (a pinned minor is refused once RDS deprecates it).
POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)


class PaymentMigrationStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            ],
            flow_logs={"all": ec2.FlowLogOptions()})
        data = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        # No NAT: the rotation functions and DMS reach Secrets Manager through an interface endpoint.
        secrets_endpoint = vpc.add_interface_endpoint("SecretsManager",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, subnets=data)
        key = kms.Key(self, "DataKey", enable_key_rotation=True, description="payments data and secrets")

        # The legacy database: its credentials rotate, and the secret is attached to it, so it
        # holds the host and port DMS reads (no "placeholder host" step after the deploy).
        legacy_rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=data)
        legacy_secret = RotatingSecret(self, "LegacySecret", username="payments",
            hosted_rotation=legacy_rotation, encryption_key=key)
        # CDC reads the write-ahead log through logical replication, off in the default parameter group.
        cdc_parameters = rds.ParameterGroup(self, "CdcParameters", engine=POSTGRES,
            description="logical replication for DMS change data capture",
            parameters={"rds.logical_replication": "1"})
        legacy = rds.DatabaseInstance(self, "LegacyDb", engine=POSTGRES, vpc=vpc, vpc_subnets=data,
            credentials=rds.Credentials.from_secret(legacy_secret), multi_az=True, parameter_group=cdc_parameters,
            storage_encrypted=True, storage_encryption_key=key, deletion_protection=True,
            iam_authentication=True, port=5433)
        legacy.connections.allow_default_port_from(legacy_rotation)

        # The new database: master credentials from the external secret, checked before creation.
        master = secretsmanager.Secret.from_secret_complete_arn(self, "PaymentsMaster", PAYMENTS_MASTER_SECRET_ARN)
        new_db = ExternalSecretRdsInstance(self, "PaymentsDb", secret=master, engine=POSTGRES, vpc=vpc,
            vpc_subnets=data, multi_az=True, storage_encryption_key=key, port=5433, database_name="payments",
            iam_authentication=True)

        # DMS writes as its own user, whose secret rotates (multi-user, through the master secret)
        # and is attached to the new database for its host and port.
        writer_rotation = secretsmanager.HostedRotation.postgre_sql_multi_user(master_secret=master,
            vpc=vpc, vpc_subnets=data)
        writer_secret = RotatingSecret(self, "DmsWriterSecret", username="dms_writer",
            hosted_rotation=writer_rotation, encryption_key=key)
        writer_secret.attach(new_db)
        new_db.connections.allow_default_port_from(writer_rotation)

        source = SecureDmsPostgresEndpoint(self, "Source", secret=legacy_secret,
            endpoint_type=DmsEndpointType.SOURCE, database_name="payments",
            cdc_settings={"heartbeat_enable": True, "heartbeat_frequency": 5})
        target = SecureDmsPostgresEndpoint(self, "Target", secret=writer_secret,
            endpoint_type=DmsEndpointType.TARGET, database_name="payments")

        # The replication instance and its task, with the account-wide roles DMS needs.
        roles = DmsAccountRoles(self, "DmsRoles")
        replication_sg = ec2.SecurityGroup(self, "ReplicationSg", vpc=vpc,
            description="DMS replication instance", allow_all_outbound=False)
        for database in (legacy, new_db):
            database.connections.allow_default_port_from(replication_sg)
            replication_sg.connections.allow_to(database, ec2.Port.tcp(5433), "DMS to the databases")
        replication_sg.connections.allow_to(secrets_endpoint, ec2.Port.tcp(443), "DMS to Secrets Manager")
        subnet_group = dms.CfnReplicationSubnetGroup(self, "ReplicationSubnets",
            replication_subnet_group_description="payments migration",
            subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids)
        replication = dms.CfnReplicationInstance(self, "ReplicationInstance",
            replication_instance_class="dms.t3.medium", allocated_storage=50, kms_key_id=key.key_arn,
            publicly_accessible=False, multi_az=True, engine_version="3.5.4",
            replication_subnet_group_identifier=subnet_group.ref,
            vpc_security_group_ids=[replication_sg.security_group_id])
        for needs_roles in (subnet_group, replication):
            needs_roles.node.add_dependency(roles)
        dms.CfnReplicationTask(self, "Migration", migration_type="full-load-and-cdc",
            replication_instance_arn=replication.ref,
            source_endpoint_arn=source.endpoint_arn, target_endpoint_arn=target.endpoint_arn,
            table_mappings=json.dumps({"rules": [{
                "rule-type": "selection", "rule-id": "1", "rule-name": "payments", "rule-action": "include",
                "object-locator": {"schema-name": "payments", "table-name": "%"},
            }]}))

        # Traffic: the old load balancer (outside the stack) and the new one, 10 % to the new.
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
        WeightedTrafficShift(self, "PayShift", zone=zone, record_name="pay",
            old_target=WeightedAliasTarget.from_load_balancer(old_lb),
            new_target=WeightedAliasTarget.from_load_balancer(new_lb),
            percent_to_new=10)

        self.acknowledge_findings(roles, logs, secrets_endpoint)

    def acknowledge_findings(self, roles, logs, secrets_endpoint):
        """cdk-nag findings this design accepts, each with its reason."""
        for group in secrets_endpoint.connections.security_groups:
            Validations.of(group).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-EC23",
                reason="the Secrets Manager endpoint admits only the VPC's own CIDR on 443 (an attribute of the VPC, "
                       "which the rule cannot read at synth)"))
        Validations.of(logs).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-S1",
            reason="this bucket receives the load balancer's access logs; logging access to it would loop"))
        for role, policy in ((roles.vpc_role, "AmazonDMSVPCManagementRole"),
                             (roles.cloud_watch_logs_role, "AmazonDMSCloudWatchLogsRole")):
            Validations.of(role).acknowledge(Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{policy}]",
                reason="DMS requires its account roles to carry exactly this AWS managed policy"))


def main(outdir=None):
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out")
    PaymentMigrationStack(app, "PaymentMigration", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    # cdk-nag's pack and this library's own, side by side in one synth report
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), SafePatternsChecks())
    return app.synth()


if __name__ == "__main__":
    main()
