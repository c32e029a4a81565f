"""RdsPasswordRules: the password limits RDS documents per engine, for a hand-made SecretPreflightCheck."""
from aws_cdk import aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, new_stack, only_resource, synth
from safe_constructs import RdsPasswordRules, SecretPreflightCheck


def test_password_rules_for_a_hand_made_check_follow_rds():
    # CreateDBInstance and CreateDBCluster: no / " @ (Oracle also & '); 8 to 41 (MySQL, MariaDB, clusters), 30 (Oracle), 128
    assert (RdsPasswordRules.for_cluster().max_length, RdsPasswordRules.for_cluster().rejected_characters) == (41, '/"@')
    oracle = RdsPasswordRules.for_instance("oracle-ee")
    assert (oracle.min_length, oracle.max_length, oracle.rejected_characters) == (8, 30, "/\"@&'")
    assert RdsPasswordRules.for_instance("postgres").max_length == 128
    stack = new_stack()
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Hand", EXTERNAL_ARN)
    limits = RdsPasswordRules.for_cluster()
    SecretPreflightCheck(stack, "Check", secret=secret, required_keys=["username", "password"], password_key="password",
        rejected_password_characters=limits.rejected_characters, min_password_length=limits.min_length,
        max_password_length=limits.max_length)
    assert only_resource(synth(stack), "Custom::SecretPreflightCheck")["Properties"]["MaxPasswordLength"] == 41
