// Helpers shared by the constructs. Not exported from index.ts: nothing here is public API.
import * as path from 'path';
import {
  Annotations, Arn, ArnFormat, Aspects, CustomResource, Duration, Stack, Token,
  aws_iam as iam, aws_lambda as lambda, aws_logs as logs, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * The prefix of every error and warning id this library gives (`safe-constructs:allWeightsZero`),
 * so warnings can be acknowledged and errors searched by name (docs/ERRORS.md lists them).
 */
export const ID_PREFIX = 'safe-constructs';

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

/**
 * A prop's name as each language spells it: `automatically_after (automaticallyAfter)` when the
 * Python name differs, so a message names the prop the user actually wrote.
 */
export function propName(jsiiName: string): string {
  const python = jsiiName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return python === jsiiName ? jsiiName : `${python} (${jsiiName})`;
}

/** Where a message is about: the construct's path, or a name for the app's root, whose path is empty. */
export function pathOf(scope: IConstruct): string {
  return scope.node.path || '(the app)';
}

/**
 * One error of the library's contract: a stable id, where (a construct path; omitted where the
 * CDK adds it, as in validations and annotations), what is wrong with the value received, and the
 * action that fixes it: `[safe-constructs:WeightOutOfRange] Pay/Blue: weight must be ...; fix: ...`.
 */
export function errorMessage(id: string, where: string | undefined, problem: string, fix: string): string {
  return `[${ID_PREFIX}:${id}] ${where === undefined ? '' : `${where}: `}${problem}; fix: ${fix}`;
}

/** Throws one error of the contract, for a problem found where nothing else is checked (a static factory). */
export function fail(scope: IConstruct | undefined, id: string, problem: string, fix: string): never {
  throw new Error(errorMessage(id, scope && pathOf(scope), problem, fix));
}

/**
 * The problems of one construct's props, collected so that the constructor reports all of them at
 * once (one line each), as aws-solutions-constructs does.
 */
export class Problems {
  private readonly found: string[] = [];

  /** `where` is the construct, or its path when the construct does not exist yet. */
  constructor(private readonly where: IConstruct | string) {}

  /** A problem with a prop, named by its jsii name and shown in both spellings. */
  public prop(id: string, prop: string, problem: string, fix: string): void {
    this.add(id, `${propName(prop)} ${problem}`, fix);
  }

  /** A problem not tied to a single prop. */
  public add(id: string, problem: string, fix: string): void {
    this.found.push(errorMessage(id, typeof this.where === 'string' ? this.where : pathOf(this.where), problem, fix));
  }

  /** Adds a problem unless `value` is a whole number in [min, max]; an unresolved token passes (checked at deploy). */
  public integerInRange(id: string, prop: string, value: number, min: number, max: number, fix: string): void {
    if (Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.prop(id, prop, `must be a whole number from ${min} to ${max}, got: ${value}`, fix);
    }
  }

  /** Adds a problem unless the duration lies in [min, max]; a duration built from a token passes. */
  public durationInRange(id: string, prop: string, value: Duration, min: Duration, max: Duration, fix: string): void {
    if (value.isUnresolved()) return;
    const millis = value.toMilliseconds();
    if (millis < min.toMilliseconds() || millis > max.toMilliseconds()) {
      this.prop(id, prop, `must be from ${min.toHumanString()} to ${max.toHumanString()}, got: ${value.toHumanString()}`, fix);
    }
  }

  /** Throws every problem found, one per line; does nothing when there is none. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new Error(this.found.join('\n'));
  }
}

/** A value as it appears in a message: strings quoted, tokens named as such. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? '(an unresolved token)' : JSON.stringify(value);
  }
  return String(value);
}

/** The characters of `required` missing from `actual`, each once, in `required`'s order. */
export function missingCharacters(actual: string, required: string): string {
  return [...new Set(required)].filter((c) => !actual.includes(c)).join('');
}

/**
 * The ARN an IAM statement names for a secret: the full ARN when it is known, otherwise the
 * partial ARN with `-??????`, the six characters Secrets Manager appends to every secret's name.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
 */
export function secretArnForPolicy(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * Lets `grantee` read one secret: `GetSecretValue` and `DescribeSecret` on its ARN, and `Decrypt`
 * and `DescribeKey` on its customer-managed key when it has one. Written out rather than
 * `secret.grantRead`, which adds no KMS statement at all for an imported key.
 */
export function grantSecretRead(secret: secretsmanager.ISecret, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resources: [secretArnForPolicy(secret)],
  }));
  if (secret.encryptionKey) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: [secret.encryptionKey.keyArn],
    }));
  }
}

