"""SecretPreflightCheck's props (its handler, against Secrets Manager's API model, is test_secret_preflight_handler.py)."""
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager

from harness import EXTERNAL_ARN, new_stack, only_resource, synth
from safe_constructs import RdsPasswordRules, SecretPreflightCheck


def external(stack):
    return secretsmanager.Secret.from_secret_complete_arn(stack, "External", EXTERNAL_ARN)


def test_every_problem_of_the_props_comes_out_at_once():
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        SecretPreflightCheck(stack, "Check", secret=external(stack), required_keys=["username", ""],
                             min_password_length=0, max_password_length=5000)
    lines = str(raised.value).split("\n")
    assert [line.split("]")[0] for line in lines] == ["[safe-constructs:RequiredKeysEmpty",
                                                     "[safe-constructs:PasswordLengthOutOfRange",
                                                     "[safe-constructs:PasswordLengthOutOfRange"]
    # the bound is written once: each message and fix reads it
    assert "min_password_length (minPasswordLength) must be a whole number from 1 to 4096, got: 0; fix: give a length " \
           "from 1 to 4096" in lines[1]
    assert "max_password_length (maxPasswordLength) must be a whole number from 0 to 4096, got: 5000" in lines[2]


def test_the_engines_password_rules_go_to_the_handler():
    stack = new_stack()
    rules = RdsPasswordRules.for_instance("mysql")
    SecretPreflightCheck(stack, "Check", secret=external(stack), required_keys=["username", "password"],
                         password_key="password", rejected_password_characters=rules.rejected_characters,
                         min_password_length=rules.min_length, max_password_length=rules.max_length)
    properties = only_resource(synth(stack), "Custom::SecretPreflightCheck")["Properties"]
    assert (properties["MinPasswordLength"], properties["MaxPasswordLength"]) in [(8, 41), ("8", "41")]


@pytest.mark.parametrize("length", [0, 64])
def test_fails_with_a_user_name_length_no_name_the_library_passes_on_can_have(length):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            rf"\[safe-constructs:UsernameLengthOutOfRange\] Test/Check: max_username_length \(maxUsernameLength\) must be a whole "
            rf"number from 1 to 63, got: {length}; fix: give a length from 1 to 63, or omit it for 63")):
        SecretPreflightCheck(stack, "Check", secret=external(stack), required_keys=["username"], username_key="username",
                             max_username_length=length)


def test_the_user_name_rules_go_to_the_handler():
    stack = new_stack()
    SecretPreflightCheck(stack, "Check", secret=external(stack), required_keys=["username"], username_key="username",
                         rejected_usernames=["rdsadmin"])
    properties = only_resource(synth(stack), "Custom::SecretPreflightCheck")["Properties"]
    assert (properties["UsernameKey"], properties["MaxUsernameLength"], properties["RejectedUsernames"]) == ("username", 63, ["rdsadmin"])
