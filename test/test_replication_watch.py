"""PostgresReplication watched and bounded (#33.4, #33.5): the identifiers its metrics carry, the heartbeat, the
bound on the WAL a slot holds, the alarms and the task's notifications."""
import re

from harness import migration, new_stack, only_resource, synth

# DMS's rule for ReplicationInstanceIdentifier (CreateReplicationInstance, botocore's model of it): 1-63
# letters, digits or hyphens, first a letter, no trailing or double hyphen; stored lower case.
INSTANCE_IDENTIFIER = re.compile(r"^[a-z](?:-?[a-z0-9]){0,62}$")


def test_the_instance_identifier_is_set_lower_case_within_dms_rule_and_exposed():
    stack = new_stack(stack_id="PaymentMigration")
    replication, _, _ = migration(stack)
    instance = only_resource(synth(stack), "AWS::DMS::ReplicationInstance")["Properties"]
    assert instance["ReplicationInstanceIdentifier"] == replication.instance_identifier
    assert INSTANCE_IDENTIFIER.match(replication.instance_identifier), replication.instance_identifier
    assert replication.instance_identifier.startswith("paymentmigration-replication-")


def test_the_instance_identifier_is_the_same_each_synth_and_differs_between_replications():
    first, second = (migration(new_stack(stack_id="Pay"))[0].instance_identifier for _ in range(2))
    assert first == second
    other = migration(new_stack(stack_id="Pay-Two--Stack"))[0].instance_identifier
    assert other != first and INSTANCE_IDENTIFIER.match(other), other
