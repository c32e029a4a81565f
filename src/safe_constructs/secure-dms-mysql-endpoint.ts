import {
  Token,
  aws_dms as dms,
  aws_iam as iam,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkDmsEndpointSecret, dmsSecretAccessRole, validateDmsEndpoint } from './private/dms-endpoints';
import { Problems, show } from './private/errors';
import { SecretPreflightCheck } from './secret-preflight-check';
import { DmsEndpointType, DmsSecretEndpointProps, DmsSslMode } from './secure-dms-postgres-endpoint';

/**
 * The MySQL-family engine of a DMS endpoint (`EngineName`).
 *
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html
 */
export enum DmsMySqlEngine {
  /** MySQL (RDS, or self-managed). */
  MYSQL = 'mysql',
  /** MariaDB (RDS, or self-managed). */
  MARIADB = 'mariadb',
  /** Aurora MySQL, whose DMS engine name is `aurora`. */
  AURORA_MYSQL = 'aurora',
}

/**
 * Properties of a {@link SecureDmsMySqlEndpoint}.
 */
export interface SecureDmsMySqlEndpointProps extends DmsSecretEndpointProps {
  /** The engine: MySQL, MariaDB or Aurora MySQL. */
  readonly engine: DmsMySqlEngine;

  /**
   * The database, where DMS needs one (a target's default database); a MySQL source is read
   * through the task's table mappings.
   *
   * @default - none
   */
  readonly databaseName?: string;
}

/**
 * A DMS MySQL, MariaDB or Aurora MySQL endpoint that reads its credentials from Secrets Manager,
 * through an IAM role it creates with the regional DMS trust and least-privilege grants: the same
 * guarantees as `SecureDmsPostgresEndpoint`, from the same code.
 *
 * `MySqlSettings` carries `SecretsManagerSecretId` and `SecretsManagerAccessRoleArn`; no prop admits
 * a user name, a password, a server name or a port (DMS accepts either those or the secret, not
 * both). TLS is on (`require`) unless explicitly turned off.
 *
 * @example
 * declare const secret: secretsmanager.ISecret; // holds username, password, host and port
 * new SecureDmsMySqlEndpoint(this, 'Orders', {
 *   secret,
 *   endpointType: DmsEndpointType.SOURCE,
 *   engine: DmsMySqlEngine.AURORA_MYSQL,
 * });
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 */
export class SecureDmsMySqlEndpoint extends Construct {
  /** The DMS endpoint. */
  public readonly endpoint: dms.CfnEndpoint;

  /** The endpoint's ARN (its `Ref`). */
  public readonly endpointArn: string;

  /** The role DMS assumes to read the secret. */
  public readonly role: iam.Role;

  /** The deploy-time check of the secret, when there is one. */
  public readonly preflightCheck?: SecretPreflightCheck;

  /** The secret DMS reads the connection from. */
  public readonly secret: secretsmanager.ISecret;

  /** Whether DMS reads from the endpoint or writes to it. */
  public readonly endpointType: DmsEndpointType;

  constructor(scope: Construct, id: string, props: SecureDmsMySqlEndpointProps) {
    super(scope, id);
    const sslMode = props.sslMode ?? DmsSslMode.REQUIRE;
    this.secret = props.secret;
    this.endpointType = props.endpointType;
    const problems = new Problems(this);
    validateDmsEndpoint(this, problems, { ...props, sslMode });
    if (props.databaseName !== undefined && !Token.isUnresolved(props.databaseName)
      && (props.databaseName.length === 0 || props.databaseName.length > 64)) {
      problems.prop('DatabaseNameInvalid', 'databaseName', `must be 1 to 64 characters (a MySQL name), got: ${show(props.databaseName)}`,
        'name the database, or omit it');
    }
    problems.throwIfAny();

    this.role = dmsSecretAccessRole(this, props.secret);
    this.endpoint = new dms.CfnEndpoint(this, 'Resource', {
      endpointType: props.endpointType,
      engineName: props.engine,
      databaseName: props.databaseName,
      sslMode,
      certificateArn: props.certificateArn,
      endpointIdentifier: props.endpointIdentifier,
      mySqlSettings: {
        secretsManagerSecretId: props.secret.secretFullArn ?? props.secret.secretArn,
        secretsManagerAccessRoleArn: this.role.roleArn,
      },
    });
    this.endpoint.node.addDependency(this.role);
    this.endpointArn = this.endpoint.ref;
    this.preflightCheck = checkDmsEndpointSecret(this, this.endpoint, { ...props, sslMode }, `the DMS ${props.engine} endpoint`, SecretPreflightCheck);
  }
}
