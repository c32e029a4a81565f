"""Quick start: a private PostgreSQL database whose master credentials rotate every 30 days.

Run it with `npx projen synth-example` (which builds the library first), or with
`python examples/quickstart/app.py` in an environment where safe-constructs is installed.
"""
import os

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager

from safe_constructs import RotatingSecret


class QuickStartStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0)
        # No NAT: the rotation function reaches Secrets Manager through an interface endpoint (a
        # new rotation schedule rotates at once, so without it the first rotation fails).
        vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)

        # The secret cannot exist without rotation: hosted_rotation is a required prop.
        rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc)
        secret = RotatingSecret(self, "MasterSecret", username="app", hosted_rotation=rotation)

        database = rds.DatabaseInstance(self, "Database",
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            credentials=rds.Credentials.from_secret(secret),
            storage_encrypted=True,
            deletion_protection=True,
        )
        # The rotation Lambda must reach the database it rotates.
        database.connections.allow_default_port_from(rotation)


def main(outdir=None):
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out/quickstart")
    stack = QuickStartStack(app, "SafeConstructsQuickStart")
    assembly = app.synth()
    template = assembly.get_stack_by_name(stack.stack_name).template_full_path
    print(f"synthesized {stack.stack_name}: {template}")
    return template


if __name__ == "__main__":
    main()
