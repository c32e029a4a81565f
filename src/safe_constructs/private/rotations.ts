// Rotation schedules as the app holds them, and what AWS's hosted rotation functions accept. Private.
import { Stack, Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EngineFamily } from './usernames';

/** AWS's rotation functions, for the messages that cite them. */
export const ROTATION_FUNCTIONS = 'https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas';

/**
 * The values of the secret's `engine` key each hosted rotation function accepts, read from AWS's code:
 * PostgreSQL `["postgres", "aurora-postgresql"]`, MySQL `["mysql", "aurora-mysql"]`, MariaDB `mariadb`
 * only; anything else fails the rotation with "Database engine must be set to '<engine>' in order to use
 * this rotation lambda". A secret attached to a database holds that database's engine type.
 *
 * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas (each RDS function's get_secret_dict)
 */
export const ROTATION_ENGINES: Record<EngineFamily, string[]> = {
  postgres: ['postgres', 'aurora-postgresql'],
  mysql: ['mysql', 'aurora-mysql'],
  mariadb: ['mariadb'],
};

/** What a rotation schedule's function is, as its template shows it. */
export interface RotationKind {
  /** The hosted rotation type (`PostgreSQLMultiUser`), or undefined for a function of the user's own or a token. */
  readonly rotationType?: string;
  /** The engine family of a hosted rotation these rules name. */
  readonly family?: EngineFamily;
  /** Whether it is a multi-user rotation; undefined when that cannot be read (a function of the user's own). */
  readonly multiUser?: boolean;
}

/** The kind of rotation a schedule runs. */
export function rotationKindOf(schedule: secretsmanager.CfnRotationSchedule): RotationKind {
  type Hosted = secretsmanager.CfnRotationSchedule.HostedRotationLambdaProperty;
  const hosted = Stack.of(schedule).resolve(schedule.hostedRotationLambda) as Hosted | undefined;
  const rotationType = hosted?.rotationType;
  if (typeof rotationType !== 'string' || Token.isUnresolved(rotationType)) return {};
  const multiUser = rotationType.endsWith('MultiUser');
  const family: EngineFamily | undefined = rotationType.startsWith('PostgreSQL') ? 'postgres'
    : rotationType.startsWith('MySQL') ? 'mysql' : rotationType.startsWith('MariaDB') ? 'mariadb' : undefined;
  return { rotationType, family, multiUser };
}

/**
 * The rotation schedules of a secret in this app: every `AWS::SecretsManager::RotationSchedule` whose
 * `SecretId` is the secret (or its attachment, whose `Ref` is the secret's ARN). Call it once the app is built.
 */
export function rotationSchedulesOf(secret: secretsmanager.ISecret): secretsmanager.CfnRotationSchedule[] {
  const base = secret instanceof secretsmanager.SecretTargetAttachment ? secret.node.scope as secretsmanager.ISecret : secret;
  const stack = Stack.of(base);
  const attachment = base.node.tryFindChild('Attachment');
  const ids = new Set([base, ...(attachment instanceof secretsmanager.SecretTargetAttachment ? [attachment] : [])]
    .flatMap((s) => [s.secretArn, s.secretFullArn].filter((arn): arn is string => arn !== undefined))
    .map((arn) => JSON.stringify(stack.resolve(arn))));
  return base.node.root.node.findAll().filter((node: IConstruct): node is secretsmanager.CfnRotationSchedule =>
    node instanceof secretsmanager.CfnRotationSchedule && Stack.of(node) === stack && ids.has(JSON.stringify(stack.resolve(node.secretId))));
}