/**
 * Whether a secret is created by this app (a `Secret`, or the attachment of one), so that its
 * content can be known at synth time, as opposed to imported from outside it (attached or not).
 */
export function isSecretCreatedInApp(secret: secretsmanager.ISecret): boolean {
  if (secret instanceof secretsmanager.SecretTargetAttachment) {
    return isSecretCreatedInApp(secret.node.scope as secretsmanager.ISecret);
  }
  return secretsmanager.Secret.isSecret(secret);
}

/** The secret itself, for a secret or its attachment (which is the same secret with host and port added). */
function unattached(secret: secretsmanager.ISecret): secretsmanager.ISecret {
  return secret instanceof secretsmanager.SecretTargetAttachment ? secret.node.scope as secretsmanager.ISecret : secret;
}

/** Whether two secrets are the same secret: the same construct (or its attachment), or the same ARN. */
export function isSameSecret(a: secretsmanager.ISecret, b: secretsmanager.ISecret): boolean {
  const [first, second] = [unattached(a), unattached(b)];
  if (first === second) return true;
  const arn = (secret: secretsmanager.ISecret) => JSON.stringify(Stack.of(secret).resolve(secret.secretFullArn ?? secret.secretArn));
  return arn(first) === arn(second);
}

/**
 * Whether a secret holds the master credentials of a database of this app: its password is what a
 * DB instance or cluster's `MasterUserPassword` resolves (a dynamic reference to the secret).
 */
export function isMasterSecretOfDatabaseInApp(secret: secretsmanager.ISecret): boolean {
  const resolved = Stack.of(secret).resolve(unattached(secret).secretArn);
  const arn = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  return secret.node.root.node.findAll().some((node) => {
    if (!(node instanceof rds.CfnDBInstance || node instanceof rds.CfnDBCluster) || node.masterUserPassword === undefined) return false;
    return JSON.stringify(Stack.of(node).resolve(node.masterUserPassword)).includes(arn);
  });
}

/** The attachment that adds `host` and `port` to a secret, if the secret is one or has one. */
function attachmentOf(secret: secretsmanager.ISecret): secretsmanager.SecretTargetAttachment | undefined {
  if (secret instanceof secretsmanager.SecretTargetAttachment) return secret;
  const child = secret.node.tryFindChild('Attachment');
  return child instanceof secretsmanager.SecretTargetAttachment ? child : undefined;
}

/**
 * Makes `dependents` wait for the secret's attachment, found once the app is built (the attachment
 * may be made after `scope`), so that nothing reads `host` or `port` before the attachment, which
 * waits for its database, has written them.
 */
export function waitForAttachment(secret: secretsmanager.ISecret, scope: IConstruct, dependents: IConstruct[]): void {
  Aspects.of(scope).add({
    visit: (node: IConstruct) => {
      const attachment = node === scope ? attachmentOf(secret) : undefined;
      if (attachment) dependents.forEach((dependent) => dependent.node.addDependency(attachment));
    },
  });
}

/**
 * Whether a secret is the one RDS manages for a database (`ManageMasterUserPassword`): its ARN is
 * the `MasterUserSecret.SecretArn` attribute. RDS keeps only `username` and `password` in it.
 */
export function isRdsManagedMasterSecret(secret: secretsmanager.ISecret): boolean {
  const arn = Stack.of(secret).resolve(secret.secretArn);
  return JSON.stringify(arn).includes('MasterUserSecret.SecretArn');
}

/** What a secret created in this app is known to hold at synth time. */
export interface KnownSecretContent {
  /** The JSON keys it will hold; undefined when they cannot be known at synth time. */
  readonly keys?: string[];
  /** The characters its generated password excludes; undefined when not generated. */
  readonly excludedCharacters?: string;
}

