"""Pre-flight check of a Secrets Manager secret, run by CloudFormation before anything reads it.

A CloudFormation custom resource handler (AWS Lambda, Python runtime, standard library and boto3
only: nothing to bundle). On Create and Update it reads the secret and fails the deploy, within
seconds, when the value is not a JSON object, lacks a required key, or has an empty or unusable
password. Its messages name the secret and the key, never a value. Delete always succeeds without
reading anything.

Resource properties (CloudFormation passes every scalar as a string):
  SecretId                    the secret's ARN
  RequiredKeys                JSON keys that must be present and non-empty
  PasswordKey                 the key holding the password (optional)
  RejectedPasswordCharacters  characters the password's consumer rejects (optional)
  MinPasswordLength, MaxPasswordLength  (optional)
  UsernameKey                 the key holding a database user name (optional): a letter, then letters,
                              digits or underscores (RDS's CreateDBInstance), at most MaxUsernameLength,
                              none of RejectedUsernames (compared without case)
  Consumer                    who reads the secret, for the messages ("the RDS instance", ...)
"""
import json
import re
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Short timeouts, so a failure is reported within the Lambda's timeout, never left to
# CloudFormation's one-hour wait for a custom resource that does not answer.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2})


class SecretCheckFailed(Exception):
    """The secret is not what its consumer needs; the message is safe to show (no value in it)."""


def handler(event, context):
    """Lambda entry point: runs the check and always answers CloudFormation."""
    physical_id = event.get("PhysicalResourceId") or f"secret-preflight-{event['LogicalResourceId']}"
    try:
        on_event(event)
        status, reason = "SUCCESS", "secret checked"
    except SecretCheckFailed as error:
        status, reason = "FAILED", str(error)
    except Exception as error:  # anything else must still answer CloudFormation
        status, reason = "FAILED", f"secret pre-flight check failed unexpectedly: {type(error).__name__}"
    send_response(event, status, reason, physical_id)


def on_event(event, client=None):
    """Checks the secret on Create and Update; does nothing on Delete."""
    if event["RequestType"] == "Delete":
        return
    props = event["ResourceProperties"]
    check_secret(client or boto3.client("secretsmanager", config=CLIENT_CONFIG), props)


def check_secret(client, props):
    """Raises SecretCheckFailed with every problem found in the secret's value."""
    secret_id = props["SecretId"]
    consumer = props.get("Consumer", "its consumer")
    where = f"secret {secret_id}"
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        raise SecretCheckFailed(
            f"{where} cannot be read ({code}): give the pre-flight check's role "
            "secretsmanager:GetSecretValue on it (and kms:Decrypt on its key), and check that it exists"
        ) from None
    except BotoCoreError as error:
        raise SecretCheckFailed(f"{where} cannot be read: {type(error).__name__}") from None

    text = response.get("SecretString")
    if text is None:
        raise SecretCheckFailed(f"{where} holds a binary value: {consumer} needs a JSON SecretString")
    try:
        data = json.loads(text)
    except ValueError:
        raise SecretCheckFailed(
            f"{where} is not JSON (CloudFormation would fail with 'Could not parse SecretString JSON'): "
            f"store a JSON object with the keys {', '.join(_keys(props))}"
        ) from None
    if not isinstance(data, dict):
        raise SecretCheckFailed(f"{where} is JSON but not an object: store an object with the keys "
                                f"{', '.join(_keys(props))}")

    problems = []
    missing = [key for key in _keys(props) if key not in data]
    if missing:
        problems.append(f"lacks the key{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    empty = [key for key in _keys(props) if key in data and data[key] in ("", None)]
    if empty:
        problems.append(f"has an empty {', '.join(empty)}")
    problems += _password_problems(data, props)
    problems += _username_problems(data, props)
    if problems:
        raise SecretCheckFailed(f"{where} is unusable by {consumer}: {'; '.join(problems)}")


def _keys(props):
    keys = props.get("RequiredKeys") or []
    return json.loads(keys) if isinstance(keys, str) else list(keys)


def _password_problems(data, props):
    key = props.get("PasswordKey")
    password = data.get(key) if key else None
    if not key or password in ("", None):
        return []  # absent or empty is already reported
    if not isinstance(password, str):
        return [f"its {key} is not a string"]
    problems = []
    rejected = props.get("RejectedPasswordCharacters", "")
    if any(c in rejected for c in password):
        # Which characters are present is not said: that would reveal part of the value.
        problems.append(f"its {key} contains a character that is rejected (any of {rejected!r})")
    low, high = int(props.get("MinPasswordLength", 1)), int(props.get("MaxPasswordLength", 4096))
    if not low <= len(password) <= high:
        problems.append(f"its {key} must be {low} to {high} characters long")
    return problems


def _username_problems(data, props):
    key = props.get("UsernameKey")
    username = data.get(key) if key else None
    if not key or username in ("", None):
        return []  # absent or empty is already reported
    if not isinstance(username, str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", username):
        return [f"its {key} must be a letter followed by letters, digits or underscores"]
    longest = int(props.get("MaxUsernameLength", 63))
    if len(username) > longest:
        return [f"its {key} must be {longest} characters at most"]
    rejected = _list(props.get("RejectedUsernames"))
    if username.lower() in (name.lower() for name in rejected):
        return [f"its {key} is a name that is reserved (one of {', '.join(rejected)})"]
    return []


def _list(value):
    return json.loads(value) if isinstance(value, str) else list(value or [])


def send_response(event, status, reason, physical_id):
    """PUTs the result to the pre-signed URL CloudFormation waits on."""
    body = json.dumps({
        "Status": status,
        "Reason": reason[:3000],
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
