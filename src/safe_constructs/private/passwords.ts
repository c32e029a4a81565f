// What each consumer of a database password rejects: RDS per engine, and DMS. Private.

/**
 * The characters DMS rejects in endpoint passwords, in the secrets it reads too: `; . : +` (the
 * secrets section: "AWS DMS doesn't allow these characters in passwords used for endpoint
 * credentials"), `{ }` for every engine and `%` for PostgreSQL (the endpoint page).
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Endpoints.Creating.html
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
