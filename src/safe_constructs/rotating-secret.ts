import {
  Duration, RemovalPolicy, Stack, Token,
  aws_kms as kms,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FirstRotationGate } from './first-rotation-gate';
import { Bound, DurationBound, Problems, checkAtSynth, fail, propName, show, warn } from './private/errors';
import { SECRET_ROTATION_PERIOD } from './private/limits';
import { checkSecretReader } from './private/network-paths';
import { CONSUMER_REJECTED_PASSWORD_CHARACTERS, missingCharacters, rdsMaxPasswordLength } from './private/passwords';
import { ROTATION_ENGINES, ROTATION_FUNCTIONS, RotationKind, rotationKindOf } from './private/rotations';
import { checkSecretContent } from './private/secret-checks';
import { databasesOfSecret, isRdsManagedMasterSecret, keyRegionProblem, secretIdOf } from './private/secrets';
import { USERNAME_FIX, UsernameUse, engineFamilyOf, usernameProblem } from './private/usernames';

/**
 * The characters a generated password excludes by default: the set `rds.DatabaseSecret` uses (shell
 * and URL metacharacters); the characters RDS or DMS reject are always added to it.
 */
const DEFAULT_EXCLUDE_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

const DEFAULT_ROTATION_PERIOD = Duration.days(30);
/** The password lengths RDS accepts for every engine but MySQL, MariaDB (41) and Oracle (30). */
const PASSWORD_LENGTH: Bound = { min: 8, max: rdsMaxPasswordLength('postgres') };

/**
 * Properties of a {@link RotatingSecret}: every prop of `secretsmanager.Secret` (`description`,
 * `secretName`, `encryptionKey`, `replicaRegions`, ...) but the value, which it generates.
 *
 * `removalPolicy` defaults to `RemovalPolicy.RETAIN`, so a refactoring cannot delete the
 * credentials of a running database; `SNAPSHOT` is refused (secrets have no snapshots).
 * `generateSecretString`, `secretStringValue`, `secretObjectValue` and `secretStringBeta1` are
 * refused: the secret's value is generated, with the characters its consumers reject excluded.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
 */
export interface RotatingSecretProps extends secretsmanager.SecretProps {
  /**
   * How Secrets Manager rotates the secret: a Lambda that AWS hosts and maintains, one per engine.
   *
   * Required, so that a secret without rotation cannot be written. Give it `vpc` (and a security
   * group the database admits) when the database is private: without a VPC the rotation Lambda runs
   * outside it and cannot reach the database. A new rotation schedule rotates the secret at once, so
   * such a failure shows minutes after the deploy (a warning says so at synth).
   *
   * Deploying a hosted rotation needs the `CAPABILITY_AUTO_EXPAND` capability, because it uses the
   * `AWS::SecretsManager-2024-09-16` transform: `cdk deploy` passes it on every deploy; other
   * deployers (the console, pipelines, `aws cloudformation deploy`) must acknowledge it.
   *
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html
   */
  readonly hostedRotation: secretsmanager.HostedRotation;

  /**
   * The database user name stored in the secret's `username` key.
   *
   * A letter, then letters, digits or underscores; none of RDS's own accounts and roles (`rdsadmin`,
   * `rds_superuser`, ...). At most 63 characters (PostgreSQL), 32 for MySQL, 16 for a database's
   * master user (RDS, every engine), and short enough for the `_clone` user a multi-user rotation
   * creates (57 for PostgreSQL, 10 for MySQL). `admin` is refused as a PostgreSQL master user. The
   * engine is read from the hosted rotation and, at synth, from the database the secret is attached to.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html
   */
  readonly username: string;

  /**
   * How long after the previous rotation Secrets Manager rotates the secret again.
   *
   * From 4 hours to 1000 days, known at synth time; zero (which would turn rotation off) is refused.
   *
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
   */
  readonly automaticallyAfter?: Duration;

