// What RDS accepts of a database's settings, each limit written once. Private.
import { Duration, Token } from 'aws-cdk-lib';
import { Bound, DurationBound, ErrorId, Problems, range, show } from './errors';

/**
 * The ports an RDS instance or cluster may listen on.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_PORT: Bound = { min: 1150, max: 65535 };

/** The fix for a port out of range, naming the API whose limit it is. */
export function rdsPortFix(api: 'CreateDBInstance' | 'CreateDBCluster'): string {
  return `use a port ${range(RDS_PORT)} (${api}), or omit it for the engine's default`;
}

/**
 * How long RDS keeps automated backups: 0 (off) to 35 days.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
 */
export const RDS_BACKUP_RETENTION: DurationBound = { min: Duration.days(0), max: Duration.days(35) };

/**
 * The longest DB instance or cluster identifier: 63 characters for every engine, SQL Server included
 * (an older SDK page gave SQL Server a shorter limit; the API reference says 1 to 63 for all).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_IDENTIFIER_MAX = 63;

/** An identifier RDS accepts: letters, digits or hyphens, a letter first, no hyphen at the end or twice in a row. */
export function checkRdsIdentifier(problems: Problems, id: ErrorId, prop: string, identifier: string | undefined, what: string): void {
  if (identifier === undefined || Token.isUnresolved(identifier)) return;
  if (/^[A-Za-z](?:-?[A-Za-z0-9])*$/.test(identifier) && identifier.length <= RDS_IDENTIFIER_MAX) return;
  problems.prop(id, prop, `is not a ${what} identifier RDS accepts, got: ${show(identifier)}`,
    `use 1 to ${RDS_IDENTIFIER_MAX} letters, digits or hyphens, starting with a letter, without two hyphens in a row or one at the end; `
    + 'or omit it for a generated one');
}
