// The bounds a value must lie in, each written once with its source: the checks read them, and so does
// the table of ids (error-ids.ts), so that no document restates a number the code holds. It imports
// nothing of the library, so the table can read it without a cycle. Private.
import { Duration } from 'aws-cdk-lib';

/** An inclusive range a number must lie in, written once: the check and its messages read it. */
export interface Bound {
  readonly min: number;
  readonly max: number;
}

/** A bound in words: `from 1 to 102400`. */
export function range(bound: Bound): string {
  return `from ${bound.min} to ${bound.max}`;
}

/** A duration range, written once: the check and its messages read it. */
export interface DurationBound {
  readonly min: Duration;
  readonly max: Duration;
}

/** A duration bound in words: `from 4 hours to 1000 days`. */
export function durationRange(bound: DurationBound): string {
  return `from ${bound.min.toHumanString()} to ${bound.max.toHumanString()}`;
}

/**
 * The ports an RDS instance or cluster may listen on.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_PORT: Bound = { min: 1150, max: 65535 };

/**
 * How long RDS keeps automated backups: 0 (off) to 35 days.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
 */
export const RDS_BACKUP_RETENTION: DurationBound = { min: Duration.days(0), max: Duration.days(35) };

/**
 * The longest DB instance or cluster identifier: 63 characters for every engine, SQL Server included
 * (an older SDK page gave SQL Server a shorter limit; the API reference says 1 to 63 for all). A
 * Multi-AZ DB cluster's is 52 (CreateDBCluster: "1 to 63 (for Aurora DB clusters) or 1 to 52 (for
 * Multi-AZ DB clusters)"), which no construct of the library makes: ExternalSecretDatabaseCluster is
 * an `rds.DatabaseCluster`, Aurora only.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const RDS_IDENTIFIER_MAX = 63;

/**
 * The longest a Lambda function may run.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_TIMEOUT_MAX = Duration.minutes(15);

/** How long a deploy-time gate may wait: at most 14 minutes, so that it answers within its function's {@link LAMBDA_TIMEOUT_MAX}. */
export const GATE_TIMEOUT: DurationBound = { min: Duration.minutes(1), max: LAMBDA_TIMEOUT_MAX.minus(Duration.minutes(1)) };

/**
 * Storage bounds of a replication instance, in GB. The upper bound is the regional quota of all
 * replication instances' storage (30,000 GB, CHAP_Limits); the API documents no lower bound, and
 * 5 GB, the console's smallest, is the safe side.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Limits.html
 */
export const DMS_STORAGE_GB: Bound = { min: 5, max: 30000 };

/**
 * The largest LOB migrated whole in LIMITED mode, in KB: "The maximum value for this parameter is
 * 102400 KB (100 MB)".
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.LOBSupport.html
 */
export const DMS_LOB_MAX_SIZE_KB: Bound = { min: 1, max: 102400 };

/**
 * The heartbeat frequencies accepted, in minutes. DMS states the unit and the default (5), and no
 * bound: refusing 0 and less is the safe side; the upper bound is CloudFormation's Integer.
 *
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_PostgreSQLSettings.html
 */
export const DMS_HEARTBEAT_MINUTES: Bound = { min: 1, max: 2147483647 };

/**
 * A record's weight, and the length of its set identifier.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 */
export const ROUTE53_WEIGHT: Bound = { min: 0, max: 255 };
export const ROUTE53_SET_IDENTIFIER_LENGTH: Bound = { min: 1, max: 128 };

/** A share of traffic in percent. */
export const PERCENT: Bound = { min: 0, max: 100 };

/**
 * The periods Secrets Manager accepts for a rotation schedule (RotationRules.AutomaticallyAfterDays and rate()).
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export const SECRET_ROTATION_PERIOD: DurationBound = { min: Duration.hours(4), max: Duration.days(1000) };

/**
 * How long a wait through aws-cdk-lib's Provider framework may last: "The maximum timeout is 1 hour
 * (yes, it can exceed the AWS Lambda 15 minutes)" (custom_resources.ProviderProps.totalTimeout).
 * The framework does not enforce it; this bound does.
 */
export const PROVIDER_WAIT: DurationBound = { min: Duration.minutes(1), max: Duration.hours(1) };

/**
 * How long the deploy waits for the task to start, stop or resume, and for the assessment: at most the
 * hour the Provider framework allows (PROVIDER_WAIT), at least 5 minutes, in whole minutes (a whole
 * number of its 30-second queries).
 */
export const DMS_TASK_WAIT: DurationBound = { min: Duration.minutes(5), max: PROVIDER_WAIT.max };