  /**
   * The length of the generated password, from 8 to 128 characters. RDS accepts master passwords of
   * 8 to 128 characters for PostgreSQL and SQL Server, 41 for MySQL and MariaDB, 30 for Oracle.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   * @default 30
   * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
   */
  readonly passwordLength?: number;

  /**
   * Characters the generated password must not contain.
   *
   * Whatever is given, the characters a database consumer rejects are excluded too: `{ } ; . : + %`
   * (DMS endpoint passwords) and `/ " @`, with `& '` for Oracle (RDS master passwords). The hosted
   * rotation generates its passwords with the same exclusions.
   *
   * @default - the `rds.DatabaseSecret` set (`` %+~`#$&*()|[]{}:;<>?!'/@"\`` and space), plus `.`
   * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly excludeCharacters?: string;

  /**
   * The master secret of a multi-user hosted rotation: the secret given to the factory
   * (`HostedRotation.postgre_sql_multi_user(master_secret=...)`). Required with a multi-user
   * rotation, refused without one.
   *
   * AWS's multi-user function reads `masterarn` from the rotated secret, so the secret is generated
   * with it. It logs in with the master secret's `username` and `password` at its `host` (which
   * must be the rotated secret's host), and first with the rotated user's current password, so
   * that user must exist (`PostgresDatabaseUser` creates it). It requires `engine` (postgres or
   * aurora-postgresql) in the master secret too, except in the master secret RDS manages (only
   * `username` and `password`), whose host it reads from RDS: that one is accepted as it is. A
   * master secret created outside the app is checked at deploy time for those keys before the
   * rotation starts.
   *
   * @default - none: single-user rotation
   * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py
   */
  readonly masterSecret?: secretsmanager.ISecret;

  /**
   * Whether the deploy waits for the first rotation (which the schedule starts at once) and fails
   * with the secret's state when it has not finished: a `FirstRotationGate`. Turn it off only where
   * the rotation cannot succeed during the deploy, such as a user created after it by hand.
   *
   * @default true
   */
  readonly verifyFirstRotation?: boolean;
}

/**
 * A Secrets Manager secret holding database credentials that cannot exist without rotation.
 *
 * Its value is the JSON `{"username": ..., "password": ...}` that RDS, DMS and hosted rotation
 * read, with a generated password free of the characters those consumers reject. It rotates every
 * 30 days by default, through the hosted rotation Lambda given. It is a `Secret`, so it goes
 * wherever an `ISecret` does: `rds.Credentials.fromSecret`, `grantRead`, `attach`.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({ vpc });
 * new RotatingSecret(this, 'AppSecret', { username: 'app_user', hostedRotation: rotation });
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
 */
export class RotatingSecret extends secretsmanager.Secret {
  /** The rotation schedule, which the secret always has. */
  public readonly rotationSchedule: secretsmanager.RotationSchedule;

  /** The gate that fails the deploy when the first rotation does not finish (unless `verifyFirstRotation` is false). */
  public readonly firstRotationGate?: FirstRotationGate;

  /** The database user name the secret holds. */
  public readonly username: string;

  private readonly masterSecretGiven: boolean;

  /** What the secret is attached to, once it is. */
  private attachedTo?: secretsmanager.ISecretAttachmentTarget;