/**
 * The keys a secret created in this app will hold: those of its generated JSON (plus `host`,
 * `port`, `engine` and the identifier once it is attached to a database) or of its literal JSON.
 * Call it at synth time (in a validation), when every attachment has been made.
 */
export function knownSecretContent(secret: secretsmanager.ISecret): KnownSecretContent {
  if (secret instanceof secretsmanager.SecretTargetAttachment) {
    const attached = knownSecretContent(secret.node.scope as secretsmanager.ISecret);
    return { ...attached, keys: attached.keys && [...new Set([...attached.keys, ...ATTACHMENT_KEYS])] };
  }
  const cfn = secret.node.defaultChild;
  if (!(cfn instanceof secretsmanager.CfnSecret)) return {};
  const generator = Stack.of(secret).resolve(cfn.generateSecretString) as
    secretsmanager.CfnSecret.GenerateSecretStringProperty | undefined;
  const attached = secret.node.tryFindChild('Attachment') instanceof secretsmanager.SecretTargetAttachment;
  if (generator) {
    const template = parseJsonObject(generator.secretStringTemplate ?? '{}');
    if (!template) return {};
    const keys = [...Object.keys(template), ...(generator.generateStringKey ? [generator.generateStringKey] : [])];
    return {
      keys: attached ? [...new Set([...keys, ...ATTACHMENT_KEYS])] : keys,
      excludedCharacters: generator.excludeCharacters ?? '',
    };
  }
  const literal = cfn.secretString !== undefined && !Token.isUnresolved(cfn.secretString)
    ? parseJsonObject(cfn.secretString) : undefined;
  return literal ? { keys: Object.keys(literal) } : {};
}

const ATTACHMENT_KEYS = ['host', 'port', 'engine', 'dbInstanceIdentifier'];

/**
 * What a secret created in this app will lack of the keys a consumer reads, in words
 * (`secret will hold only username, password, and DMS also needs host, port`); undefined when it
 * will hold them all, or when its keys cannot be known at synth time.
 */
export function missingKeysProblem(secret: secretsmanager.ISecret, prop: string, required: string[], consumer: string): string | undefined {
  const keys = knownSecretContent(secret).keys;
  const missing = keys && required.filter((key) => !keys.includes(key));
  if (!missing || missing.length === 0) return undefined;
  const holds = keys!.length > 0 ? `will hold only ${keys!.join(', ')}` : 'will hold no JSON key';
  return `${propName(prop)} ${holds}, and ${consumer} also needs ${missing.join(', ')}`;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Lambda execution role and log group of the library's own (`<prefix>Role`, `<prefix>Logs`), the
 * role allowed to write only that group: no basic-execution managed policy, every statement on one
 * resource.
 */
export function functionRoleWithLogs(scope: Construct, prefix: string, description: string): { role: iam.Role; logGroup: logs.LogGroup } {
  const role = new iam.Role(scope, `${prefix}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  const logGroup = new logs.LogGroup(scope, `${prefix}Logs`, { retention: logs.RetentionDays.ONE_YEAR });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

/** How long a deploy-time gate may wait: at most 14 minutes, so that it answers within its function's 15. */
const GATE_TIMEOUT = { min: Duration.minutes(1), max: Duration.minutes(14), default: Duration.minutes(10) };

/** A gate's `timeout`, defaulted, and a problem when it is outside what the gate can answer within. */
export function gateTimeout(problems: Problems, timeout: Duration | undefined): Duration {
  const chosen = timeout ?? GATE_TIMEOUT.default;
  problems.durationInRange('GateTimeoutOutOfRange', 'timeout', chosen, GATE_TIMEOUT.min, GATE_TIMEOUT.max,
    `give ${GATE_TIMEOUT.min.toMinutes()} to ${GATE_TIMEOUT.max.toMinutes()} minutes: the gate answers CloudFormation within its function's 15`);
  return chosen;
}

/**
 * A deploy-time gate: a custom resource whose function (the library's `deploy-gates` asset, boto3
 * only) waits up to `timeout` for what it checks and fails the deploy with the service's message.
 * Its role may write its own logs; the caller grants what it reads.
 */
export function deployGate(scope: Construct, handler: 'connection_handler' | 'rotation_handler', resourceType: string,
  description: string, timeout: Duration, properties: { [key: string]: unknown },
): { role: iam.Role; handler: lambda.Function; resource: CustomResource } {
  const { role, logGroup } = functionRoleWithLogs(scope, '', description);
  const fn = new lambda.Function(scope, 'Function', {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: `index.${handler}`,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'deploy-gates')),
    timeout: Duration.minutes(15),
    role,
    logGroup,
    description: `safe-constructs: ${description}`,
  });
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: fn.functionArn,
    resourceType,
    properties: { ...properties, TimeoutSeconds: timeout.toSeconds() },
  });
  // The function must be allowed to read before CloudFormation invokes it.
  resource.node.addDependency(role);
  return { role, handler: fn, resource };
}

