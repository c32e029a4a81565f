// What RDS accepts of a database's settings, each limit written once. Private.
import { Duration, RemovalPolicy, Stack, Token, aws_iam as iam, aws_kms as kms, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Bound, DurationBound, ErrorId, Problems, WarningId, range, show } from './errors';
import { deployGate, gateTimeout } from './functions';

/**
 * The ports an RDS instance or cluster may listen on.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_PORT: Bound = { min: 1150, max: 65535 };

/** The fix for a port out of range, naming the API whose limit it is. */
export function rdsPortFix(api: 'CreateDBInstance' | 'CreateDBCluster'): string {
  return `use a port ${range(RDS_PORT)} (${api}), or omit it for the engine's default`;
}

/**
 * How long RDS keeps automated backups: 0 (off) to 35 days.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
 */
export const RDS_BACKUP_RETENTION: DurationBound = { min: Duration.days(0), max: Duration.days(35) };

/**
 * The longest DB instance or cluster identifier: 63 characters for every engine, SQL Server included
 * (an older SDK page gave SQL Server a shorter limit; the API reference says 1 to 63 for all).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_IDENTIFIER_MAX = 63;

/** An identifier RDS accepts: letters, digits or hyphens, a letter first, no hyphen at the end or twice in a row. */
export function checkRdsIdentifier(problems: Problems, id: ErrorId, prop: string, identifier: string | undefined, what: string): void {
  if (identifier === undefined || Token.isUnresolved(identifier)) return;
  if (/^[A-Za-z](?:-?[A-Za-z0-9])*$/.test(identifier) && identifier.length <= RDS_IDENTIFIER_MAX) return;
  problems.prop(id, prop, `is not a ${what} identifier RDS accepts, got: ${show(identifier)}`,
    `use 1 to ${RDS_IDENTIFIER_MAX} letters, digits or hyphens, starting with a letter, without two hyphens in a row or one at the end; `
    + 'or omit it for a generated one');
}

/** The storage choices every database of the library defaults to the safe side (`K`: the key type its L2 takes). */
export interface StorageChoices<K = kms.IKey> {
  readonly storageEncrypted?: boolean;
  readonly storageEncryptionKey?: K;
  readonly deletionProtection?: boolean;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Encrypted storage (with the given key, else `defaultKey`) and a snapshot on removal, each turned
 * off only by an explicit prop. Deletion protection is left to {@link protectOnceCreated} (only an
 * explicit `false` reaches the template), so that a failed first deploy can roll back.
 */
export function safeStorage<K>(props: StorageChoices<K>, defaultKey: K | undefined): StorageChoices<K> {
  const storageEncrypted = props.storageEncrypted ?? true;
  return {
    storageEncrypted,
    storageEncryptionKey: storageEncrypted ? props.storageEncryptionKey ?? defaultKey : undefined,
    deletionProtection: props.deletionProtection === false ? false : undefined,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
  };
}

/**
 * Deletion protection that a failed first deploy does not trip over: the database's template leaves
 * `DeletionProtection` out, and a custom resource, created once the database exists, turns it on
 * with ModifyDBInstance (or ModifyDBCluster). The rollback of the stack's failed creation deletes
 * that resource before the database (it depends on the database), and only then does it turn
 * protection off, so that CloudFormation deletes the new database and the stack rolls back to
 * nothing. A stack deletion, a removal from the template and every update leave protection on;
 * since the template never holds `DeletionProtection`, no update of the database sends it either
 * (CloudFormation's RDS handler passes the template's value to ModifyDBInstance, and an absent one
 * not at all). Its role may modify and describe that one database, and describe its own stack.
 *
 * Why: CloudFormation's delete of an `AWS::RDS::DBInstance` calls DeleteDBInstance alone, and RDS
 * refuses it while deletion protection is on ("The database can't be deleted when deletion
 * protection is enabled"), so a rollback stopped there: `ROLLBACK_FAILED`. `RetainExceptOnCreate`
 * exists for the retain half of this, nothing for protection.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds (aws-rds-dbinstance DeleteHandler, Translator.modifyDbInstanceRequest)
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
 */
export function protectOnceCreated(database: rds.DatabaseInstance | rds.DatabaseCluster, props: StorageChoices<unknown>): Construct | undefined {
  if (props.deletionProtection === false) return undefined;
  const cfn = database.node.defaultChild as rds.CfnDBInstance | rds.CfnDBCluster;
  // aws-cdk-lib writes DeletionProtection: true for removalPolicy RETAIN: the template must never hold it.
  cfn.deletionProtection = undefined;
  const scope = new Construct(database, 'DeletionProtection');
  const problems = new Problems(scope);
  const timeout = gateTimeout(problems, undefined);
  problems.throwIfAny();
  const cluster = database instanceof rds.DatabaseCluster;
  const gate = deployGate(scope, 'protection_handler', 'Custom::DeletionProtectionOnceCreated',
    'turns deletion protection on once the database exists, and off only for the rollback of the stack\'s creation', timeout, {
      Kind: cluster ? 'cluster' : 'instance',
      Identifier: cluster ? database.clusterIdentifier : database.instanceIdentifier,
    });
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: cluster ? ['rds:ModifyDBCluster', 'rds:DescribeDBClusters'] : ['rds:ModifyDBInstance', 'rds:DescribeDBInstances'],
    resources: [cluster ? database.clusterArn : database.instanceArn],
  }));
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudformation:DescribeStacks'],
    resources: [Stack.of(database).stackId],
  }));
  // After the database and, for a cluster, its instances: a rollback then deletes this first.
  gate.resource.node.addDependency(...database.node.findAll().filter((c) => c instanceof rds.CfnDBInstance || c instanceof rds.CfnDBCluster));
  return scope;
}

/** The warnings for each safe storage default turned off, for `what` ("instance", "cluster"). */
export function storageChoiceWarnings(props: StorageChoices<unknown>, what: string): Array<[boolean, WarningId, string]> {
  return [
    [props.storageEncrypted === false, 'storageUnencrypted',
      `storage is not encrypted (storage_encrypted is False); encrypting it later replaces the ${what}`],
    [props.deletionProtection === false, 'deletionProtectionOff', 'deletion protection is off (deletion_protection is False)'],
    [props.removalPolicy === RemovalPolicy.DESTROY, 'destroyOnRemoval',
      `the ${what} and its data are deleted, without a snapshot, when it leaves the stack (removal_policy is DESTROY)`],
  ];
}
