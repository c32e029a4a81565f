// Helpers shared by the constructs. Not exported from index.ts: nothing here is public API.
import { Duration, Stack, Token, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The prefix of every warning id this library adds, so they can be acknowledged by name. */
export const WARNING_PREFIX = 'safe-constructs';

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

/**
 * Throws the library's one kind of error: what is wrong with which prop, the value received, what
 * is allowed and the fix, prefixed with the construct's path.
 */
export function fail(scope: IConstruct, prop: string, problem: string, fix: string): never {
  throw new Error(`${scope.node.path}: ${propName(prop)} ${problem}; ${fix}`);
}

/** A value as it appears in a message: strings quoted, tokens named as such. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? '(an unresolved token)' : JSON.stringify(value);
  }
  return String(value);
}

/** Fails unless `value` is a whole number in [min, max]; unresolved tokens pass (checked at deploy). */
export function requireIntegerInRange(
  scope: IConstruct, prop: string, value: number, min: number, max: number, fix: string,
): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, prop, `must be a whole number from ${min} to ${max}, got: ${value}`, fix);
  }
}

/** Fails unless the duration lies in [min, max]; a duration built from a token passes. */
export function requireDurationInRange(
  scope: IConstruct, prop: string, value: Duration, min: Duration, max: Duration, fix: string,
): void {
  if (value.isUnresolved()) return;
  const millis = value.toMilliseconds();
  if (millis < min.toMilliseconds() || millis > max.toMilliseconds()) {
    fail(scope, prop,
      `must be from ${min.toHumanString()} to ${max.toHumanString()}, got: ${value.toHumanString()}`, fix);
  }
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
 * content can be known at synth time, as opposed to imported from outside it.
 */
export function isSecretCreatedInApp(secret: secretsmanager.ISecret): boolean {
  return secretsmanager.Secret.isSecret(secret) || secret instanceof secretsmanager.SecretTargetAttachment;
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

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
