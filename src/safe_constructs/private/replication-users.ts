// The task and the users it logs in as, held to each other: the database each endpoint names is the
// one its user was created in, and the schemas the task reads and writes are those its users were
// granted on. Judged on the construct tree, at synth (the users may be defined after the task). Private.
import { Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct, Node } from 'constructs';
import { Problems, propName, show, warn } from './errors';
import { isMasterSecretOfDatabaseInApp, isSecretCreatedInApp } from './secrets';

/** The grants each access gets, and where DMS's guide lists what it needs. */
const SOURCE_PAGE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html';
const TARGET_PAGE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.PostgreSQL.html';

/** What the check reads of a `PostgresDatabaseUser`. */
export interface GrantedUser {
  readonly node: Node;
  readonly databaseName: string;
  readonly schemaName: string;
}

/** One endpoint of the task: what it connects to, with what, and the user of this app that secret logs in as. */
export interface ReplicationSide {
  readonly prop: 'source' | 'target';
  /** The endpoint's `DatabaseName`. */
  readonly databaseName: string | undefined;
  readonly secret: secretsmanager.ISecret;
  readonly user?: GrantedUser;
}

/** What the task reads and writes: its `schemas`, and `TargetMetadata.TargetSchema` from its settings. */
export interface TaskSchemas {
  readonly schemas: string[];
  readonly targetSchema?: unknown;
}

/**
 * Whether a schema of the table mappings (where `%` matches any characters) selects `name`. DMS's
 * selection rules take `%` as the wildcard (CHAP_Tasks.CustomizingTasks.TableMapping).
 */
function selects(pattern: string, name: string): boolean {
  if (!pattern.includes('%')) return pattern === name;
  const escaped = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`).test(name);
}

/**
 * Refuses what cannot work: an endpoint's database that is not the one its user was created in,
 * a schema the task reads that the source user was not granted on, a schema the task writes that
 * the target user was not. Where a side's user was made outside this app (its secret is imported),
 * or a name is a token, nothing can be compared: a warning says what to check.
 */
export function checkUsersHoldTask(problems: Problems, scope: IConstruct, task: TaskSchemas, sides: ReplicationSide[]): void {
  const targetSchema = typeof task.targetSchema === 'string' && task.targetSchema !== '' ? task.targetSchema : undefined;
  for (const side of sides) {
    const reads = side.prop === 'source';
    // The target writes into TargetSchema when it is set, else into each source schema's name (TargetMetadata page).
    const schemas = reads || targetSchema === undefined ? task.schemas : [targetSchema];
    const verb = reads ? 'read' : 'write';
    const { user } = side;
    if (!user) {
      if (!isSecretCreatedInApp(side.secret) && !isMasterSecretOfDatabaseInApp(side.secret)) {
        warn(scope, 'dmsUserUnchecked', `the ${side.prop} endpoint logs in with a secret made outside this app, whose user this `
          + `library cannot see: check that it may ${verb} ${schemas.map(show).join(', ')} in database ${show(side.databaseName)} `
          + `(${reads ? SOURCE_PAGE : TARGET_PAGE}), or create it with PostgresDatabaseUser`);
      }
      continue;
    }
    const names = [side.databaseName, user.databaseName, user.schemaName, ...schemas];
    if (names.some((name) => name === undefined || Token.isUnresolved(name))) {
      warn(scope, 'dmsUserUnchecked', `a name of the ${side.prop} endpoint, its user ${user.node.path} or the task is a token, so whether `
        + `the user may ${verb} the task's schemas in the endpoint's database is not checked: check that they match`);
      continue;
    }
    if (side.databaseName !== user.databaseName) {
      problems.add('DmsUserDatabaseMismatch', `the ${side.prop} endpoint's database_name (databaseName) is ${show(side.databaseName)}, `
        + `and its user ${user.node.path} was created and granted in database ${show(user.databaseName)}, so DMS would ${verb} `
        + 'a database where the user has no grants', `give the endpoint database_name=${show(user.databaseName)}, or the user `
        + `database_name=${show(side.databaseName)}: the database DMS migrates`);
    }
    const outside = schemas.filter((schema) => !selects(schema, user.schemaName));
    if (outside.length === 0) continue;
    if (reads) {
      problems.add('DmsUserSchemaMismatch', `${propName('schemas')} selects ${outside.map(show).join(', ')}, and the source endpoint `
        + `logs in as ${user.node.path}, which is granted only on schema ${show(user.schemaName)} (its schema_name), so DMS cannot `
        + `read ${outside.length > 1 ? 'them' : 'it'}`, `migrate the user's schema (schemas=[${show(user.schemaName)}]), or give the `
        + `user schema_name=${show(outside[0])}; a PostgresDatabaseUser is granted on one schema, so another schema needs its own `
        + 'replication and users');
    } else {
      const why = targetSchema !== undefined ? `${propName('taskSettings')} sets TargetMetadata.TargetSchema to it`
        : 'the name of the source schema, as task_settings sets no TargetMetadata.TargetSchema';
      problems.add('DmsUserSchemaMismatch', `DMS writes the target schema ${outside.map(show).join(', ')} (${why}), and the target `
        + `endpoint logs in as ${user.node.path}, which is granted only on schema ${show(user.schemaName)} (its schema_name)`,
      `give the target user schema_name=${show(outside[0])}, or write into its schema: task_settings={"TargetMetadata": `
        + `{"TargetSchema": ${show(user.schemaName)}}}`);
    }
  }
}
