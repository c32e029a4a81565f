import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DmsEndpointType, DmsSecretEndpointProps, DmsSslMode } from './dms-endpoint-props';
import { checkDmsSecretRotation } from './private/dms-users';
import { Problems, show } from './private/errors';
import { DMS_HEARTBEAT_MINUTES } from './private/limits';
import { POSTGRES_NAME, POSTGRES_NAME_FIX, POSTGRES_NAME_MAX } from './private/postgres-names';
import { secretIdOf } from './private/secrets';
import { SecureDmsEndpointBase } from './secure-dms-endpoint-base';


/**
 * A replication slot's name: "lower-case letters, numbers, and the underscore character", and at
 * most 63 characters (NAMEDATALEN).
 *
 * @see https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION-SLOTS-MANIPULATION
 */
const SLOT_NAME = new RegExp(`^[a-z0-9_]{1,${POSTGRES_NAME_MAX}}$`);


/**
 * The logical decoding plugin DMS uses for change data capture.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html#CHAP_Source.PostgreSQL.ConnectionAttrib
 */
export enum DmsPostgresPlugin {
  /** DMS chooses (pglogical when it is installed, otherwise test_decoding). */
  NO_PREFERENCE = 'no-preference',
  /** The test_decoding plugin, built into PostgreSQL. */
  TEST_DECODING = 'test-decoding',
  /** The pglogical extension. */
  PGLOGICAL = 'pglogical',
}

/**
 * PostgreSQL settings for change data capture (CDC). Credentials and server settings are not
 * among them: the secret supplies those.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dms-endpoint-postgresqlsettings.html
 */
export interface DmsPostgresCdcSettings {
  /**
   * Whether DMS writes a heartbeat, so an idle source does not hold the WAL in its replication slot.
   * `PostgresReplication` turns it on for CDC when it is not given, and refuses `false` without its
   * `heartbeatOffReason`.
   *
   * @default - DMS's default, false; on for CDC in a `PostgresReplication`
   */
  readonly heartbeatEnable?: boolean;

  /**
   * How often the heartbeat is written, in whole minutes (1 at least).
   *
   * @default 5
   */
  readonly heartbeatFrequency?: number;

  /**
   * The schema of the heartbeat table, which the user DMS logs in as must be allowed to create in.
   * `PostgresReplication` sets it to its source user's `dmsSchemaName` when it is not given.
   *
   * @default - DMS's default, "public" (closed to users other than its owner since PostgreSQL 15)
   */
  readonly heartbeatSchema?: string;

  /**
   * The name of an existing logical replication slot to use.
   *
   * @default - DMS creates a slot
   */
  readonly slotName?: string;

  /**
   * The logical decoding plugin.
   *
   * @default DmsPostgresPlugin.NO_PREFERENCE
   */
  readonly pluginName?: DmsPostgresPlugin;

  /**
   * Whether DMS captures DDL (CREATE, ALTER, DROP TABLE) on the source with an event trigger.
   * Off here, unlike DMS's default: a user that is not the master needs `rds_superuser`, or
   * DDL-capture artifacts (`awsdms_ddl_audit`, `awsdms_intercept_ddl` and its event trigger) that
   * the master created in `ddlArtifactsSchema`. With it off, schema changes on the source during
   * CDC are not replicated: make them on the target too.
   *
   * @default false
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
   */
  readonly captureDdls?: boolean;

  /**
   * The schema of the DDL-capture artifacts, with `captureDdls`. `PostgresReplication` sets it to
   * its source user's `dmsSchemaName` when it is not given.
   *
   * @default - DMS's default, "public"
   */
  readonly ddlArtifactsSchema?: string;
}

/**
 * Properties of a {@link SecureDmsPostgresEndpoint}.
 */
export interface SecureDmsPostgresEndpointProps extends DmsSecretEndpointProps {
  /**
   * The database to migrate (the secret's `dbname`, if any, is not used).
   */
  readonly databaseName: string;

  /**
   * Change data capture settings, for a source endpoint only.
   *
   * @default - DMS's defaults, except `captureDdls`, which is off
   */
  readonly cdcSettings?: DmsPostgresCdcSettings;
}

