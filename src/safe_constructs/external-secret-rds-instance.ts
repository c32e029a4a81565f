import {
  Annotations, Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  WARNING_PREFIX, fail, rdsMaxPasswordLength, rdsRejectedPasswordCharacters, requireDurationInRange,
  requireIntegerInRange, show,
} from './internal';
import { SecretPreflightCheck } from './secret-preflight-check';

/**
 * The longest DB instance identifier: 63 characters for every engine, SQL Server included (an
 * older SDK page said 15 for SQL Server; the API reference says 1 to 63 for all).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Properties of an {@link ExternalSecretRdsInstance}.
 */
export interface ExternalSecretRdsInstanceProps {
  /**
   * The secret holding the master credentials, created outside this stack. It is read through
   * dynamic references and never modified, unless `attachSecret` says so.
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * The database engine: a DB instance engine such as `DatabaseInstanceEngine.postgres(...)`.
   */
  readonly engine: rds.IInstanceEngine;

  /**
   * The VPC to place the instance in.
   */
  readonly vpc: ec2.IVpc;

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
   * deploy within the first minute when it is not JSON, lacks a key, or has an empty or RDS-invalid
   * password (instead of `Could not parse SecretString JSON` at the database, deep into the deploy).
   *
   * @default true
   */
  readonly preflightCheck?: boolean;

  /**
   * Whether to attach the instance to the secret, which adds `host`, `port`, `engine` and
   * `dbInstanceIdentifier` to it: what DMS and hosted rotation need. Off by default because it
   * rewrites a secret this stack does not own (and removing the attachment removes those keys).
   *
   * @default false
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secrettargetattachment.html
   */
  readonly attachSecret?: boolean;

  /**
   * The instance class.
   *
   * @default - m5.large, as `rds.DatabaseInstance`
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Allocated storage, in GiB.
   *
   * @default 100
   */
  readonly allocatedStorage?: number;

  /**
   * The upper limit for storage autoscaling, in GiB.
   *
   * @default - no autoscaling
   */
  readonly maxAllocatedStorage?: number;

  /**
   * The storage type.
   *
   * @default StorageType.GP2
   */
  readonly storageType?: rds.StorageType;

  /**
   * Where in the VPC to place the instance.
   *
   * @default - private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the instance.
   *
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Whether the instance has a standby in another Availability Zone.
   *
   * @default false
   */
  readonly multiAz?: boolean;

  /**
   * How long automated backups are kept, 0 to 35 days. Zero turns backups off and leaves a warning.
   *
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window, `hh24:mi-hh24:mi` in UTC.
   *
   * @default - a window RDS chooses
   */
  readonly preferredBackupWindow?: string;

  /**
   * The parameter group.
   *
   * @default - the engine's default parameter group
   */
  readonly parameterGroup?: rds.IParameterGroup;

  /**
   * The interval of enhanced monitoring.
   *
   * @default - no enhanced monitoring
   */
  readonly monitoringInterval?: Duration;

  /**
   * Whether Performance Insights is on.
   *
   * @default false
   */
  readonly enablePerformanceInsights?: boolean;

  /**
   * The port the database listens on, 1150 to 65535.
   *
   * @default - the engine's default port
   */
  readonly port?: number;

  /**
   * The name of a database to create. For PostgreSQL: 1 to 63 letters, digits or underscores,
   * starting with a letter.
   *
   * @default - none
   */
  readonly databaseName?: string;

  /**
   * The instance identifier: 1 to 63 letters, digits or hyphens (every engine), starting with a
   * letter, without two hyphens in a row or one at the end.
   *
   * @default - a name CloudFormation generates
   */
  readonly instanceIdentifier?: string;

  /**
   * Log types to export to CloudWatch Logs.
   *
   * @default - none
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * Whether storage is encrypted. Turning it off needs `false` here, and leaves a warning.
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
   * Whether the instance is protected from deletion. Turning it off leaves a warning.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the instance when it leaves the stack. `DESTROY` leaves a warning.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether the instance has a public address. Turning it on leaves a warning.
   *
   * @default false
   */
  readonly publiclyAccessible?: boolean;
}