  constructor(scope: Construct, id: string, props: RotatingSecretProps) {
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // A value given by the caller is left out here and refused below: the secret generates its own.
    const {
      hostedRotation, username, automaticallyAfter: _period, passwordLength, excludeCharacters, masterSecret,
      verifyFirstRotation: _verify, generateSecretString: _generator, secretStringValue: _value, secretObjectValue: _object, secretStringBeta1: _beta,
      ...secretProps
    } = props;
    super(scope, id, {
      ...secretProps,
      removalPolicy,
      generateSecretString: {
        secretStringTemplate: masterSecret
          ? Stack.of(scope).toJsonString({ username, masterarn: secretIdOf(masterSecret) })
          : JSON.stringify({ username }),
        generateStringKey: 'password',
        passwordLength: passwordLength ?? 30,
        excludeCharacters: withConsumerRejected(excludeCharacters ?? DEFAULT_EXCLUDE_CHARACTERS),
      },
    });
    const automaticallyAfter = props.automaticallyAfter ?? DEFAULT_ROTATION_PERIOD;
    this.username = username;
    this.masterSecretGiven = masterSecret !== undefined;
    const problems = new Problems(this);
    this.validate(problems, props, removalPolicy, automaticallyAfter);
    this.rotationSchedule = this.addRotationSchedule('RotationSchedule', {
      hostedRotation,
      // A period refused above is reported with every other problem below; until then the schedule takes the default.
      automaticallyAfter: isWithin(automaticallyAfter, SECRET_ROTATION_PERIOD) ? automaticallyAfter : DEFAULT_ROTATION_PERIOD,
    });
    const rotation = rotationKindOf(this.rotationSchedule.node.defaultChild as secretsmanager.CfnRotationSchedule);
    this.checkUsername(problems, rotation);
    this.checkHostedRotation(problems);
    problems.throwIfAny();
    checkAtSynth(this, (atSynth) => this.checkDatabases(atSynth, rotation));
    if (props.verifyFirstRotation ?? true) {
      this.firstRotationGate = new FirstRotationGate(this, 'FirstRotation', { secret: this, rotationSchedule: this.rotationSchedule });
    }
    if (masterSecret) this.checkMasterSecret(masterSecret);
  }

  /**
   * A multi-user rotation logs in with the master secret: AWS's function requires `username`,
   * `password`, `host` and `engine` (postgres or aurora-postgresql) in it, except in a master secret
   * RDS manages (only username and password), whose host it reads from RDS.
   *
   * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py
   */
  private checkMasterSecret(masterSecret: secretsmanager.ISecret): void {
    if (isRdsManagedMasterSecret(masterSecret)) return;
    checkSecretContent(this, {
      secret: masterSecret,
      prop: 'masterSecret',
      requiredKeys: ['username', 'password', 'host', 'engine'],
      consumer: 'the multi-user rotation',
      consumerAtDeploy: 'the multi-user rotation, which logs in with the master secret',
      lacksKeys: {
        id: 'MasterSecretLacksKeys',
        fix: 'attach the master secret to its database (secret.attach(instance)), which adds host and engine, or use the master '
          + 'secret RDS manages (the instance\'s MasterUserSecret)',
      },
      checkId: 'MasterSecretCheck',
      guards: [this.rotationSchedule],
    });
  }

  /**
   * Attaches the secret to a database (adding `host`, `port`, `engine` and the identifier to it),
   * and makes the rotation schedule wait for the attachment: hosted rotation reads `host`, and it
   * rotates once as soon as it is created.
   */
  public attach(target: secretsmanager.ISecretAttachmentTarget): secretsmanager.ISecret {
    if (this.attachedTo) {
      fail(this, 'SecretAttachedTwice', `the secret is attached to ${pathOf(this.attachedTo)} already, and ${pathOf(target)} attaches it too: `
        + 'an attachment writes its database\'s host, port and engine into the secret, which holds one of each (aws-cdk-lib then '
        + 'stops with "Secret is already attached to a target", naming neither)',
      'give each database its own RotatingSecret, with its own rotation');
    }
    this.attachedTo = target;
    const attached = super.attach(target);
    this.rotationSchedule.node.addDependency(attached);
    return attached;
  }

