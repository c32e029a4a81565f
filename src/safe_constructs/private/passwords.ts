// What each consumer of a database password rejects: RDS per engine, and DMS. Private.

/**
 * The characters DMS rejects in endpoint passwords, in the secrets it reads too. Two pages of the DMS
 * guide say it, each in part:
 * - "Creating source and target endpoints": "The following table lists the unsupported characters in
 *   endpoint passwords and secret manager secrets": `{ }` for "All" engines; `;` for MySQL-compatible
 *   engines; `; + %` for "PostgreSQL, Amazon Aurora PostgreSQL-Compatible Edition, ..."; `,` and `;`
 *   for SQL Server and Redshift, `,` for Oracle (engines no endpoint of this library reads).
 * - "Using secrets to access AWS DMS endpoints", on rotation functions: add `;.:+` to
 *   `EXCLUDE_CHARACTERS`: "AWS DMS doesn't allow these characters in passwords used for endpoint credentials".
 *
 * The pages disagree (`.` and `:` only on the second, for every engine) and a secret does not know which
 * engine's endpoint reads it: the union of both, for every engine, is the safe side. `%` is PostgreSQL's
 * only, excluded everywhere for that reason.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Endpoints.Creating.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 */
export const DMS_REJECTED_PASSWORD_CHARACTERS = '{};.:+%';

/**
 * The characters RDS rejects in a master password: any printable ASCII character is allowed
 * except `/ " @`, and RDS for Oracle also rejects `&` and `'`. Space is allowed.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
export function rdsRejectedPasswordCharacters(engineType: string): string {
  return engineType.startsWith('oracle') ? '/"@&\'' : '/"@';
}

/**
 * The longest master password each engine accepts; every engine's shortest is 8.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
export function rdsMaxPasswordLength(engineType: string): number {
  if (engineType === 'mysql' || engineType === 'mariadb') return 41;
  if (engineType.startsWith('oracle')) return 30;
  if (engineType.startsWith('db2')) return 255;
  return 128;
}

/**
 * A cluster's master password (Aurora and Multi-AZ DB clusters): 8 to 41 characters, any printable
 * ASCII character except `/ " @`, whatever the engine.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_CLUSTER_MAX_PASSWORD_LENGTH = 41;

/**
 * The characters a generated database password never contains, because a consumer rejects them:
 * DMS's, and RDS's for every engine (Oracle's included, since a secret does not know its engine).
 */
export const CONSUMER_REJECTED_PASSWORD_CHARACTERS = DMS_REJECTED_PASSWORD_CHARACTERS + rdsRejectedPasswordCharacters('oracle');

export function missingCharacters(actual: string, required: string): string {
  return [...new Set(required)].filter((c) => !actual.includes(c)).join('');
}
