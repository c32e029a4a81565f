// Reading and granting secrets: which secret is which, what a secret of the app will hold, and the
// master credentials of a database read from an external secret. Private.
import {
  Arn, ArnFormat, Aspects, Stack, Token, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Problems, propName, show } from './errors';
import { rdsRejectedPasswordCharacters } from './passwords';
import { engineFamilyOf, maxUsernameLength, reservedUsernames } from './usernames';

/**
 * The ARN an IAM statement names for a secret: the full ARN when it is known, otherwise the
 * partial ARN with `-??????`, the six characters Secrets Manager appends to every secret's name.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
 */
export function secretArnForPolicy(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/** The id a consumer names a secret by: its full ARN when it is known, otherwise its (partial) ARN. */
export function secretIdOf(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? secret.secretArn;
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
  const arn = (secret: secretsmanager.ISecret) => JSON.stringify(Stack.of(secret).resolve(secretIdOf(secret)));
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

/** A database of this app that uses a secret: as its master credentials, or as the target of the secret's attachment. */
export interface DatabaseOfSecret {
  readonly database: rds.CfnDBInstance | rds.CfnDBCluster;
  /** Where it is: the path of the construct it is the resource of (an `rds.DatabaseInstance`), or its own. */
  readonly path: string;
  /** Its master user name is the secret's `username` (`Credentials.fromSecret`, or a dynamic reference to the key). */
  readonly master: boolean;
  /** The secret's attachment targets it (writing its host, port and engine into the secret). */
  readonly attached: boolean;
  /** Its RDS engine type (`postgres`), when the template holds it as text. */
  readonly engineType?: string;
}

/**
 * The databases of this app that use a secret: those whose `MasterUsername` reads its `username`, and
 * the one its attachment targets. Call it once the app is built (at synth).
 */
export function databasesOfSecret(secret: secretsmanager.ISecret): DatabaseOfSecret[] {
  const base = unattached(secret);
  const stack = Stack.of(base);
  const arn = JSON.stringify(stack.resolve(base.secretArn));
  const attachment = attachmentOf(base);
  const target = attachment && JSON.stringify(stack.resolve((attachment.node.defaultChild as secretsmanager.CfnSecretTargetAttachment).targetId));
  return base.node.root.node.findAll()
    .filter((node): node is rds.CfnDBInstance | rds.CfnDBCluster => (node instanceof rds.CfnDBInstance || node instanceof rds.CfnDBCluster)
      && Stack.of(node) === stack)
    .map((database) => {
      const master = database.masterUsername !== undefined && JSON.stringify(stack.resolve(database.masterUsername)).includes(arn);
      const attached = target !== undefined && target === JSON.stringify({ Ref: stack.resolve(database.logicalId) });
      const engine = database.engine;
      const owner = database.node.scope;
      const path = owner && owner.node.defaultChild === database ? owner.node.path : database.node.path;
      return { database, path, master, attached, engineType: typeof engine === 'string' && !Token.isUnresolved(engine) ? engine : undefined };
    })
    .filter((use) => use.master || use.attached);
}

/**
 * The user name a secret created in this app will hold: the `username` of its generated template (a
 * RotatingSecret's) or of its literal JSON; undefined when it cannot be read at synth time.
 */
export function knownSecretUsername(secret: secretsmanager.ISecret): string | undefined {
  const cfn = unattached(secret).node.defaultChild;
  if (!(cfn instanceof secretsmanager.CfnSecret)) return undefined;
  const stack = Stack.of(cfn);
  const generator = stack.resolve(cfn.generateSecretString) as secretsmanager.CfnSecret.GenerateSecretStringProperty | undefined;
  const text = literalText(generator ? generator.secretStringTemplate : stack.resolve(cfn.secretString));
  // A template joined with references (a RotatingSecret's masterarn) keeps its username in its literal part.
  const username = text && /^\{"username":("(?:[^"\\]|\\.)*")[,}]/.exec(text)?.[1];
  if (username) return username.includes('\u0000') ? undefined : JSON.parse(username);
  const parsed = text !== undefined ? parseJsonObject(text) : undefined;
  return typeof parsed?.username === 'string' && !Token.isUnresolved(parsed.username) ? parsed.username : undefined;
}

/** A resolved value as text: a string, or the literal parts of an `Fn::Join` with references left out (`\u0000`). */
function literalText(resolved: unknown): string | undefined {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  return join && join[0] === '' ? join[1].map((part) => (typeof part === 'string' ? part : '\u0000')).join('') : undefined;
}

/**
 * A KMS key a secret (or its replica) is encrypted with must be in the secret's Region: "you can choose
 * any symmetric encryption customer managed key in the AWS account and Region" (Secrets Manager guide).
 * Another account's key is allowed by its ARN (CreateSecret's KmsKeyId), so only the Region is held to.
 * A Region that is a token (an environment-agnostic stack) is not judged.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
export function keyRegionProblem(key: kms.IKey, secretRegion: string): string | undefined {
  const keyRegion = key.env.region;
  if (Token.isUnresolved(keyRegion) || Token.isUnresolved(secretRegion) || keyRegion === secretRegion) return undefined;
  return `is a KMS key in ${keyRegion} (${key.node.path}), and the secret is in ${secretRegion}: Secrets Manager encrypts a secret `
    + 'only with a key of its own Region';
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
  /** Refused: the external secret supplies them. */
  readonly credentials?: rds.Credentials;
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
  // The user name becomes the database's master user: RDS's rules for one, on this engine.
  const masterUse = { engineFamily: engineFamilyOf(engineType), master: true };
  return {
    secret: props.secret,
    requiredKeys: [...new Set([usernameKey, passwordKey])],
    passwordKey,
    rejectedPasswordCharacters: rdsRejectedPasswordCharacters(engineType),
    minPasswordLength: 8,
    maxPasswordLength,
    usernameKey,
    maxUsernameLength: maxUsernameLength(masterUse).max,
    rejectedUsernames: reservedUsernames(masterUse),
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

/**
 * The keys of an external secret must be usable in a dynamic reference, and two; another account's
 * secret needs its complete ARN; `credentials` is not given, since the secret supplies them.
 */
export function validateExternalSecret(problems: Problems, scope: Construct, props: ExternalSecretKeys, what: 'instance' | 'cluster'): void {
  if (props.credentials !== undefined) {
    problems.prop('CredentialsGiven', 'credentials', 'is given, and the external secret supplies the master credentials',
      `remove credentials: the ${what} reads username and password from secret by dynamic references (name their JSON keys with `
      + 'username_key and password_key)');
  }
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
