import {
  Duration, Token,
  aws_kms as kms,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems, WarningId, show, warnAboutChoices } from './private/errors';
import { RDS_BACKUP_RETENTION, RDS_PORT } from './private/limits';
import { rdsMaxPasswordLength } from './private/passwords';
import { POSTGRES_NAME_MAX } from './private/postgres-names';
import { checkRdsIdentifier, protectOnceCreated, rdsPortFix, safeStorage, storageChoiceWarnings } from './private/rds';
import { externalSecretCheck, externalSecretCredentials, validateExternalSecret } from './private/secrets';
import { SecretPreflightCheck } from './secret-preflight-check';

/**
 * Properties of an {@link ExternalSecretRdsInstance}: every prop of `rds.DatabaseInstance`, with safer
 * defaults; `credentials` is refused (the external secret supplies them).
 *
 * Defaults that differ from `rds.DatabaseInstance`: `deletionProtection` true (turned on once the
 * instance exists, so that a failed first deploy still rolls back to nothing: see
 * `deletionProtectionOnceCreated`), `publiclyAccessible` false, `backupRetention` 7 days,
 * `storageEncrypted` true. Turning any of them off, or `removalPolicy` DESTROY, leaves a warning.
 */
export interface ExternalSecretRdsInstanceProps extends rds.DatabaseInstanceSourceProps {
  /**
   * The secret holding the master credentials, created outside this stack. It is read through
   * dynamic references and never modified, unless `attachSecret` says so.
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * Refused (`CredentialsGiven`): the external secret supplies the master credentials, read by dynamic
   * references. Declared so that a `credentials` given, as to `rds.DatabaseInstance`, gets that error
   * with its fix rather than a bare `TypeError`.
   *
   * @default - none: give `secret` (with `usernameKey` and `passwordKey` for other key names)
   */
  readonly credentials?: rds.Credentials;

  /**
   * The JSON key of the secret that holds the master user name.
   *
   * @default "username"
   */
  readonly usernameKey?: string;

  /**
   * The JSON key of the secret that holds the master password.
   *
   * @default "password"
   */
  readonly passwordKey?: string;

  /**
   * Whether a deploy-time check reads the secret before the database is created, and fails the
   * deploy within the first minute when it is not JSON, lacks a key, or has an empty password or
   * one the engine rejects (instead of `Could not parse SecretString JSON` at the database, deep
   * into the deploy).
   *
   * @default true
   */
  readonly preflightCheck?: boolean;

  /**
   * Whether to attach the instance to the secret, which adds `host`, `port`, `engine` and
   * `dbInstanceIdentifier` to it: what DMS and hosted rotation need. The attachment is then the
   * instance's `secret`. Off by default because it rewrites a secret this stack does not own (and
   * removing the attachment removes those keys).
   *
   * @default false
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secrettargetattachment.html
   */
  readonly attachSecret?: boolean;

  /**
   * Whether storage is encrypted. Turning it off needs `false` here, and leaves a warning:
   * encrypting it later replaces the instance.
   *
   * @default true
   */
  readonly storageEncrypted?: boolean;

  /**
   * The KMS key that encrypts storage.
   *
   * @default - the secret's customer-managed key when it has one, otherwise the AWS managed key `aws/rds`
   */
  readonly storageEncryptionKey?: kms.IKey;

  /**
   * For Oracle and SQL Server, the character set of the database.
   *
   * @default - RDS's default character set for the engine
   */
  readonly characterSetName?: string;
}

/**
 * An RDS instance whose master credentials come from a secret created outside the stack, checked
 * before the database is created.
 *
 * It is an `rds.DatabaseInstance` (connections, grants, metrics, every prop), whose credentials
 * are `{{resolve:secretsmanager:...}}` dynamic references to the secret's keys, so no value is in
 * the template and the secret is not modified (where `Credentials.fromSecret` would attach the
 * instance to it silently). A pre-flight check fails the deploy within the first minute when the
 * secret is unusable. Storage is encrypted, the instance protected from deletion, snapshotted on
 * removal, private and backed up, unless told otherwise.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const master = secretsmanager.Secret.fromSecretCompleteArn(this, 'Master',
 *   'arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/master-AbCdEf');
 * new ExternalSecretRdsInstance(this, 'Db', {
 *   secret: master,
 *   engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
 *   vpc,
 *   vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
 * });
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
 */
export class ExternalSecretRdsInstance extends rds.DatabaseInstance {
  /** The secret the master credentials come from, as given (`secret` is its attachment, when attached). */
  public readonly externalSecret: secretsmanager.ISecret;