/** Adds a warning for each unsafe choice made: `[chosen, id (with its prefix), message]`. */
export function warnAboutChoices(scope: IConstruct, choices: Array<[boolean, string, string]>): void {
  for (const [chosen, id, message] of choices) {
    if (chosen) Annotations.of(scope).addWarningV2(id, message);
  }
}

/** What a construct on an external secret reads from it: the secret and the JSON keys of the user name and password. */
export interface ExternalSecretKeys {
  readonly secret: secretsmanager.ISecret;
  readonly usernameKey?: string;
  readonly passwordKey?: string;
  readonly attachSecret?: boolean;
}

/**
 * Master credentials read from an external secret by dynamic references, so no value is in the
 * template and the secret is not modified. The secret rides along in the credentials only when it
 * is to be attached: aws-cdk-lib attaches every credentials secret to its database.
 */
export function externalSecretCredentials(props: ExternalSecretKeys): rds.Credentials {
  const fromPassword = rds.Credentials.fromPassword(
    props.secret.secretValueFromJson(props.usernameKey ?? 'username').unsafeUnwrap(), // a dynamic reference, not a value
    props.secret.secretValueFromJson(props.passwordKey ?? 'password'),
  );
  return props.attachSecret ? { ...fromPassword, secret: props.secret } : fromPassword;
}

/** The keys of an external secret must be usable in a dynamic reference, and two; another account's secret needs its complete ARN. */
export function validateExternalSecret(problems: Problems, scope: Construct, props: ExternalSecretKeys): void {
  const usernameKey = props.usernameKey ?? 'username';
  const passwordKey = props.passwordKey ?? 'password';
  for (const [prop, key] of [['usernameKey', usernameKey], ['passwordKey', passwordKey]]) {
    if (!Token.isUnresolved(key) && (key.trim().length === 0 || /[:{}]/.test(key))) {
      problems.prop('SecretKeyInvalid', prop, `must name a JSON key of the secret without ':', '{' or '}', got: ${show(key)}`,
        'omit it for the default, or give the key that holds the value '
        + '(a dynamic reference {{resolve:secretsmanager:...:SecretString:<key>::}} cannot hold those characters)');
    }
  }
  if (usernameKey === passwordKey) {
    problems.prop('SecretKeysSame', 'passwordKey', `is the same key as ${propName('usernameKey')}, got: ${show(passwordKey)} for both`,
      'give the two keys of the secret that hold the user name and the password (by default "username" and "password")');
  }
  validateSecretArn(problems, scope, props.secret);
}

/** CloudFormation reads another account's secret only by its complete ARN. */
function validateSecretArn(problems: Problems, scope: Construct, secret: secretsmanager.ISecret): void {
  if (secret.secretFullArn !== undefined || Token.isUnresolved(secret.secretArn)) return;
  const account = Arn.split(secret.secretArn, ArnFormat.COLON_RESOURCE_NAME).account;
  const stackAccount = Stack.of(scope).account;
  if (account && !Token.isUnresolved(stackAccount) && account !== stackAccount) {
    problems.prop('SecretPartialArnCrossAccount', 'secret',
      `is given by name or partial ARN in account ${account}, not this stack's (${stackAccount}): ${show(secret.secretArn)}`,
      'import it with Secret.from_secret_complete_arn: CloudFormation resolves another account\'s secret only by its complete ARN');
  }
}
