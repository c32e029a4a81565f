// Reading and granting secrets: which secret is which, what a secret of the app will hold, and the
// master credentials of a database read from an external secret. Private.
import {
  Arn, ArnFormat, Aspects, Stack, Token, aws_iam as iam, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Problems, propName, show } from './errors';
import { rdsRejectedPasswordCharacters } from './passwords';

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

/**
 * What the pre-flight check of a database's external secret reads: both keys, and a password the
 * engine accepts (8 characters at least for every engine, at most `maxPasswordLength`).
 */
export function externalSecretCheck(props: ExternalSecretKeys, engineType: string, maxPasswordLength: number, consumer: string) {
  const usernameKey = props.usernameKey ?? 'username';
  const passwordKey = props.passwordKey ?? 'password';
  return {
    secret: props.secret,
    requiredKeys: [...new Set([usernameKey, passwordKey])],
    passwordKey,
    rejectedPasswordCharacters: rdsRejectedPasswordCharacters(engineType),
    minPasswordLength: 8,
    maxPasswordLength,
    consumer,
  };
}

/**
 * Whether a JSON key can be carried by a dynamic reference `{{resolve:secretsmanager:<id>:SecretString:<key>::}}`.
 * CloudFormation: the key "may not include the colon character" and a reference must not end in a
 * backslash; braces would end the reference, and a line break or other control character splits it
 * (cfn-lint then no longer reads it as a reference: E3031). Safe side: printable characters only.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html
 */
function isDynamicReferenceKey(key: string): boolean {
  return key.trim().length > 0 && !/[:{}\x00-\x1f\x7f]/.test(key) && !key.endsWith('\\');
}

/** The keys of an external secret must be usable in a dynamic reference, and two; another account's secret needs its complete ARN. */
export function validateExternalSecret(problems: Problems, scope: Construct, props: ExternalSecretKeys): void {
  const usernameKey = props.usernameKey ?? 'username';
  const passwordKey = props.passwordKey ?? 'password';
  for (const [prop, key] of [['usernameKey', usernameKey], ['passwordKey', passwordKey]]) {
    if (!Token.isUnresolved(key) && !isDynamicReferenceKey(key)) {
      problems.prop('SecretKeyInvalid', prop, 'must name a JSON key of the secret in printable characters without \':\', \'{\' or \'}\' '
        + `and not ending in '\\', got: ${show(key)}`,
      'omit it for the default, or give the key that holds the value '
        + '(a dynamic reference {{resolve:secretsmanager:...:SecretString:<key>::}} cannot carry those characters)');
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
