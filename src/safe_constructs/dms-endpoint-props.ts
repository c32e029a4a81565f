// The public types every DMS endpoint on a Secrets Manager secret shares, whatever its engine (as
// aws-rds keeps the types an instance and a cluster share in props.ts). An engine's own settings live
// in its endpoint's file.
import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * Whether DMS reads from the endpoint or writes to it. The user the endpoint logs in as needs the
 * `DmsAccess` member of the same name (`PostgresDatabaseUser(access=DmsAccess.SOURCE)`).
 */
export enum DmsEndpointType {
  /** The database DMS migrates from. */
  SOURCE = 'source',
  /** The database DMS migrates to. */
  TARGET = 'target',
}

/**
 * How DMS protects its connection to the database. Which modes an engine takes differs (DMS's SSL
 * page has a table per engine): each endpoint construct names the modes it accepts and its default.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html
 */
export enum DmsSslMode {
  /** Clear text. Refused unless chosen explicitly, and then flagged with a warning. */
  NONE = 'none',
  /** Encrypted, without verifying the server's certificate. */
  REQUIRE = 'require',
  /** Encrypted, with the server's certificate verified against `certificateArn`. */
  VERIFY_CA = 'verify-ca',
  /** Encrypted, with the certificate and the host name verified against `certificateArn`. */
  VERIFY_FULL = 'verify-full',
}

/**
 * What every DMS endpoint on a Secrets Manager secret takes: the secret, the direction, TLS and
 * the endpoint's name. No prop admits a user name, a password, a server name or a port.
 */
export interface DmsSecretEndpointProps {
  /**
   * The secret DMS reads the connection from. It must hold `username`, `password`, `host` and
   * `port` (DMS ignores other keys). A `RotatingSecret` or `rds.DatabaseSecret` attached to its
   * database holds them (for a cluster, `host` is the writer's endpoint); an RDS-managed master
   * secret does not (it lacks `host` and `port`).
   *
   * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * Whether DMS reads from this database or writes to it.
   */
  readonly endpointType: DmsEndpointType;

  /**
   * How the connection is protected: one of the modes the endpoint's engine accepts. `NONE` must be
   * chosen explicitly and leaves a warning.
   *
   * @default - the engine's default, which each endpoint construct names
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html
   */
  readonly sslMode?: DmsSslMode;

  /**
   * The ARN of the DMS certificate that verifies the server; required with `VERIFY_CA` and
   * `VERIFY_FULL`, and only used by them.
   *
   * @default - none
   */
  readonly certificateArn?: string;

  /**
   * The endpoint's name: a letter, then letters, digits and single hyphens, 255 characters at most,
   * not ending with a hyphen.
   *
   * @default - a name CloudFormation generates
   */
  readonly endpointIdentifier?: string;

  /**
   * Whether a deploy-time check verifies the secret's keys (`username`, `password`, `host`,
   * `port`) and password characters before the endpoint is created. For a secret created in this
   * app the same is checked at synth time instead, so it is refused there.
   *
   * @default - true for a secret created outside this app, false for one created in it
   */
  readonly preflightCheck?: boolean;
}

/**
 * What an engine's endpoint class tells {@link SecureDmsEndpointBase}: the engine's name, the
 * database, and the TLS modes DMS supports for it. The engine's settings (`PostgreSqlSettings`,
 * `MySqlSettings`, ...), which carry the secret and the role, are the endpoint class's to write.
 */
export interface DmsEndpointEngine {
  /**
   * The endpoint's `EngineName` (`postgres`, `mysql`, `aurora`, ...).
   *
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html
   */
  readonly engineName: string;

  /**
   * The endpoint's `DatabaseName`.
   *
   * @default - none
   */
  readonly databaseName?: string;

  /**
   * The TLS modes DMS supports for the engine (DMS's SSL page, its table for the engine); any other
   * is refused.
   *
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html
   */
  readonly sslModes: DmsSslMode[];

  /** The TLS mode used when `sslMode` is not given: one of `sslModes`. */
  readonly defaultSslMode: DmsSslMode;

  /** The endpoint as messages name it: "the DMS PostgreSQL endpoint". */
  readonly description: string;
}