  private validate(problems: Problems, props: RotatingSecretProps, removalPolicy: RemovalPolicy, automaticallyAfter: Duration): void {
    const region = Stack.of(this).region;
    const keys: Array<[string, kms.IKey | undefined, string]> = [['encryptionKey', props.encryptionKey, region],
      ...(props.replicaRegions ?? []).map((replica): [string, kms.IKey | undefined, string] => ['replicaRegions', replica.encryptionKey, replica.region])];
    for (const [prop, key, secretRegion] of keys) {
      const problem = key && keyRegionProblem(key, secretRegion);
      if (problem) {
        problems.prop('EncryptionKeyInOtherRegion', prop, problem.replace('the secret is in', prop === 'encryptionKey' ? 'the secret is in'
          : 'its replica is in'), `give a key of ${secretRegion} (kms.Key in a stack of that Region, or Key.from_key_arn with an ARN of it), `
          + 'or omit the key for Secrets Manager\'s own, aws/secretsmanager');
      }
    }
    if (props.passwordLength !== undefined) {
      problems.integerInRange('PasswordLengthOutOfRange', 'passwordLength', props.passwordLength,
        PASSWORD_LENGTH, `choose a length the database accepts: RDS takes ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters `
        + `(${rdsMaxPasswordLength('mysql')} at most for MySQL and MariaDB, ${rdsMaxPasswordLength('oracle')} for Oracle)`);
    }
    for (const given of ['generateSecretString', 'secretStringValue', 'secretObjectValue', 'secretStringBeta1'] as const) {
      if (props[given] !== undefined) {
        problems.prop('SecretValueGiven', given, 'is given, but a RotatingSecret generates its own value',
          'omit it (use password_length and exclude_characters to shape the password), or use secretsmanager.Secret for a fixed value');
      }
    }
    if (removalPolicy === RemovalPolicy.SNAPSHOT) {
      problems.prop('SecretRemovalSnapshot', 'removalPolicy', 'must be RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY, got: SNAPSHOT',
        'use RETAIN (the default) to keep the secret: Secrets Manager keeps no snapshots');
    }
    if (automaticallyAfter.isUnresolved()) {
      problems.prop('RotationPeriodUnresolved', 'automaticallyAfter',
        `must be known at synth time (it is written as a rate checked against ${SECRET_ROTATION_PERIOD.min.toHumanString()} to `
        + `${SECRET_ROTATION_PERIOD.max.toHumanString()}), got: a duration from an unresolved token`,
        'give a literal duration, for example Duration.days(30)');
    }
    problems.durationInRange('RotationPeriodOutOfRange', 'automaticallyAfter', automaticallyAfter, SECRET_ROTATION_PERIOD,
      `pick a period in that range, or omit it for ${DEFAULT_ROTATION_PERIOD.toHumanString()}: a secret of this library always rotates`);
  }

  /**
   * The user name for what the secret is known to be at construction: a user of the hosted rotation's
   * engine, cloned by a multi-user rotation. Its databases add what they know at synth ({@link checkDatabases}).
   */
  private checkUsername(problems: Problems, rotation: RotationKind): void {
    if (Token.isUnresolved(this.username)) return;
    const problem = usernameProblem(this.username, { engineFamily: rotation.family, multiUserRotation: rotation.multiUser });
    if (problem) problems.prop('UsernameInvalid', 'username', problem, USERNAME_FIX);
  }

  /**
   * What the databases of the app that use this secret add, once the app is built: a master user's name
   * (16 characters at most, `admin` refused for PostgreSQL), and a hosted rotation that accepts their engine.
   */
  private checkDatabases(problems: Problems, rotation: RotationKind): void {
    const known: UsernameUse = { engineFamily: rotation.family, multiUserRotation: rotation.multiUser };
    for (const use of databasesOfSecret(this)) {
      const path = use.path;
      const family = engineFamilyOf(use.engineType);
      // The constructor has judged the name for its rotation: only what the database adds can be wrong here.
      const problem = Token.isUnresolved(this.username) ? undefined : usernameProblem(this.username,
        { ...known, engineFamily: family ?? rotation.family, master: use.master });
      if (problem) {
        problems.add('UsernameInvalid', `${propName('username')} names the master user of ${path}${use.engineType ? ` (${use.engineType})` : ''}, and `
          + problem.replace(/^(must|is)/, 'it $1'), USERNAME_FIX);
      }
      const accepted = rotation.family && ROTATION_ENGINES[rotation.family];
      if (accepted && use.engineType && !accepted.includes(use.engineType)) {
        problems.add('RotationEngineMismatch', `${propName('hostedRotation')} is ${rotation.rotationType}, whose function accepts a secret of `
          + `engine ${accepted.join(' or ')}, and the secret is ${use.attached ? 'attached to' : 'the master secret of'} ${path}, `
          + `of engine ${show(use.engineType)}: every rotation would fail ("Database engine must be set to ...", ${ROTATION_FUNCTIONS})`,
        `use the HostedRotation factory of the database's engine (${hostedRotationFactoryFor(use.engineType)})`);
      }
    }
  }

