import * as path from 'path';
import {
  CustomResource, Duration,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Bound, Problems, propName, range } from './private/errors';
import { functionRoleWithLogs } from './private/functions';
import { POSTGRES_NAME_MAX } from './private/postgres-names';
import { grantSecretRead, secretIdOf } from './private/secrets';

/** The handler's code, shipped in the package: standard library and boto3 only, nothing to bundle. */
const HANDLER_DIR = path.join(__dirname, '..', 'assets', 'secret-preflight');

/**
 * The password lengths a check can ask for: up to 4096 characters, the most a generated password can
 * have (GetRandomPassword's PasswordLength).
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
 */
const SECRET_PASSWORD_LENGTH: Bound = { min: 1, max: 4096 };

/** The user name lengths a check can ask for: up to 63, the longest name the library passes on (PostgreSQL's). */
const SECRET_USERNAME_LENGTH: Bound = { min: 1, max: POSTGRES_NAME_MAX };

/**
 * Properties of a {@link SecretPreflightCheck}.
 */
export interface SecretPreflightCheckProps {
  /**
   * The secret to check, usually one created outside the stack.
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * The JSON keys the secret must hold, each with a non-empty value.
   */
  readonly requiredKeys: string[];

  /**
   * The key holding the password, whose characters and length are checked.
   *
   * @default - no password check beyond the required keys
   */
  readonly passwordKey?: string;

  /**
   * Characters the password's consumer rejects.
   *
   * @default - none
   */
  readonly rejectedPasswordCharacters?: string;

  /**
   * The shortest password the consumer accepts.
   *
   * @default 1
   */
  readonly minPasswordLength?: number;

  /**
   * The longest password the consumer accepts.
   *
   * @default 4096
   */
  readonly maxPasswordLength?: number;

  /**
   * The key holding a database user name, checked as RDS takes one: a letter, then letters, digits
   * or underscores, at most `maxUsernameLength` characters, none of `rejectedUsernames`.
   *
   * @default - no user name check beyond the required keys
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly usernameKey?: string;

  /**
   * The longest user name the consumer accepts (16 for an RDS master user).
   *
   * @default 63
   */
  readonly maxUsernameLength?: number;

  /**
   * User names the consumer refuses, compared without case (RDS's own accounts, such as `rdsadmin`).
   *
   * @default - none
   */
  readonly rejectedUsernames?: string[];

  /**
   * Who reads the secret, as the failure message should name it.
   *
   * @default "its consumer"
   */
  readonly consumer?: string;
}

/**
 * A deploy-time check of a secret's content, run before anything that reads the secret.
 *
 * A custom resource whose Lambda (Python, shipped in this package) reads the secret and fails the
 * deploy within seconds when its value is not a JSON object, lacks a required key, or has an
 * empty or unusable password. The failure names the secret and the keys, never a value. Make the
 * resources that read the secret wait for it with {@link guard}: CloudFormation then stops before
 * creating them, instead of failing mid-stack with `Could not parse SecretString JSON`.
 *
 * Its role may read only that secret (and decrypt with its key when it has one). It checks on
 * create and whenever its properties change, not on every deploy.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html
 */
export class SecretPreflightCheck extends Construct {
  /** The Lambda function that reads the secret. */
  public readonly handler: lambda.Function;

  /** The custom resource CloudFormation creates before the guarded resources. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SecretPreflightCheckProps) {
    super(scope, id);
    const problems = new Problems(this);
    if (props.requiredKeys.length === 0 || props.requiredKeys.some((key) => key.length === 0)) {
      problems.prop('RequiredKeysEmpty', 'requiredKeys', `must be non-empty keys, got: ${JSON.stringify(props.requiredKeys)}`,
        'name the JSON keys the secret must hold, for example ["username", "password"]');
    }
    const shortest = props.minPasswordLength ?? 1;
    if (props.minPasswordLength !== undefined) {
      problems.integerInRange('PasswordLengthOutOfRange', 'minPasswordLength', props.minPasswordLength, SECRET_PASSWORD_LENGTH,
        `give a length ${range(SECRET_PASSWORD_LENGTH)}, the most Secrets Manager can hold`);
    }
    if (props.maxPasswordLength !== undefined) {
      problems.integerInRange('PasswordLengthOutOfRange', 'maxPasswordLength', props.maxPasswordLength,
        { min: shortest, max: SECRET_PASSWORD_LENGTH.max },
        `give a length from ${propName('minPasswordLength')} (${shortest}) to ${SECRET_PASSWORD_LENGTH.max}`);
    }
    if (props.maxUsernameLength !== undefined) {
      problems.integerInRange('UsernameLengthOutOfRange', 'maxUsernameLength', props.maxUsernameLength, SECRET_USERNAME_LENGTH,
        `give a length ${range(SECRET_USERNAME_LENGTH)}, or omit it for ${SECRET_USERNAME_LENGTH.max}`);
    }
    problems.throwIfAny();

    const { role, logGroup } = functionRoleWithLogs(this, '', 'Lets the secret pre-flight check read one secret and write its own logs');
    grantSecretRead(props.secret, role);
    this.handler = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.PYTHON_3_14,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_DIR),
      timeout: Duration.seconds(60),
      role,
      logGroup,
      description: 'safe-constructs: checks a secret before the resources that read it are created',
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::SecretPreflightCheck',
      properties: {
        SecretId: secretIdOf(props.secret),
        RequiredKeys: props.requiredKeys,
        PasswordKey: props.passwordKey,
        RejectedPasswordCharacters: props.rejectedPasswordCharacters,
        MinPasswordLength: props.minPasswordLength,
        MaxPasswordLength: props.maxPasswordLength,
        UsernameKey: props.usernameKey,
        MaxUsernameLength: props.usernameKey !== undefined ? props.maxUsernameLength ?? SECRET_USERNAME_LENGTH.max : undefined,
        RejectedUsernames: props.rejectedUsernames && props.rejectedUsernames.length > 0 ? props.rejectedUsernames : undefined,
        Consumer: props.consumer,
      },
    });
    // The function must be allowed to read before CloudFormation invokes it.
    this.resource.node.addDependency(role);
  }

  /** Makes `dependent` (and everything under it) wait until the secret has passed the check. */
  public guard(dependent: IConstruct): void {
    dependent.node.addDependency(this.resource);
  }
}
