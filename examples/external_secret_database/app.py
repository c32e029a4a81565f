"""The external-secret deployment, done right.

An RDS instance whose master credentials live in a secret created outside the stack, an
ElastiCache Redis replication group for sessions, and the application's security groups. The
original deploy failed at resource 66 of 102 ("Could not parse SecretString JSON") and its rollback
caught the cache mid-creation (ROLLBACK_FAILED). Here the secret is checked first: the database and
the cache wait for the pre-flight check, which fails the deploy within the first minute.

Synthesize it with `cdk synth` (this folder's cdk.json), or `python app.py`.
"""
import os

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Aspects, AspectPriority, Validations
from aws_cdk import aws_ec2 as ec2, aws_elasticache as elasticache, aws_kms as kms, aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks

from safe_constructs import EncryptionAspect, ExternalSecretRdsInstance, SafePatternsChecks

ACCOUNT, REGION = "123456789012", "eu-west-1"
MASTER_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-master-AbCdEf"


class ExternalSecretDatabaseStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PUBLIC),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            ],
            flow_logs={"all": ec2.FlowLogOptions()})
        Validations.of(vpc).acknowledge(Acknowledgment(id="CloudFormation-Validate::W3010",
            reason="the subnets' zones are the account's own, which CDK reads for this environment (cdk.json context)"))
        data = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        key = kms.Key(self, "DataKey", enable_key_rotation=True, description="orders data")

        # The application's security group; the database and the cache admit only it.
        app_sg = ec2.SecurityGroup(self, "AppSg", vpc=vpc, description="orders application",
            allow_all_outbound=False)
        db_sg = ec2.SecurityGroup(self, "DbSg", vpc=vpc, description="orders database", allow_all_outbound=False)
        cache_sg = ec2.SecurityGroup(self, "CacheSg", vpc=vpc, description="orders sessions",
            allow_all_outbound=False)
        db_sg.add_ingress_rule(app_sg, ec2.Port.tcp(5433), "application to database")
        cache_sg.add_ingress_rule(app_sg, ec2.Port.tcp(6380), "application to cache (TLS)")
        app_sg.add_egress_rule(db_sg, ec2.Port.tcp(5433), "database")
        app_sg.add_egress_rule(cache_sg, ec2.Port.tcp(6380), "cache")

        master = secretsmanager.Secret.from_secret_complete_arn(self, "Master", MASTER_SECRET_ARN)
        database = ExternalSecretRdsInstance(self, "Database", secret=master,
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
            vpc=vpc, vpc_subnets=data, security_groups=[db_sg], multi_az=True, port=5433,
            storage_encryption_key=key, database_name="orders", iam_authentication=True)
        # cdk-nag reads DeletionProtection in the template, which the library leaves out on purpose
        Validations.of(database).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-RDS10",
            reason="deletion protection is turned on once the instance exists (deletion_protection_once_created), so that "
                   "a failed first deploy rolls back to nothing; the template leaves DeletionProtection out"))

        # Redis AUTH over TLS; the token is a generated secret, read by CloudFormation at deploy.
        cache_auth = secretsmanager.Secret(self, "CacheAuth", encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=64))
        Validations.of(cache_auth).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-SMG4",
            reason="a Redis AUTH token rotates in two deploys (AuthTokenUpdateStrategy ROTATE, then SET), "
                   "which the cache runbook drives; Secrets Manager rotation cannot"))
        subnets = elasticache.CfnSubnetGroup(self, "CacheSubnets", description="orders sessions",
            subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids)
        cache = elasticache.CfnReplicationGroup(self, "Sessions",
            replication_group_description="orders sessions", engine="redis", engine_version="7.1",
            cache_node_type="cache.t4g.small", num_cache_clusters=2, automatic_failover_enabled=True,
            multi_az_enabled=True, cache_subnet_group_name=subnets.ref, security_group_ids=[cache_sg.security_group_id],
            at_rest_encryption_enabled=True, kms_key_id=key.key_arn, transit_encryption_enabled=True,
            auth_token=cache_auth.secret_value.unsafe_unwrap(),  # a dynamic reference, not the value
            port=6380)
        # Sessions survive a stack deletion or a replacement as a final snapshot.
        cache.apply_removal_policy(cdk.RemovalPolicy.SNAPSHOT)
        # The cache the original rollback caught mid-creation waits for the secret check too.
        database.preflight_check.guard(cache)


def main(outdir=None):
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out")
    ExternalSecretDatabaseStack(app, "ExternalSecretDatabase", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)
    # cdk-nag's pack and this library's own, side by side in one synth report
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), SafePatternsChecks())
    return app.synth()


if __name__ == "__main__":
    main()
