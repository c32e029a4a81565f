import {
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems, warnAboutChoices } from './private/errors';
import { RDS_PORT } from './private/limits';
import { RDS_CLUSTER_MAX_PASSWORD_LENGTH } from './private/passwords';
import { checkRdsIdentifier, protectOnceCreated, rdsPortFix, safeStorage, storageChoiceWarnings } from './private/rds';
import { externalSecretCheck, externalSecretCredentials, validateExternalSecret } from './private/secrets';
import { SecretPreflightCheck } from './secret-preflight-check';

/**
 * Properties of an {@link ExternalSecretDatabaseCluster}: every prop of `rds.DatabaseCluster`, with
 * safer defaults; `credentials` is refused (the external secret supplies them).
 *
 * Defaults that differ from `rds.DatabaseCluster`: `storageEncrypted` true (with the secret's
 * customer-managed key when it has one and no `storageEncryptionKey` is given) and
 * `deletionProtection` true (turned on once the cluster exists, so that a failed first deploy still
 * rolls back to nothing: see `deletionProtectionOnceCreated`). Turning either off, or `removalPolicy` DESTROY, leaves a warning:
 * encrypting storage later replaces the cluster.
 */
export interface ExternalSecretDatabaseClusterProps extends rds.DatabaseClusterProps {
  /**
   * The secret holding the master credentials, created outside this stack. It is read through
   * dynamic references and never modified, unless `attachSecret` says so.
   */
  readonly secret: secretsmanager.ISecret;

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
   * Whether a deploy-time check reads the secret before the cluster is created, and fails the
   * deploy within the first minute when it is not JSON, lacks a key, or has an empty password or
   * one RDS rejects for a cluster (8 to 41 characters, no `/ " @`).
   *
   * @default true
   */
  readonly preflightCheck?: boolean;

  /**
   * Whether to attach the cluster to the secret, which adds `host` (the writer's endpoint),
   * `port`, `engine` and `dbClusterIdentifier` to it: what DMS and hosted rotation need. Off by
   * default because it rewrites a secret this stack does not own.
   *
   * @default false
   */
  readonly attachSecret?: boolean;
}

/**
 * An Aurora DB cluster whose master credentials come from a secret created outside the stack,
 * checked before the cluster is created: to `rds.DatabaseCluster` what `ExternalSecretRdsInstance`
 * is to `rds.DatabaseInstance`.
 *
 * Aurora only, as `rds.DatabaseCluster` is: its engines are Aurora's (`DatabaseClusterEngine`), and
 * it creates the cluster's instances itself, which RDS refuses for a Multi-AZ DB cluster
 * (aws/aws-cdk#25547 asks for those). So `clusterIdentifier` may have the 63 characters
 * CreateDBCluster allows an Aurora cluster, not the 52 of a Multi-AZ DB cluster.
 *
 * Its credentials are `{{resolve:secretsmanager:...}}` dynamic references to the secret's keys, so
 * no value is in the template and the secret is not modified (where `Credentials.fromSecret` would
 * attach the cluster to it silently). A pre-flight check fails the deploy within the first minute
 * when the secret is unusable. Storage is encrypted, the cluster protected from deletion and
 * snapshotted on removal, unless told otherwise.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const master = secretsmanager.Secret.fromSecretCompleteArn(this, 'Master',
 *   'arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/master-AbCdEf');
 * new ExternalSecretDatabaseCluster(this, 'Cluster', {
 *   secret: master,
 *   engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_4 }),
 *   writer: rds.ClusterInstance.serverlessV2('Writer'),
 *   vpc,
 *   vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
 * });
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export class ExternalSecretDatabaseCluster extends rds.DatabaseCluster {
  /** The secret the master credentials come from, as given (`secret` is its attachment, when attached). */
  public readonly externalSecret: secretsmanager.ISecret;

  /** The deploy-time check of the secret; make other resources wait for it with `guard`. */
  public readonly preflightCheck?: SecretPreflightCheck;

  /**
   * What turns deletion protection on once the cluster exists (a custom resource and its function),
   * unless `deletionProtection` is false. A rollback of the stack's failed creation turns it off
   * again, first, so that the new cluster is deleted and the stack rolls back to nothing.
   */
  public readonly deletionProtectionOnceCreated?: Construct;

  constructor(scope: Construct, id: string, props: ExternalSecretDatabaseClusterProps) {
    // Checked before rds.DatabaseCluster sees the props.
    validate(scope, id, props);
    super(scope, id, clusterProps(props));
    this.externalSecret = props.secret;
    warnAboutChoices(this, storageChoiceWarnings(props, 'cluster'));
    this.deletionProtectionOnceCreated = protectOnceCreated(this, props);

    if (props.preflightCheck ?? true) {
      this.preflightCheck = new SecretPreflightCheck(this, 'SecretCheck', externalSecretCheck(props, props.engine.engineType,
        RDS_CLUSTER_MAX_PASSWORD_LENGTH, `the RDS ${props.engine.engineType} cluster`));
      // The cluster resource only: the check is itself a child of this construct.
      this.preflightCheck.guard(this.node.defaultChild!);
    }
  }
}

/** What `rds.DatabaseCluster` is given: the caller's props with the safe defaults and the external secret's credentials. */
function clusterProps(props: ExternalSecretDatabaseClusterProps): rds.DatabaseClusterProps {
  const { secret, usernameKey, passwordKey, preflightCheck, attachSecret, ...cluster } = props;
  return { ...cluster, credentials: externalSecretCredentials(props), ...safeStorage(props, secret.encryptionKey) };
}

function validate(scope: Construct, id: string, props: ExternalSecretDatabaseClusterProps): void {
  const problems = new Problems(scope.node.path ? `${scope.node.path}/${id}` : id);
  validateExternalSecret(problems, scope, props, 'cluster');
  checkRdsIdentifier(problems, 'ClusterIdentifierInvalid', 'clusterIdentifier', props.clusterIdentifier, 'DB cluster');
  if (props.port !== undefined) {
    problems.integerInRange('PortOutOfRange', 'port', props.port, RDS_PORT, rdsPortFix('CreateDBCluster'));
  }
  problems.throwIfAny();
}
