import * as path from 'path';
import {
  CustomResource, Duration,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems, functionRoleWithLogs, grantSecretRead, show, waitForAttachment } from './internal';
import { secretReaderErrors } from './network-paths';
import { RotatingSecret } from './rotating-secret';

/** The handler and its vendored PostgreSQL driver (pure Python), shipped in the package. */
const HANDLER_DIR = path.join(__dirname, '..', 'assets', 'postgres-user');

/** PostgreSQL names the handler accepts: letters, digits and underscores, 63 at most. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** What DMS does with the user's database, and so which grants the user gets. */
export enum DmsAccess {
  /**
   * DMS reads, with change data capture: CONNECT, `rds_replication`, USAGE on the schema and
   * SELECT on its tables, now and later.
   */
  SOURCE = 'SOURCE',
  /** DMS writes: CONNECT, and USAGE and CREATE on the schema (created when missing). */
  TARGET = 'TARGET',
}

/**
 * Properties of a {@link PostgresDatabaseUser}.
 */
export interface PostgresDatabaseUserProps {
  /**
   * The secret the function logs in with: `username`, `password`, `host` (and `port`) of a user
   * who may create roles, such as the RDS master user. Attach it to its database for `host`.
   */
  readonly masterSecret: secretsmanager.ISecret;

  /**
   * The secret of the user to create: its `username` is the role's name, its `password` the role's
   * password. A `RotatingSecret`'s rotation waits for the user, since it first logs in as them.
   */
  readonly userSecret: secretsmanager.ISecret;

  /** The database the user connects to and is granted in. */
  readonly databaseName: string;

  /** The schema DMS reads from (SOURCE) or writes to (TARGET). */
  readonly schemaName: string;

  /** Which grants the user gets. */
  readonly access: DmsAccess;

  /** The VPC of the database; the function runs in it, and needs a path to Secrets Manager there. */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the function runs.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The database, whose security group is opened to the function on its default port.
   *
   * @default - none: open the path yourself (`database.connections.allow_default_port_from(user)`)
   */
  readonly database?: ec2.IConnectable;
}

/**
 * A PostgreSQL role with exactly the grants DMS needs, created by a custom resource from inside the
 * VPC, with the password of the user's secret.
 *
 * Nobody else creates the users DMS logs in as: without this, a secret for `dms_reader` holds a
 * password for a role that does not exist, and both DMS and single-user rotation fail their first
 * login. The function (Python, with a vendored pure-Python driver: nothing to bundle) logs in with
 * the master secret; it is idempotent, so an update or a retry converges. On delete it never drops
 * a role that owns objects, and says in its response what it left.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export class PostgresDatabaseUser extends Construct implements ec2.IConnectable {
  /** The function that creates the user, in the VPC. */
  public readonly handler: lambda.Function;

  /** The custom resource (on delete, the provider's log says what it left in the database). */
  public readonly resource: CustomResource;

  /** The function's network connections, which the database must admit. */
  public readonly connections: ec2.Connections;

  /**
   * The role the provider framework invokes the function with. aws-cdk-lib's grant names the function
   * and its versions (`<function ARN>:*`), which cdk-nag's AwsSolutions-IAM5 reports: acknowledge it here.
   */
  public readonly providerRole: iam.IRole;

  constructor(scope: Construct, id: string, props: PostgresDatabaseUserProps) {
    super(scope, id);
    const problems = new Problems(this);
    for (const [prop, value] of [['databaseName', props.databaseName], ['schemaName', props.schemaName]] as const) {
      if (!IDENTIFIER.test(value)) {
        problems.prop('PostgresNameInvalid', prop, `is not a name the handler accepts, got: ${show(value)}`,
          'use 1 to 63 letters, digits or underscores, starting with a letter or underscore');
      }
    }
    problems.throwIfAny();

    const { role, logGroup } = functionRoleWithLogs(this, '', 'Lets the database-user function read two secrets, write its logs and run in the VPC');
    this.handler = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.PYTHON_3_14,
      handler: 'index.on_event',
      code: lambda.Code.fromAsset(HANDLER_DIR),
      timeout: Duration.minutes(2),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      role,
      logGroup,
      description: 'safe-constructs: creates a PostgreSQL user with the grants DMS needs',
    });
    this.connections = this.handler.connections;
    grantSecretRead(props.masterSecret, role);
    grantSecretRead(props.userSecret, role);
    props.database?.connections.allowDefaultPortFrom(this.handler, 'safe-constructs: creates the DMS user');

    // The framework answers CloudFormation from outside the VPC: the function needs no route to S3.
    const { role: providerRole, logGroup: providerLogs } = functionRoleWithLogs(this, 'Provider',
      'Lets the provider framework invoke the database-user function and write its logs');
    this.providerRole = providerRole;
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler, frameworkOnEventRole: providerRole, logGroup: providerLogs,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PostgresDatabaseUser',
      properties: {
        MasterSecretArn: props.masterSecret.secretFullArn ?? props.masterSecret.secretArn,
        UserSecretArn: props.userSecret.secretFullArn ?? props.userSecret.secretArn,
        Database: props.databaseName,
        Schema: props.schemaName,
        Access: props.access,
      },
    });
    // The master secret's host exists once its attachment (which waits for the database) is made.
    waitForAttachment(props.masterSecret, this, [this.resource]);
    if (props.userSecret instanceof RotatingSecret) {
      // A new schedule rotates at once, logging in as the user: the user must exist first.
      props.userSecret.rotationSchedule.node.addDependency(this.resource);
    }
    this.node.addValidation({ validate: () => secretReaderErrors(this.handler.node.defaultChild as lambda.CfnFunction) });
  }
}