/**
 * A DMS PostgreSQL endpoint that reads its credentials from Secrets Manager, through an IAM role
 * it creates with the regional DMS trust and least-privilege grants.
 *
 * No prop admits a user name, a password, a server name or a port: the secret supplies them, and
 * DMS accepts either those settings or the secret, not both. TLS is on unless explicitly turned
 * off (`DmsSslMode.REQUIRE` by default; DMS supports every mode for PostgreSQL).
 *
 * `EngineName` is `postgres`, for Aurora PostgreSQL too. AWS documents `aurora-postgresql` for
 * Aurora; `postgres` works around a reported failure of secret-only endpoints with that name
 * ("Password must be provided", hashicorp/terraform-provider-aws#23463). That is a user report, not
 * AWS guidance.
 *
 * @example
 * declare const secret: secretsmanager.ISecret; // holds username, password, host and port
 * new SecureDmsPostgresEndpoint(this, 'Source', {
 *   secret,
 *   endpointType: DmsEndpointType.SOURCE,
 *   databaseName: 'payments',
 * });
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export class SecureDmsPostgresEndpoint extends SecureDmsEndpointBase {
  constructor(scope: Construct, id: string, props: SecureDmsPostgresEndpointProps) {
    super(scope, id, props, {
      engineName: 'postgres',
      databaseName: props.databaseName,
      sslModes: [DmsSslMode.NONE, DmsSslMode.REQUIRE, DmsSslMode.VERIFY_CA, DmsSslMode.VERIFY_FULL],
      defaultSslMode: DmsSslMode.REQUIRE,
      description: 'the DMS PostgreSQL endpoint',
    });
    const cdc = props.cdcSettings ?? {};
    this.endpoint.postgreSqlSettings = {
      secretsManagerSecretId: secretIdOf(props.secret),
      secretsManagerAccessRoleArn: this.role.roleArn,
      heartbeatEnable: cdc.heartbeatEnable,
      heartbeatFrequency: cdc.heartbeatFrequency,
      heartbeatSchema: cdc.heartbeatSchema,
      slotName: cdc.slotName,
      pluginName: cdc.pluginName,
      captureDdls: props.endpointType === DmsEndpointType.SOURCE ? cdc.captureDdls ?? false : undefined,
      ddlArtifactsSchema: cdc.ddlArtifactsSchema,
    };
    checkDmsSecretRotation(this, props.secret);
  }

  /** @internal */
  protected _validateEngine(problems: Problems, props: SecureDmsPostgresEndpointProps): void {
    if (!Token.isUnresolved(props.databaseName) && (props.databaseName.length === 0 || props.databaseName.length > POSTGRES_NAME_MAX)) {
      problems.prop('DatabaseNameInvalid', 'databaseName', `must be 1 to ${POSTGRES_NAME_MAX} characters (a PostgreSQL name), got: ${show(props.databaseName)}`,
        'name the database DMS migrates');
    }
    this.validateCdcSettings(problems, props);
  }

  private validateCdcSettings(problems: Problems, props: SecureDmsPostgresEndpointProps): void {
    const cdc = props.cdcSettings;
    if (!cdc) return;
    if (props.endpointType === DmsEndpointType.TARGET) {
      problems.prop('CdcSettingsOnTarget', 'cdcSettings', 'are given for a TARGET endpoint, and DMS reads them only from the '
        + 'source it captures changes from', 'move cdc_settings (cdcSettings) to the SOURCE endpoint');
    }
    if (cdc.heartbeatFrequency !== undefined) {
      problems.integerInRange('HeartbeatFrequencyOutOfRange', 'heartbeatFrequency', cdc.heartbeatFrequency, DMS_HEARTBEAT_MINUTES,
        `give whole minutes, ${DMS_HEARTBEAT_MINUTES.min} at least; 5 is DMS's default`);
    }
    if (cdc.slotName !== undefined && !Token.isUnresolved(cdc.slotName) && !SLOT_NAME.test(cdc.slotName)) {
      problems.prop('SlotNameInvalid', 'slotName', `is not a replication slot name PostgreSQL accepts, got: ${show(cdc.slotName)}`,
        `use 1 to ${POSTGRES_NAME_MAX} lower-case letters, digits and underscores`);
    }
    for (const [prop, value] of [['heartbeatSchema', cdc.heartbeatSchema], ['ddlArtifactsSchema', cdc.ddlArtifactsSchema]] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !POSTGRES_NAME.test(value)) {
        problems.prop('CdcSchemaInvalid', prop, `is not a schema name DMS can create its tables in, got: ${show(value)}`,
          POSTGRES_NAME_FIX);
      }
    }
  }
}