  /** The deploy-time check of the secret; make other resources wait for it with `guard`. */
  public readonly preflightCheck?: SecretPreflightCheck;

  /**
   * What turns deletion protection on once the instance exists (a custom resource and its function),
   * unless `deletionProtection` is false. A rollback of the stack's failed creation turns it off
   * again, first, so that the new instance is deleted and the stack rolls back to nothing.
   */
  public readonly deletionProtectionOnceCreated?: Construct;

  constructor(scope: Construct, id: string, props: ExternalSecretRdsInstanceProps) {
    // Checked before rds.DatabaseInstance sees the props, which fails obscurely on some of them.
    validate(scope, id, props);
    super(scope, id, instanceProps(props));
    this.externalSecret = props.secret;
    this.warnAboutUnsafeChoices(props);
    this.deletionProtectionOnceCreated = protectOnceCreated(this, props);

    if (props.preflightCheck ?? true) {
      this.preflightCheck = new SecretPreflightCheck(this, 'SecretCheck', externalSecretCheck(props, props.engine.engineType,
        rdsMaxPasswordLength(props.engine.engineType), `the RDS ${props.engine.engineType} instance`));
      // The database resource only: the check is itself a child of this construct.
      this.preflightCheck.guard(this.node.defaultChild!);
    }
  }

  private warnAboutUnsafeChoices(props: ExternalSecretRdsInstanceProps): void {
    const unsafe: Array<[boolean, WarningId, string]> = [
      ...storageChoiceWarnings(props, 'instance'),
      [props.publiclyAccessible === true, 'publiclyAccessible', 'the instance has a public address (publicly_accessible is True)'],
      [props.backupRetention !== undefined && !props.backupRetention.isUnresolved() && props.backupRetention.toMilliseconds() === 0,
        'backupsOff', 'automated backups are off (backup_retention is zero)'],
    ];
    warnAboutChoices(this, unsafe);
  }
}

/**
 * What `rds.DatabaseInstance` is given: the caller's props with the safe defaults, and credentials
 * read from the external secret by dynamic references. The secret rides along in the credentials
 * only when it is to be attached: `rds.DatabaseInstance` attaches every credentials secret.
 */
function instanceProps(props: ExternalSecretRdsInstanceProps): rds.DatabaseInstanceProps {
  const { secret, usernameKey, passwordKey, preflightCheck, attachSecret, credentials: _refused, ...instance } = props;
  return {
    ...instance,
    credentials: externalSecretCredentials(props),
    ...safeStorage(props, secret.encryptionKey),
    publiclyAccessible: props.publiclyAccessible ?? false,
    backupRetention: props.backupRetention ?? Duration.days(7),
  };
}

function validate(scope: Construct, id: string, props: ExternalSecretRdsInstanceProps): void {
  const problems = new Problems(scope.node.path ? `${scope.node.path}/${id}` : id);
  validateExternalSecret(problems, scope, props, 'instance');
  if (props.engine.engineType.startsWith('aurora')) {
    problems.prop('ClusterEngine', 'engine', `must be a DB instance engine, got the cluster engine: ${show(props.engine.engineType)}`,
      'use rds.DatabaseInstanceEngine (for example postgres(version=...)), or an rds.DatabaseCluster for Aurora');
  }
  validateNames(problems, props);
  if (props.port !== undefined) {
    problems.integerInRange('PortOutOfRange', 'port', props.port, RDS_PORT, rdsPortFix('CreateDBInstance'));
  }
  if (props.backupRetention !== undefined) {
    problems.durationInRange('BackupRetentionOutOfRange', 'backupRetention', props.backupRetention, RDS_BACKUP_RETENTION,
      `keep automated backups up to ${RDS_BACKUP_RETENTION.max.toDays()} days (the RDS maximum), or omit it for 7 days`);
  }
  problems.throwIfAny();
}

/** The names RDS checks only when it creates the instance (CreateDBInstance's constraints). */
function validateNames(problems: Problems, props: ExternalSecretRdsInstanceProps): void {
  checkRdsIdentifier(problems, 'InstanceIdentifierInvalid', 'instanceIdentifier', props.instanceIdentifier, 'DB instance');
  const name = props.databaseName;
  if (name !== undefined && !Token.isUnresolved(name) && props.engine.engineType === 'postgres'
    && !new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${POSTGRES_NAME_MAX - 1}}$`).test(name)) {
    problems.prop('DatabaseNameInvalid', 'databaseName', `is not a PostgreSQL database name RDS accepts, got: ${show(name)}`,
      `use 1 to ${POSTGRES_NAME_MAX} letters, digits or underscores, starting with a letter; or omit it (RDS creates "postgres")`);
  }
}
