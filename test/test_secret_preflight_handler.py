"""The pre-flight check's Lambda handler, run against moto's Secrets Manager (and botocore's Stubber
for the one answer moto does not give: access denied), and answering a local CloudFormation stand-in."""
import http.server
import importlib.util
import json
import pathlib
import tarfile
import threading

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

import safe_constructs

HANDLER_PATH = pathlib.Path(__file__).resolve().parent.parent / "assets" / "secret-preflight" / "index.py"
spec = importlib.util.spec_from_file_location("secret_preflight", HANDLER_PATH)
preflight = importlib.util.module_from_spec(spec)
spec.loader.exec_module(preflight)

PROPS = {
    "RequiredKeys": ["username", "password", "host", "port"],
    "PasswordKey": "password",
    "RejectedPasswordCharacters": "{};.:+%",
    "MinPasswordLength": "8",
    "MaxPasswordLength": "128",
    "Consumer": "the DMS PostgreSQL endpoint",
}
GOOD = {"username": "app", "password": "s3cr3t-Passw0rd", "host": "db.internal", "port": 5432}


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("secretsmanager")


def event(secret_id, request="Create", **props):
    return {"RequestType": request, "ResourceProperties": {"SecretId": secret_id, **PROPS, **props}}


def stored(client, value):
    text = value if isinstance(value, str) else json.dumps(value)
    return client.create_secret(Name="legacy/payments", SecretString=text)["ARN"]


def failure(client, value, **props):
    with pytest.raises(preflight.SecretCheckFailed) as raised:
        preflight.on_event(event(stored(client, value), **props), client)
    return str(raised.value)


def test_a_valid_secret_passes(secrets):
    preflight.on_event(event(stored(secrets, GOOD)), secrets)
    preflight.on_event(event("legacy/payments", "Update"), secrets)  # by name, as DMS also accepts


def test_not_json_fails_with_the_cloudformation_error_it_prevents(secrets):
    message = failure(secrets, "username=app password=hunter2")
    assert "is not JSON (CloudFormation would fail with 'Could not parse SecretString JSON')" in message
    assert "secret arn:aws:secretsmanager:eu-west-1:" in message
    assert "hunter2" not in message


def test_json_that_is_not_an_object_fails(secrets):
    assert "is JSON but not an object" in failure(secrets, '["app", "hunter2"]')


def test_a_missing_key_is_named(secrets):
    message = failure(secrets, {k: v for k, v in GOOD.items() if k not in ("host", "port")})
    assert "is unusable by the DMS PostgreSQL endpoint: lacks the keys host, port" in message


def test_an_empty_password_fails(secrets):
    message = failure(secrets, {**GOOD, "password": ""})
    assert message.endswith("is unusable by the DMS PostgreSQL endpoint: has an empty password")


def test_a_password_with_a_rejected_character_fails_without_showing_it(secrets):
    message = failure(secrets, {**GOOD, "password": "abc;defgh+ij"})
    assert "its password contains a character that is rejected (any of '{};.:+%')" in message
    assert "abc" not in message and "defgh" not in message


def test_a_password_of_the_wrong_length_fails(secrets):
    assert "its password must be 8 to 128 characters long" in failure(secrets, {**GOOD, "password": "short"})


def test_a_missing_secret_fails_with_its_code(secrets):
    with pytest.raises(preflight.SecretCheckFailed, match=r"cannot be read \(ResourceNotFoundException\)"):
        preflight.on_event(event("arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone-AbCdEf"), secrets)


def test_access_denied_fails_with_the_grant_to_add():
    client = boto3.client("secretsmanager", region_name="eu-west-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", service_error_code="AccessDeniedException",
                              service_message="not authorized", http_status_code=400)
        with pytest.raises(preflight.SecretCheckFailed, match=(
                r"cannot be read \(AccessDeniedException\): give the pre-flight check's role "
                r"secretsmanager:GetSecretValue on it \(and kms:Decrypt on its key\)")):
            preflight.on_event(event("legacy/payments"), client)


def test_delete_succeeds_without_reading_anything():
    client = boto3.client("secretsmanager", region_name="eu-west-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:  # no answer queued: any call would raise
        preflight.on_event(event("legacy/payments", "Delete"), client)
        stub.assert_no_pending_responses()


class CloudFormationStandIn(http.server.BaseHTTPRequestHandler):
    received = []

    def do_PUT(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def response_url():
    server = http.server.HTTPServer(("127.0.0.1", 0), CloudFormationStandIn)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    CloudFormationStandIn.received.clear()
    yield f"http://127.0.0.1:{server.server_port}/response"
    thread.join(timeout=10)
    server.server_close()


@pytest.mark.parametrize("value, status", [(GOOD, "SUCCESS"), ("not json", "FAILED")])
def test_the_lambda_handler_answers_cloudformation(secrets, response_url, value, status):
    full_event = {**event(stored(secrets, value)), "ResponseURL": response_url, "StackId": "stack",
                  "RequestId": "request-1", "LogicalResourceId": "SecretCheck"}
    preflight.handler(full_event, None)
    [answer] = CloudFormationStandIn.received
    assert answer["Status"] == status
    assert answer["PhysicalResourceId"] == "secret-preflight-SecretCheck"
    assert answer["RequestId"] == "request-1"
    assert ("is not JSON" in answer["Reason"]) == (status == "FAILED")


def test_the_installed_package_ships_this_handler():
    tarball = next(pathlib.Path(safe_constructs.__file__).parent.glob("_jsii/*.tgz"))
    with tarfile.open(tarball) as archive:
        shipped = archive.extractfile("package/assets/secret-preflight/index.py").read()
    assert shipped == HANDLER_PATH.read_bytes()


def test_rds_allows_a_space_and_a_quote_except_for_oracle(secrets):
    # CreateDBInstance: any printable ASCII except / " @; Oracle also rejects & and '
    arn = stored(secrets, {**GOOD, "password": "it's a long pass"})
    preflight.on_event(event(arn, RejectedPasswordCharacters='/"@'), secrets)
    with pytest.raises(preflight.SecretCheckFailed, match="contains a character that is rejected"):
        preflight.on_event(event(arn, RejectedPasswordCharacters="/\"@&'"), secrets)


@pytest.mark.parametrize("username, problem", [
    ("1admin", "its username must be a letter followed by letters, digits or underscores"),
    ("payments_master_user", "its username must be 16 characters at most"),
    ("RdsAdmin", "its username is a name that is reserved (one of rdsadmin, admin)"),
])
def test_a_master_user_name_rds_refuses_fails_without_showing_it(secrets, username, problem):
    message = failure(secrets, {**GOOD, "username": username}, UsernameKey="username", MaxUsernameLength="16",
                      RejectedUsernames=["rdsadmin", "admin"])
    assert message.endswith(f"is unusable by the DMS PostgreSQL endpoint: {problem}")
    assert username not in message


def test_a_user_name_is_checked_only_when_asked():
    preflight_props = {"UsernameKey": "username", "RejectedUsernames": '["rdsadmin"]'}  # a list as CloudFormation may pass it
    assert preflight._username_problems({"username": "app_user"}, preflight_props) == []
    assert preflight._username_problems({"username": "a" * 64}, preflight_props) == ["its username must be 63 characters at most"]
    assert preflight._username_problems({"username": "rdsadmin"}, {}) == []
