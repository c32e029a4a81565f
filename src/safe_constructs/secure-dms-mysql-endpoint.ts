import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DmsEndpointType, DmsSecretEndpointProps, DmsSslMode } from './dms-endpoint-props';
import { Problems, propName, show } from './private/errors';
import { secretIdOf } from './private/secrets';
import { SecureDmsEndpointBase } from './secure-dms-endpoint-base';

/**
 * The longest MySQL database name.
 *
 * @see https://dev.mysql.com/doc/refman/8.0/en/identifier-length.html
 */
const MYSQL_NAME_MAX = 64;

/** Where DMS says not to give a MySQL endpoint's `DatabaseName`, and why. */
const DATABASE_NAME_SOURCE = 'https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html';

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
 * Where a MySQL-family TARGET writes the task's tables (`MySqlSettings.TargetDbType`; the API's
 * values).
 *
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_MySQLSettings.html
 */
export enum DmsMySqlTargetDbType {
  /**
   * Every table of the task into the one database `databaseName` names: tables of different source
   * schemas merge there, and two tables of one name collide.
   */
  SPECIFIC_DATABASE = 'specific-database',
  /** Each table into the database named after its source schema. */
  MULTIPLE_DATABASES = 'multiple-databases',
}

/**
 * Properties of a {@link SecureDmsMySqlEndpoint}.
 */
export interface SecureDmsMySqlEndpointProps extends DmsSecretEndpointProps {
  /** The engine: MySQL, MariaDB or Aurora MySQL. */
  readonly engine: DmsMySqlEngine;

  /**
   * The one database a TARGET writes every table of the task into, with `targetDbType`
   * `SPECIFIC_DATABASE`; refused otherwise. DMS says not to give it for a MySQL source or target:
   * "Specifying DatabaseName when you create or modify a MySQL endpoint replicates all the task tables
   * to this single database" (CreateEndpoint); the task's table mappings choose the schemas.
   *
   * @default - none: each table goes to the database named after its source schema
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html
   */
  readonly databaseName?: string;

  /**
   * For a TARGET, where DMS writes the task's tables. `SPECIFIC_DATABASE`, with `databaseName`,
   * states that merging every schema into that one database is meant.
   *
   * @default - not set (DMS's default)
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_MySQLSettings.html
   */
  readonly targetDbType?: DmsMySqlTargetDbType;
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
      targetDbType: props.targetDbType,
    };
  }

  /** @internal */
  protected _validateEngine(problems: Problems, props: SecureDmsMySqlEndpointProps): void {
    const name = props.databaseName;
    if (name !== undefined && !Token.isUnresolved(name) && (name.length === 0 || name.length > MYSQL_NAME_MAX)) {
      problems.prop('DatabaseNameInvalid', 'databaseName', `must be 1 to ${MYSQL_NAME_MAX} characters (a MySQL name), got: ${show(name)}`,
        'name the database, or omit it');
    }
    if (props.endpointType === DmsEndpointType.SOURCE) {
      if (name !== undefined) {
        problems.prop('DatabaseNameOnMySqlSource', 'databaseName', `is ${show(name)} on a SOURCE endpoint, and DMS says not to give it `
          + `for a MySQL source: "you specify the database only when you specify the schema in the table-mapping rules" (${DATABASE_NAME_SOURCE})`,
        'omit database_name; the task\'s table mappings choose the schemas DMS reads');
      }
      if (props.targetDbType !== undefined) {
        problems.prop('TargetDbTypeOnSource', 'targetDbType', `is ${props.targetDbType} on a SOURCE endpoint, and it says where a target `
          + 'writes', 'omit target_db_type, or build the endpoint with endpoint_type=DmsEndpointType.TARGET');
      }
      return;
    }
    const single = props.targetDbType === DmsMySqlTargetDbType.SPECIFIC_DATABASE;
    if (name !== undefined && !single) {
      problems.prop('DatabaseNameMergesSchemas', 'databaseName', `is ${show(name)} on a TARGET endpoint whose ${propName('targetDbType')} `
        + `is ${props.targetDbType ?? 'not set'}: "Specifying DatabaseName when you create or modify a MySQL endpoint replicates all the `
        + `task tables to this single database" (${DATABASE_NAME_SOURCE}), so the source's schemas merge and tables of one name collide`,
      'omit database_name (each table goes to the database named after its source schema), or set '
        + 'target_db_type=DmsMySqlTargetDbType.SPECIFIC_DATABASE to write every table into that one database on purpose');
    }
    if (single && name === undefined) {
      problems.prop('SpecificDatabaseWithoutName', 'databaseName', `is required with ${propName('targetDbType')} SPECIFIC_DATABASE `
        + '("specify the database name using the DatabaseName parameter"), and none was given',
      'name the one database every table goes to, or omit target_db_type');
    }
  }
}