/**
 * An RDS instance whose master credentials come from a secret created outside the stack, checked
 * before the database is created.
 *
 * The credentials are `{{resolve:secretsmanager:...}}` dynamic references to the secret's keys, so
 * no value is in the template and the secret is not modified (where `Credentials.fromSecret` would
 * attach the instance to it silently). A pre-flight check fails the deploy within the first minute
 * when the secret is unusable. Storage is encrypted, the instance protected from deletion,
 * snapshotted on removal, private and backed up, unless told otherwise.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
 */
export class ExternalSecretRdsInstance extends Construct {
  /** The database instance. */
  public readonly instance: rds.DatabaseInstance;

  /** The secret the master credentials come from. */
  public readonly secret: secretsmanager.ISecret;

  /** The deploy-time check of the secret; make other resources wait for it with `guard`. */
  public readonly preflightCheck?: SecretPreflightCheck;

  constructor(scope: Construct, id: string, props: ExternalSecretRdsInstanceProps) {
    super(scope, id);
    const usernameKey = props.usernameKey ?? 'username';
    const passwordKey = props.passwordKey ?? 'password';
    this.validate(props, usernameKey, passwordKey);
    this.secret = props.secret;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const storageEncrypted = props.storageEncrypted ?? true;
    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      engine: props.engine,
      vpc: props.vpc,
      credentials: rds.Credentials.fromPassword(
        props.secret.secretValueFromJson(usernameKey).unsafeUnwrap(), // a dynamic reference, not a value
        props.secret.secretValueFromJson(passwordKey),
      ),
      storageEncrypted,
      storageEncryptionKey: storageEncrypted ? props.storageEncryptionKey ?? props.secret.encryptionKey : undefined,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
      publiclyAccessible: props.publiclyAccessible ?? false,
      backupRetention: props.backupRetention ?? Duration.days(7),
      instanceType: props.instanceType,
      allocatedStorage: props.allocatedStorage,
      maxAllocatedStorage: props.maxAllocatedStorage,
      storageType: props.storageType,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      multiAz: props.multiAz,
      preferredBackupWindow: props.preferredBackupWindow,
      parameterGroup: props.parameterGroup,
      monitoringInterval: props.monitoringInterval,
      enablePerformanceInsights: props.enablePerformanceInsights,
      port: props.port,
      databaseName: props.databaseName,
      instanceIdentifier: props.instanceIdentifier,
      cloudwatchLogsExports: props.cloudwatchLogsExports,
    });
    this.warnAboutUnsafeChoices(props, removalPolicy);

    if (props.preflightCheck ?? true) {
      this.preflightCheck = new SecretPreflightCheck(this, 'SecretCheck', {
        secret: props.secret,
        requiredKeys: [...new Set([usernameKey, passwordKey])],
        passwordKey,
        rejectedPasswordCharacters: rdsRejectedPasswordCharacters(props.engine.engineType),
        minPasswordLength: 8,
        maxPasswordLength: rdsMaxPasswordLength(props.engine.engineType),
        consumer: `the RDS ${props.engine.engineType} instance`,
      });
      this.preflightCheck.guard(this.instance);
    }
    if (props.attachSecret) {
      props.secret.attach(this.instance);
    }
  }

  private validate(props: ExternalSecretRdsInstanceProps, usernameKey: string, passwordKey: string): void {
    for (const [prop, key] of [['usernameKey', usernameKey], ['passwordKey', passwordKey]]) {
      if (!Token.isUnresolved(key) && (key.trim().length === 0 || /[:{}]/.test(key))) {
        fail(this, prop, `must name a JSON key of the secret without ':', '{' or '}', got: ${show(key)}`,
          'a dynamic reference {{resolve:secretsmanager:...:SecretString:<key>::}} cannot hold those; '
          + 'omit it for the default, or give the key that holds the value');
      }
    }
    if (usernameKey === passwordKey) {
      fail(this, 'passwordKey', `is the same key as usernameKey, got: ${show(passwordKey)} for both`,
        'the user name and the password are two keys of the secret (by default "username" and "password")');
    }
    if (props.engine.engineType.startsWith('aurora')) {
      fail(this, 'engine', `must be a DB instance engine, got the cluster engine: ${show(props.engine.engineType)}`,
        'use rds.DatabaseInstanceEngine (for example postgres(version=...)), or an rds.DatabaseCluster for Aurora');
    }
    this.validateSecretArn(props.secret);
    this.validateNames(props);
    if (props.port !== undefined) {
      requireIntegerInRange(this, 'port', props.port, 1150, 65535,
        'RDS accepts ports 1150 to 65535 (CreateDBInstance); omit it for the engine\'s default');
    }
    if (props.backupRetention !== undefined) {
      requireDurationInRange(this, 'backupRetention', props.backupRetention, Duration.days(0), Duration.days(35),
        'RDS keeps automated backups up to 35 days; omit it for 7 days');
    }
  }

  /** The names RDS checks only when it creates the instance (CreateDBInstance's constraints). */
  private validateNames(props: ExternalSecretRdsInstanceProps): void {
    const identifier = props.instanceIdentifier;
    if (identifier !== undefined && !Token.isUnresolved(identifier)
      && (!/^[A-Za-z](?:-?[A-Za-z0-9])*$/.test(identifier) || identifier.length > MAX_IDENTIFIER_LENGTH)) {
      fail(this, 'instanceIdentifier', `is not a DB instance identifier RDS accepts, got: ${show(identifier)}`,
        `use 1 to ${MAX_IDENTIFIER_LENGTH} letters, digits or hyphens, starting with a letter, `
        + 'without two hyphens in a row or one at the end; or omit it for a generated one');
    }
    const name = props.databaseName;
    if (name !== undefined && !Token.isUnresolved(name) && props.engine.engineType === 'postgres'
      && !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name)) {
      fail(this, 'databaseName', `is not a PostgreSQL database name RDS accepts, got: ${show(name)}`,
        'use 1 to 63 letters, digits or underscores, starting with a letter; or omit it (RDS creates "postgres")');
    }
  }

  /** CloudFormation reads another account's secret only by its complete ARN. */
  private validateSecretArn(secret: secretsmanager.ISecret): void {
    if (secret.secretFullArn !== undefined || Token.isUnresolved(secret.secretArn)) return;
    const account = Arn.split(secret.secretArn, ArnFormat.COLON_RESOURCE_NAME).account;
    const stackAccount = Stack.of(this).account;
    if (account && !Token.isUnresolved(stackAccount) && account !== stackAccount) {
      fail(this, 'secret', `is given by name or partial ARN in account ${account}, not this stack's (${stackAccount}): `
        + `${show(secret.secretArn)}`,
      'CloudFormation resolves another account\'s secret only by its complete ARN: import it with Secret.from_secret_complete_arn');
    }
  }

  private warnAboutUnsafeChoices(props: ExternalSecretRdsInstanceProps, removalPolicy: RemovalPolicy): void {
    const unsafe: Array<[boolean, string, string]> = [
      [props.storageEncrypted === false, 'storageUnencrypted', 'storage is not encrypted (storageEncrypted is false); encrypting it later replaces the instance'],
      [props.deletionProtection === false, 'deletionProtectionOff', 'deletion protection is off (deletionProtection is false)'],
      [props.publiclyAccessible === true, 'publiclyAccessible', 'the instance has a public address (publiclyAccessible is true)'],
      [props.backupRetention !== undefined && !props.backupRetention.isUnresolved() && props.backupRetention.toMilliseconds() === 0,
        'backupsOff', 'automated backups are off (backupRetention is zero)'],
      [removalPolicy === RemovalPolicy.DESTROY, 'destroyOnRemoval', 'the instance and its data are deleted, without a snapshot, when it leaves the stack (removalPolicy is DESTROY)'],
    ];
    for (const [chosen, id, message] of unsafe) {
      if (chosen) Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:${id}`, message);
    }
  }
}
