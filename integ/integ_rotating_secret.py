"""Integration test, for an account: a database whose master secret rotates, and proof that the first rotation worked.

The stack fails its own deploy if the first rotation does not finish (RotatingSecret's FirstRotationGate);
the assertion then checks, from outside, that Secrets Manager reports a completed rotation: DescribeSecret's
LastRotatedDate, which only a rotation that completed sets ("null if the secret hasn't ever rotated"). An
AWSPREVIOUS version would prove nothing: the secret is attached to its database, and the attachment writes
a new version before any rotation.

Deploy it with `npx projen integ:deploy` (needs an account: see README, "Integration tests"). This
repository's CI never deploys it: it compares the committed snapshot (integ_rotating_secret.py.snapshot/)
with what the app synthesizes, which shows that the template did not change unseen, not that it deploys.
"""
import aws_cdk as cdk
from aws_cdk import RemovalPolicy, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager
from aws_cdk import integ_tests_alpha as integ

from safe_constructs import RotatingSecret

POSTGRES = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17)


def main(outdir=None):
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "SafeConstructsRotatingSecret")
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, subnets=isolated)
    rotation = secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc, vpc_subnets=isolated)
    # A test stack: everything goes with it
    secret = RotatingSecret(stack, "Master", username="postgres", hosted_rotation=rotation, removal_policy=RemovalPolicy.DESTROY)
    database = rds.DatabaseInstance(stack, "Db", engine=POSTGRES, vpc=vpc, vpc_subnets=isolated, storage_encrypted=True,
        credentials=rds.Credentials.from_secret(secret), deletion_protection=False, removal_policy=RemovalPolicy.DESTROY)
    database.connections.allow_default_port_from(rotation)

    test = integ.IntegTest(app, "RotatingSecretInteg", test_cases=[stack])
    # integ-tests compares the SDK's response as the SDK returns it (lambda-handler/index.js of
    # @aws-cdk/integ-tests-alpha), where a timestamp is a Date object, not a string: object_like({}) asserts
    # only that the key is there, and the SDK leaves out a key the response does not carry.
    test.assertions.aws_api_call("SecretsManager", "describeSecret", {"SecretId": secret.secret_arn}).expect(
        integ.ExpectedResult.object_like({"LastRotatedDate": integ.Match.object_like({})}))
    return app.synth()


if __name__ == "__main__":
    main()
