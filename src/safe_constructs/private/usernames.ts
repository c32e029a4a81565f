// What a database user name may be, per engine and per use, written once: every construct that takes or
// generates a user name (RotatingSecret's username, PostgresDatabaseUser's user, an external secret's
// master user at deploy) reads these rules. Private.
import { POSTGRES_NAME_MAX } from './postgres-names';

/** The engine families whose rules differ. */
export type EngineFamily = 'postgres' | 'mysql' | 'mariadb';

/** An RDS engine type's family (`aurora-postgresql` is PostgreSQL); undefined for the engines these rules do not name. */
export function engineFamilyOf(engineType: string | undefined): EngineFamily | undefined {
  if (engineType === undefined) return undefined;
  if (engineType === 'postgres' || engineType === 'aurora-postgresql') return 'postgres';
  if (engineType === 'mysql' || engineType === 'aurora-mysql' || engineType === 'aurora') return 'mysql';
  if (engineType === 'mariadb') return 'mariadb';
  return undefined;
}

/**
 * The longest master user name RDS accepts, for every engine: "Must be 1 to 16 letters, numbers, or
 * underscores" (CreateDBInstance), "1 to 16 letters or numbers" (CreateDBCluster), and for PostgreSQL
 * "between 1 and 16 alphanumeric characters" (RDS guide). The CloudFormation page still lists 63 for
 * PostgreSQL and users report 32 working for MySQL: AWS's current API reference is the safe side.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html
 */
export const RDS_MASTER_USERNAME_MAX = 16;

/**
 * The longest user name each engine accepts: PostgreSQL's names are 63 bytes (NAMEDATALEN - 1), MySQL's
 * user names 32 characters. MariaDB's bound is not read here: the library's own, 63, applies.
 *
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 * @see https://dev.mysql.com/doc/refman/8.0/en/user-names.html
 */
const ENGINE_USERNAME_MAX: Record<EngineFamily, number> = { postgres: POSTGRES_NAME_MAX, mysql: 32, mariadb: POSTGRES_NAME_MAX };

/**
 * What AWS's multi-user rotation functions append to the user name for the second user, and the
 * longest name they accept with it: PostgreSQL 63, MariaDB 80, MySQL `USERNAME_CHARACTER_LIMIT`,
 * 16 unless the function's environment says otherwise (a hosted rotation sets no such variable).
 *
 * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas (get_alt_username and create_secret of each MultiUser function)
 */
const CLONE_SUFFIX = '_clone';
const MULTI_USER_CLONE_MAX: Record<EngineFamily, number> = { postgres: 63, mysql: 16, mariadb: 80 };

/**
 * RDS's own accounts and roles, present on the databases it creates: `rdsadmin` (every engine),
 * `rdstopmgr` (Multi-AZ), `rds_superuser`, `rds_replication`, `rds_password` (RDS for PostgreSQL's
 * predefined roles, which "can't be dropped, renamed or modified"), `rds_iam` (IAM authentication),
 * `rdsrepladmin` (RDS for MySQL's replication user). RDS publishes no list of reserved names: this
 * is the guard the documents allow, and `rdsadmin` is refused as a master user name on every engine
 * (cfn-lint PR #4425, verified by deployments).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql_rds_replica_status.html
 * @see https://github.com/aws-cloudformation/cfn-lint/pull/4425
 */
export const RDS_RESERVED_USERNAMES = ['rdsadmin', 'rdstopmgr', 'rdsrepladmin', 'rds_superuser', 'rds_replication', 'rds_password', 'rds_iam'];

/**
 * Master user names RDS refuses for PostgreSQL and Aurora PostgreSQL: "MasterUsername admin cannot be
 * used as it is a reserved word used by the engine" (RDS's error, quoted in aws-cdk PR #5076; cfn-lint
 * PR #4425 measured it on both engines, and `admin` accepted on Aurora MySQL).
 *
 * @see https://github.com/aws/aws-cdk/pull/5076
 */
const POSTGRES_RESERVED_MASTER_USERNAMES = ['admin'];

/**
 * Role names PostgreSQL itself refuses (`role name "public" is reserved`, and the same for `none` and
 * every name starting with `pg_`, measured on PostgreSQL 15), and the `rds` prefix of RDS's own roles:
 * a role the library creates never takes one, so that it cannot be, or later meet, one of RDS's.
 *
 * @see https://www.postgresql.org/docs/current/predefined-roles.html
 */
