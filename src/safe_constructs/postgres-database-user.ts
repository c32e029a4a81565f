import * as fs from 'fs';
import * as path from 'path';
import {
  CustomResource, Duration, Token,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { admitToDefaultPort } from './private/connections';
import { checkSameEnvironment, databaseUserEnvironmentProps } from './private/environments';
import { Problems, checkAtSynth, propName, show, warn } from './private/errors';
import { functionRoleWithLogs } from './private/functions';
import { checkSecretReader } from './private/network-paths';
import { POSTGRES_NAME, POSTGRES_NAME_FIX } from './private/postgres-names';
import { rotationKindOf, rotationSchedulesOf } from './private/rotations';
import { checkSecretContent } from './private/secret-checks';
import { grantSecretRead, isRdsManagedMasterSecret, isSameSecret, knownSecretUsername, secretIdOf, waitForAttachment } from './private/secrets';
import { USERNAME_FIX, isReservedPostgresRole, usernameProblem } from './private/usernames';
import { RotatingSecret } from './rotating-secret';

/** The handler and its vendored PostgreSQL driver (pure Python), shipped in the package. */
const HANDLER_DIR = path.join(__dirname, '..', 'assets', 'postgres-user');

/** The driver the handler imports; a package built without the vendor step lacks it. */
const DRIVER_DIR = path.join(HANDLER_DIR, 'vendor', 'pg8000');

/** The schema where DMS creates its own tables, unless another is given. */
const DEFAULT_DMS_SCHEMA = 'awsdms';


/**
 * What DMS does with the user's database, and so which grants the user gets: the access of the
 * user an endpoint of each `DmsEndpointType` logs in as, one member per type and of the same name
 * (the user of a `DmsEndpointType.SOURCE` endpoint needs `DmsAccess.SOURCE`). `PostgresReplication`
 * refuses a user whose access is not its endpoint's type (`DmsUserAccessMismatch`).
 */
export enum DmsAccess {
  /**
   * For the user of a `DmsEndpointType.SOURCE` endpoint. DMS reads, with change data capture: CONNECT, `rds_replication`, USAGE on the schema and
   * SELECT on its tables, now and later; no write on them. CREATE on DMS's own schema, for the
   * heartbeat.
   *
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
   */
  SOURCE = 'SOURCE',
  /**
   * For the user of a `DmsEndpointType.TARGET` endpoint. DMS writes: CONNECT and CREATE on the database, USAGE and CREATE on the schema (created when
   * missing), SELECT, INSERT, UPDATE, DELETE and TRUNCATE on its tables, now and later (tables a
   * schema-conversion step made before the load included). CREATE on DMS's own schema, for the
   * control tables.
   *
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.PostgreSQL.html
   */
  TARGET = 'TARGET',
}

/**
 * Properties of a {@link PostgresDatabaseUser}.
 */
export interface PostgresDatabaseUserProps {
  /**
   * The secret the function logs in with: `username`, `password`, `host` (and `port`) of a user
   * who may create roles, such as the RDS master user. Attach it to its database for `host`, or
   * give `databaseEndpoint`, which needs only `username` and `password` (another team's secret
   * then stays as it is, and a master secret RDS manages will do).
   */
  readonly masterSecret: secretsmanager.ISecret;

  /**
   * Where the database listens (`instance.instance_endpoint`, or the endpoint of an imported
   * database): the function connects there instead of the master secret's `host` and `port`.
   *
   * @default - the master secret's `host` and `port`
   */
  readonly databaseEndpoint?: rds.Endpoint;

  /**
   * The secret of the user to create: its `username` is the role's name, its `password` the role's
   * password. A `RotatingSecret`'s rotation waits for the user, since it first logs in as them.
   */
  readonly userSecret: secretsmanager.ISecret;

  /** The database the user connects to and is granted in. */
  readonly databaseName: string;

  /** The schema DMS reads from (SOURCE) or writes to (TARGET). */
  readonly schemaName: string;

  /**
   * The schema where DMS creates its own tables as this user: the heartbeat and DDL-capture
   * artifacts on a source, the control tables on a target. The function creates it (owned by the
   * master) and lets the user create in it; `PostgresReplication` points DMS's `HeartbeatSchema`,
   * `DdlArtifactsSchema` and `ControlSchema` at it. It must differ from `schemaName`.
   *
   * @default "awsdms"
   */
  readonly dmsSchemaName?: string;

  /** Which grants the user gets. */
  readonly access: DmsAccess;

  /**
   * The roles that own `schemaName` or its tables (an application's role, as `pg_tables.tableowner`
   * shows), and that create tables there later. RDS's master user is no superuser and may grant only
   * on what it owns or on what a role it is a member of owns: the function makes the master a member
   * of each of these roles for its one transaction, grants as them, sets their default privileges
   * (`ALTER DEFAULT PRIVILEGES FOR ROLE`) so that DMS's user reads (or writes) the tables they create
   * later too, and revokes the membership before it commits. The master needs to be allowed to join
   * them: on PostgreSQL 15 and older CREATEROLE suffices for any role that is no superuser; from 16,
   * PostgreSQL lets CREATEROLE grant only roles it holds ADMIN OPTION on (the roles it created).
   *
   * Without it, a schema or table that another role owns fails the resource, naming the object,
   * its owner and this prop, and leaves nothing behind.
   *
   * @default - none: the master owns the schema and its tables (or is a member of their owners)
   * @see https://www.postgresql.org/docs/16/release-16.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
   */
  readonly tableOwners?: string[];

  /**
   * Whether the user (SOURCE access only) is made a member of RDS's `rds_superuser` role, besides
   * `rds_replication`. The DMS guide requires it of a source user that is not the master, for change
   * data capture: "If you use an account other than the master user account, the account must have the
   * `rds_superuser` role and the `rds_replication` role". It names no exception, `CaptureDdls: false`
   * included (that setting only spares the DDL-capture artifacts).
   *
   * `rds_superuser` is broad: its members may create event triggers, install extensions, end other
   * sessions, and grant `rds_superuser` and `rds_replication` to other roles (RDS guide). It does not
   * let the user write tables it is not granted. So the choice is explicit: `PostgresReplication`
   * refuses a CDC task whose source user leaves it unset (`SourceUserNeedsRdsSuperuser`); `true` grants
   * it (with the warning `rdsSuperuserGranted`); `false` keeps the user without it, against the guide
   * (the warning `sourceUserWithoutRdsSuperuser`): for a full-load task, which needs only SELECT, or
   * where you have tested CDC without it. Turning it off on an update revokes it.
   *
   * @default - not granted, and not chosen
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
   */
  readonly grantRdsSuperuser?: boolean;

  /** The VPC of the database; the function runs in it, and needs a path to Secrets Manager there. */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the function runs.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The database (an instance, or an Aurora PostgreSQL cluster, whose writer the function logs in
   * to): its security group is opened to the function on its default port, and the user is created
   * once it and its instances exist.
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

  /** The secret of the user this creates. */
  public readonly userSecret: secretsmanager.ISecret;

  /** Which grants the user gets. */
  public readonly access: DmsAccess;

  /** The database the user connects to and is granted in. */
  public readonly databaseName: string;

  /** The schema DMS reads from or writes to. */
  public readonly schemaName: string;

  /** The schema where DMS creates its own tables as this user. */
  public readonly dmsSchemaName: string;

  /** The roles whose tables (now and later) the function grants on, as them. */
  public readonly tableOwners: string[];

  /** Whether the user is a member of `rds_superuser`: true or false as chosen, undefined when not chosen (and not granted). */
  public readonly grantRdsSuperuser?: boolean;

  /** The custom resource (on delete, the provider's log says what it left in the database). */
  public readonly resource: CustomResource;

  /** The function's network connections, which the database must admit. */
  public readonly connections: ec2.Connections;

  /**
   * The role the provider framework invokes the function with. aws-cdk-lib's grant names the function
   * and its versions (`<function ARN>:*`), which cdk-nag's AwsSolutions-IAM5 reports: acknowledge it here.
   */
  public readonly providerRole: iam.IRole;

  /** The provider framework's service token, and the resource's properties: what another resource of this login reuses. */
  private readonly serviceToken: string;
  private readonly loginProperties: { [key: string]: unknown };

  constructor(scope: Construct, id: string, props: PostgresDatabaseUserProps) {
    super(scope, id);
    this.userSecret = props.userSecret;
    this.access = props.access;
    this.databaseName = props.databaseName;
    this.schemaName = props.schemaName;
    this.dmsSchemaName = props.dmsSchemaName ?? DEFAULT_DMS_SCHEMA;
    this.tableOwners = [...props.tableOwners ?? []];
    this.grantRdsSuperuser = props.grantRdsSuperuser;
    this.validate(props);
    if (props.grantRdsSuperuser === true && props.access === DmsAccess.SOURCE) {
      warn(this, 'rdsSuperuserGranted', `${propName('grantRdsSuperuser')} is True: the DMS source user becomes a member of rds_superuser, `
        + 'as the DMS guide requires of a source user that is not the master for change data capture; it may then create event '
        + 'triggers, install extensions, end other sessions and grant rds_superuser to other roles, though not write tables it is not '
        + 'granted (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html)');
    }

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
    if (props.database) admitToDefaultPort(props.database, this.handler, 'safe-constructs: creates the DMS user');

    // The framework answers CloudFormation from outside the VPC: the function needs no route to S3.
    const { role: providerRole, logGroup: providerLogs } = functionRoleWithLogs(this, 'Provider',
      'Lets the provider framework invoke the database-user function and write its logs');
    this.providerRole = providerRole;
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler, frameworkOnEventRole: providerRole, logGroup: providerLogs,
    });
    this.serviceToken = provider.serviceToken;
    this.loginProperties = {
      MasterSecretArn: secretIdOf(props.masterSecret),
      UserSecretArn: secretIdOf(props.userSecret),
      Database: props.databaseName,
      Schema: props.schemaName,
      DmsSchema: this.dmsSchemaName,
      Access: props.access,
      TableOwners: this.tableOwners.length > 0 ? this.tableOwners : undefined,
      RdsSuperuser: props.grantRdsSuperuser === true ? true : undefined,
      Host: props.databaseEndpoint?.hostname,
      Port: props.databaseEndpoint?.port,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.serviceToken,
      resourceType: 'Custom::PostgresDatabaseUser',
      properties: this.loginProperties,
    });
    // The master secret's host exists once its attachment (which waits for the database) is made. An
    // Aurora cluster accepts connections once its writer instance exists, not the cluster alone: the
    // resource waits for the database's instances and cluster (not its security group, whose rules
    // admit rotations that wait for this user).
    waitForAttachment(props.masterSecret, this, [this.resource]);
    if (props.database && Construct.isConstruct(props.database)) {
      const databases = props.database.node.findAll().filter((c) => c instanceof rds.CfnDBInstance || c instanceof rds.CfnDBCluster);
      if (databases.length > 0) this.resource.node.addDependency(...databases);
    }
    this.checkMasterSecret(props);
    if (props.userSecret instanceof RotatingSecret) {
      // A new schedule rotates at once, logging in as the user: the user must exist first.
      props.userSecret.rotationSchedule.node.addDependency(this.resource);
    }
    checkAtSynth(this, (problems) => checkSecretReader(problems, this.handler.node.defaultChild as lambda.CfnFunction));
  }

  /**
   * A resource that records (`record`) or sweeps (`sweep`) a DMS task's replication slots on this
   * user's database, run by this user's function with the same login (assets/postgres-user/slots.py).
   * For `PostgresReplication`, which orders them around its task.
   *
   * @internal
   */
  public _replicationSlots(scope: Construct, id: string, step: 'record' | 'sweep'): CustomResource {
    const resource = new CustomResource(scope, id, {
      serviceToken: this.serviceToken,
      resourceType: 'Custom::DmsReplicationSlots',
      properties: { ...this.loginProperties, Purpose: 'DmsSlots', Step: step },
    });
    // made and deleted while the user's own resource exists: the same login, the same waits
    resource.node.addDependency(this.resource);
    return resource;
  }

  private validate(props: PostgresDatabaseUserProps): void {
    const problems = new Problems(this);
    for (const [prop, value] of [['databaseName', props.databaseName], ['schemaName', props.schemaName],
      ['dmsSchemaName', this.dmsSchemaName]] as const) {
      if (!POSTGRES_NAME.test(value)) {
        problems.prop('PostgresNameInvalid', prop, `is not a name the handler accepts, got: ${show(value)}`,
          POSTGRES_NAME_FIX);
      }
    }
    this.validateTableOwners(problems);
    checkSameEnvironment(problems, this, databaseUserEnvironmentProps(props));
    if (this.dmsSchemaName === props.schemaName) {
      problems.prop('DmsSchemaIsDataSchema', 'dmsSchemaName', `is the schema DMS migrates, got ${show(props.schemaName)} for both`,
        `give DMS's own tables (heartbeat, control tables) a schema of their own: omit dms_schema_name (default "${DEFAULT_DMS_SCHEMA}")`);
    }
    const giveDmsItsOwnUser = 'give DMS a user of its own: a new RotatingSecret, such as RotatingSecret(self, "DmsReaderSecret", '
      + 'username="dms_reader", ...)';
    const username = knownSecretUsername(props.userSecret);
    if (isSameSecret(props.userSecret, props.masterSecret)) {
      problems.prop('UserSecretIsMasterSecret', 'userSecret', 'is the master secret: the function would give the master user DMS\'s '
        + 'grants (a source\'s write grants revoked) and set its password', giveDmsItsOwnUser);
    } else if (username !== undefined && username === knownSecretUsername(props.masterSecret)) {
      problems.prop('UserSecretIsMasterSecret', 'userSecret', `names the master user, ${show(username)}: the function would give the master `
        + 'user DMS\'s grants (a source\'s write grants revoked) and set its password to this secret\'s', giveDmsItsOwnUser);
    }
    if (username !== undefined) {
      const multiUserRotation = rotationSchedulesOf(props.userSecret).some((schedule) => rotationKindOf(schedule).multiUser === true);
      const problem = usernameProblem(username, { engineFamily: 'postgres', postgresRole: true, multiUserRotation });
      if (problem) problems.add('UsernameInvalid', `${propName('userSecret')} names the user to create, and its username ${problem}`, USERNAME_FIX);
    }
    if (props.grantRdsSuperuser !== undefined && props.access !== DmsAccess.SOURCE) {
      problems.prop('RdsSuperuserOnTarget', 'grantRdsSuperuser', `is ${props.grantRdsSuperuser ? 'True' : 'False'} for a user of `
        + `${props.access} access: the DMS guide asks rds_superuser of a source user only`, 'remove grant_rds_superuser (grantRdsSuperuser)');
    }
    if (!props.databaseEndpoint && isRdsManagedMasterSecret(props.masterSecret)) {
      problems.prop('MasterSecretLacksHost', 'masterSecret', 'is the master secret RDS manages (MasterUserSecret), which holds only '
        + 'username and password, and the function also needs host', 'pass database_endpoint=instance.instance_endpoint (databaseEndpoint)');
    }
    if (!fs.existsSync(DRIVER_DIR)) {
      problems.add('HandlerWithoutDriver', `the function's asset ${HANDLER_DIR} lacks its PostgreSQL driver (vendor/pg8000), `
        + 'so every database-user resource would fail with ModuleNotFoundError', 'build the package with `npx projen build` (or '
        + 'run `npx projen vendor` before compiling); an installed safe-constructs always has it');
    }
    problems.throwIfAny();
  }

  /**
   * Each owner a role the master can be made a member of: a plain name, given once, not PostgreSQL's
   * `public` pseudo-role nor a predefined (`pg_`) or RDS-internal (`rds`) role, which no master may join.
   */
  private validateTableOwners(problems: Problems): void {
    const seen = new Set<string>();
    for (const owner of this.tableOwners) {
      if (Token.isUnresolved(owner)) continue;
      let wrong: string | undefined;
      if (!POSTGRES_NAME.test(owner)) {wrong = `holds a name the function does not accept, got: ${show(owner)}`;} else if (seen.has(owner)) {wrong = `names ${show(owner)} twice`;} else if (isReservedPostgresRole(owner)) {
        wrong = `names ${show(owner)}, a role PostgreSQL or RDS reserves, which the master cannot be made a member of`;
      }
      seen.add(owner);
      if (wrong) {
        problems.prop('TableOwnersInvalid', 'tableOwners', wrong, `${POSTGRES_NAME_FIX}; name each role that owns `
          + 'the schema or its tables once (SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = ...)');
      }
    }
  }

  /**
   * The function logs in to the master secret's `host` unless `databaseEndpoint` is given. A secret
   * of this app must hold it at synth; one from outside is checked at deploy, before the database,
   * so that a missing host fails in seconds rather than once the database exists.
   */
  private checkMasterSecret(props: PostgresDatabaseUserProps): void {
    if (props.databaseEndpoint) return;
    checkSecretContent(this, {
      secret: props.masterSecret,
      prop: 'masterSecret',
      requiredKeys: ['username', 'password', 'host'],
      consumer: 'the function',
      consumerAtDeploy: 'the database-user function, which logs in with the master secret (or pass databaseEndpoint, then host is not needed)',
      lacksKeys: {
        id: 'MasterSecretLacksHost',
        fix: 'attach the master secret to its database (secret.attach(instance)), or pass database_endpoint (databaseEndpoint)',
      },
      checkId: 'MasterSecretCheck',
      guards: [this.resource],
    });
  }
}
