"""DmsAccountRoles: the two roles DMS looks for in an account, by name."""
import json

from harness import new_stack, synth
from safe_constructs import DmsAccountRoles


def test_account_roles_have_the_names_and_trust_dms_looks_for():
    stack = new_stack()
    DmsAccountRoles(stack, "DmsRoles")
    template = synth(stack)
    roles = {r["Properties"]["RoleName"]: r["Properties"] for r in template.find_resources("AWS::IAM::Role").values()}
    assert set(roles) == {"dms-vpc-role", "dms-cloudwatch-logs-role"}
    for role in roles.values():
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "dms.amazonaws.com"}
    assert "AmazonDMSVPCManagementRole" in json.dumps(roles["dms-vpc-role"]["ManagedPolicyArns"])
    assert "AmazonDMSCloudWatchLogsRole" in json.dumps(roles["dms-cloudwatch-logs-role"]["ManagedPolicyArns"])
