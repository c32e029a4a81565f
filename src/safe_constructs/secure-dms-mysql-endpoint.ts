import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DmsSecretEndpointProps, DmsSslMode } from './dms-endpoint-props';
import { Problems, show } from './private/errors';
import { secretIdOf } from './private/secrets';
import { SecureDmsEndpointBase } from './secure-dms-endpoint-base';

/**
 * The longest MySQL database name.
 *
 * @see https://dev.mysql.com/doc/refman/8.0/en/identifier-length.html
 */
const MYSQL_NAME_MAX = 64;

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

/** The engines as messages and the pre-flight check name them. */
const ENGINE_NAMES: Record<DmsMySqlEngine, string> = {
  [DmsMySqlEngine.MYSQL]: 'MySQL',
  [DmsMySqlEngine.MARIADB]: 'MariaDB',
  [DmsMySqlEngine.AURORA_MYSQL]: 'Aurora MySQL',
};

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
 * guarantees as `SecureDmsPostgresEndpoint`, from the same base (`SecureDmsEndpointBase`).
 *
 * `MySqlSettings` carries `SecretsManagerSecretId` and `SecretsManagerAccessRoleArn`; no prop admits
 * a user name, a password, a server name or a port (DMS accepts either those or the secret, not
 * both).
 *
 * TLS: DMS supports `none`, `verify-ca` and `verify-full` for MySQL, MariaDB and Aurora MySQL, and
 * not `require` (DMS's SSL page, its table of modes per engine), so the endpoint verifies the server:
 * `VERIFY_FULL` by default, which needs `certificateArn` (a {@link DmsCertificate} of the server's CA,
 * for RDS its certificate bundle). `REQUIRE` is refused; `NONE` must be chosen explicitly and leaves
 * a warning (Aurora MySQL 8.4 and later turn `require_secure_transport` on by default and refuse it).
 *
 * @example
 * declare const secret: secretsmanager.ISecret; // holds username, password, host and port
 * declare const rdsCa: DmsCertificate; // RDS's certificate bundle, imported
 * new SecureDmsMySqlEndpoint(this, 'Orders', {
 *   secret,
 *   endpointType: DmsEndpointType.SOURCE,
 *   engine: DmsMySqlEngine.AURORA_MYSQL,
 *   certificateArn: rdsCa.certificateArn,
 * });
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 */
export class SecureDmsMySqlEndpoint extends SecureDmsEndpointBase {
  constructor(scope: Construct, id: string, props: SecureDmsMySqlEndpointProps) {
    super(scope, id, props, {
      engineName: props.engine,
      databaseName: props.databaseName,
      // DMS's SSL table, row "MySQL/MariaDB/Amazon Aurora MySQL": none (Default), require "Not supported",
      // verify-ca and verify-full "Supported" (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html)
      sslModes: [DmsSslMode.NONE, DmsSslMode.VERIFY_CA, DmsSslMode.VERIFY_FULL],
      defaultSslMode: DmsSslMode.VERIFY_FULL,
      description: `the DMS ${ENGINE_NAMES[props.engine] ?? props.engine} endpoint`,
    });
    this.endpoint.mySqlSettings = {
      secretsManagerSecretId: secretIdOf(props.secret),
      secretsManagerAccessRoleArn: this.role.roleArn,
    };
  }

  /** @internal */
  protected _validateEngine(problems: Problems, props: SecureDmsMySqlEndpointProps): void {
    const name = props.databaseName;
    if (name !== undefined && !Token.isUnresolved(name) && (name.length === 0 || name.length > MYSQL_NAME_MAX)) {
      problems.prop('DatabaseNameInvalid', 'databaseName', `must be 1 to ${MYSQL_NAME_MAX} characters (a MySQL name), got: ${show(name)}`,
        'name the database, or omit it');
    }
  }
}