  /** Checks what the bound hosted rotation will do, as far as the template shows it. */
  private checkHostedRotation(problems: Problems): void {
    const schedule = this.rotationSchedule.node.defaultChild as secretsmanager.CfnRotationSchedule;
    const hosted = schedule.hostedRotationLambda as secretsmanager.CfnRotationSchedule.HostedRotationLambdaProperty;
    if (hosted.excludeCharacters !== undefined && !Token.isUnresolved(hosted.excludeCharacters)) {
      const missing = missingCharacters(hosted.excludeCharacters, CONSUMER_REJECTED_PASSWORD_CHARACTERS);
      if (missing) {
        problems.add('RotationAllowsRejectedCharacters',
          `${propName('hostedRotation')} excludes ${show(hosted.excludeCharacters)}, which lets rotated passwords contain `
          + `${show(missing)} that RDS or DMS reject`,
          'omit exclude_characters (excludeCharacters) from the HostedRotation options (RotatingSecret passes its own), '
          + `or use ${propName('excludeCharacters')} on RotatingSecret`);
      }
    }
    const multiUser = typeof hosted.rotationType === 'string' && hosted.rotationType.endsWith('MultiUser');
    if (multiUser && !this.masterSecretGiven) {
      problems.add('MultiUserWithoutMasterSecret',
        `${propName('hostedRotation')} is a multi-user rotation (${hosted.rotationType}), whose function reads masterarn from the secret, `
        + `and ${propName('masterSecret')} is not given`,
        'pass master_secret (masterSecret): the same secret as the HostedRotation\'s master_secret');
    }
    if (!multiUser && this.masterSecretGiven) {
      problems.add('MasterSecretUnused', `${propName('masterSecret')} is given, but ${propName('hostedRotation')} is a single-user rotation`,
        'omit master_secret (masterSecret), or use a multi-user HostedRotation factory');
    }
    if (hosted.vpcSubnetIds !== undefined) {
      // A new schedule rotates at once: without a path to Secrets Manager the first rotation fails minutes after the deploy.
      checkAtSynth(this, (atSynth) => checkSecretReader(atSynth, schedule));
    }
    if (hosted.vpcSubnetIds === undefined) {
      warn(this, 'rotationOutsideVpc',
        'the hosted rotation Lambda runs outside any VPC, so it can rotate only a database that is publicly reachable; '
        + 'pass vpc (and a security group the database admits) to the HostedRotation factory');
    }
  }
}

/** Whether a known duration lies within a bound (false for one built from a token). */
function isWithin(value: Duration, bound: DurationBound): boolean {
  return !value.isUnresolved() && value.toMilliseconds() >= bound.min.toMilliseconds() && value.toMilliseconds() <= bound.max.toMilliseconds();
}

/** The HostedRotation factory for an engine type, in Python's spelling. */
function hostedRotationFactoryFor(engineType: string): string {
  const family = engineFamilyOf(engineType);
  if (family === 'postgres') return 'HostedRotation.postgre_sql_single_user()';
  if (family === 'mysql') return 'HostedRotation.mysql_single_user()';
  if (family === 'mariadb') return 'HostedRotation.maria_db_single_user()';
  return `the one for ${engineType}`;
}

/** Where an attachment target is: its construct path, or what it is when it is no construct. */
function pathOf(target: secretsmanager.ISecretAttachmentTarget): string {
  return Construct.isConstruct(target) ? target.node.path : 'a target that is no construct of the app';
}

function withConsumerRejected(excludeCharacters: string): string {
  return excludeCharacters + missingCharacters(excludeCharacters, CONSUMER_REJECTED_PASSWORD_CHARACTERS);
}