const POSTGRES_RESERVED_ROLE = /^(public|none|pg_.*|rds.*)$/i;

/** How a user name is used, as far as the construct knows it. */
export interface UsernameUse {
  /** The engine family of its database (`engineFamilyOf(engineType)`), when known. */
  readonly engineFamily?: EngineFamily;
  /** Whether RDS creates it as the database's master user (`MasterUsername`). */
  readonly master?: boolean;
  /** Whether AWS's multi-user rotation function clones it (`<name>_clone`). */
  readonly multiUserRotation?: boolean;
  /** Whether the library's database-user function creates it as a PostgreSQL role. */
  readonly postgresRole?: boolean;
}

/** A user name RDS and the engines take: a letter, then letters, digits or underscores (CreateDBInstance, CreateDBCluster). */
const USERNAME_CHARACTERS = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The longest name for this use, and why: the tightest of the bounds that apply. */
export function maxUsernameLength(use: UsernameUse): { max: number; why: string } {
  const family = use.engineFamily;
  const bounds: Array<[number, string]> = [[POSTGRES_NAME_MAX, 'the library\'s bound, PostgreSQL\'s']];
  if (family) bounds.push([ENGINE_USERNAME_MAX[family], `${family === 'postgres' ? 'PostgreSQL' : family === 'mysql' ? 'MySQL' : 'MariaDB'}'s`]);
  if (use.master) bounds.push([RDS_MASTER_USERNAME_MAX, 'RDS\'s for a master user (CreateDBInstance, CreateDBCluster)']);
  if (use.multiUserRotation && family) {
    bounds.push([MULTI_USER_CLONE_MAX[family] - CLONE_SUFFIX.length, `the multi-user rotation's, which creates <name>${CLONE_SUFFIX} `
      + `of ${MULTI_USER_CLONE_MAX[family]} characters at most`]);
  }
  const [max, why] = bounds.reduce((tightest, bound) => (bound[0] < tightest[0] ? bound : tightest));
  return { max, why };
}

/** The names refused for this use (compared without case), each with who reserves it. */
export function reservedUsernames(use: UsernameUse): string[] {
  return [...RDS_RESERVED_USERNAMES, ...(use.master && use.engineFamily === 'postgres' ? POSTGRES_RESERVED_MASTER_USERNAMES : [])];
}

/**
 * What is wrong with a user name for its use, in words ending with the value received (`is "rdsadmin",
 * ...`); undefined when nothing is. The first rule broken is said, so a fix does not meet another.
 */
export function usernameProblem(username: string, use: UsernameUse): string | undefined {
  if (!USERNAME_CHARACTERS.test(username)) {
    return `must be a letter followed by letters, digits or underscores, got: ${JSON.stringify(username)}`;
  }
  const lower = username.toLowerCase();
  if (RDS_RESERVED_USERNAMES.includes(lower)) {
    return `is a name RDS keeps for its own account or role (${RDS_RESERVED_USERNAMES.join(', ')}), got: ${JSON.stringify(username)}`;
  }
  if (reservedUsernames(use).includes(lower)) {
    return `is a master user name RDS refuses for PostgreSQL ("a reserved word used by the engine"), got: ${JSON.stringify(username)}`;
  }
  if (use.postgresRole && POSTGRES_RESERVED_ROLE.test(username)) {
    return `is a role name PostgreSQL or RDS reserves (public, none, pg_*, rds*), got: ${JSON.stringify(username)}`;
  }
  const { max, why } = maxUsernameLength(use);
  if (username.length > max) {
    return `must be ${max} characters at most (${why}), got ${username.length}: ${JSON.stringify(username)}`;
  }
  return undefined;
}

/** The fix every user name problem gives. */
export const USERNAME_FIX = 'choose another name, such as "app_user": a letter, then letters, digits or underscores, short enough for '
  + `its use (${RDS_MASTER_USERNAME_MAX} characters for a master user), and none of RDS's own (${RDS_RESERVED_USERNAMES[0]}, ...)`;

/** Whether a role name is one PostgreSQL or RDS reserves (shared with the roles named in `tableOwners`). */
export function isReservedPostgresRole(name: string): boolean {
  return POSTGRES_RESERVED_ROLE.test(name);
}
