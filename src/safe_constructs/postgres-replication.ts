import {
  Aspects, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Token,
  aws_dms as dms,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_rds as rds,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DmsAccountRoles } from './dms-account-roles';
import { DmsConnectionGate } from './dms-connection-gate';
import { DmsEndpointType } from './dms-endpoint-props';
import { DmsAccountRolesMode, DmsLobMode, DmsMigrationType, DmsTargetTablePrep } from './dms-replication-props';
import { DmsAccess, PostgresDatabaseUser } from './postgres-database-user';
import { renderedStack } from './private/cfn';
import { DEFAULT_DMS_ENGINE_VERSION, DMS_VERSION_FOR_POSTGRES, NEWEST_POSTGRES_MAJOR_NAMED, compareVersions, dmsVersionsForPostgresInWords } from './private/dms-engine-versions';
import { dmsIdentifier } from './private/dms-identifiers';
import { LOB_MAX_SIZE_KB, mergeSettings } from './private/dms-task-settings';
import { Bound, Problems, checkAtSynth, propName, range, show, warn } from './private/errors';
import { deployGate } from './private/functions';
import { cdcSourceFindings } from './private/logical-replication';
import { checkSecretReader } from './private/network-paths';
import { POSTGRES_NAME_MAX } from './private/postgres-names';
import { isMasterSecretOfDatabaseInApp, isSameSecret, isSecretCreatedInApp } from './private/secrets';
import { secretsManagerEndpointOf } from './private/vpc-endpoints';
import { RotatingSecret } from './rotating-secret';
import { SecureDmsPostgresEndpoint } from './secure-dms-postgres-endpoint';

/**
 * Storage bounds of a replication instance, in GB. The upper bound is the regional quota of all
 * replication instances' storage (30,000 GB, CHAP_Limits); the API documents no lower bound, and
 * 5 GB, the console's smallest, is the safe side.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Limits.html
 */
const STORAGE_GB: Bound = { min: 5, max: 30000 };

/** A schema DMS migrates: a PostgreSQL name, with % matching any characters (DMS table mappings). */
const SCHEMA_PATTERN = new RegExp(`^[A-Za-z_%][A-Za-z0-9_%$]{0,${POSTGRES_NAME_MAX - 1}}$`);

/**
 * Properties of a {@link PostgresReplication}.
 */
export interface PostgresReplicationProps {
  /** The endpoint DMS reads from. */
  readonly source: SecureDmsPostgresEndpoint;

  /** The endpoint DMS writes to. */
  readonly target: SecureDmsPostgresEndpoint;

  /** The VPC the replication instance runs in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the replication instance runs (two Availability Zones at least).
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** The source database, which the replication instance is let into on its default port. */
  readonly sourceDatabase: ec2.IConnectable;

  /** The target database, which the replication instance is let into, and which the task waits for. */
  readonly targetDatabase: ec2.IConnectable;

  /** What the task migrates. CDC needs `rds.logical_replication` set to 1 on the source. */
  readonly migrationType: DmsMigrationType;

  /** The schemas to migrate, every table of each. */
  readonly schemas: string[];

  /**
   * How large values are migrated. `LIMITED` truncates values over `lobMaxSizeKb`: choose it only
   * knowing the data.
   *
   * @default DmsLobMode.FULL
   */
  readonly lobMode?: DmsLobMode;

  /**
   * The largest value migrated whole in `LIMITED` mode, in KB; required with it.
   *
   * @default - none
   */
  readonly lobMaxSizeKb?: number;

  /**
   * What DMS does to target tables that exist when the full load starts.
   *
   * @default DmsTargetTablePrep.DO_NOTHING
   */
  readonly targetTablePrep?: DmsTargetTablePrep;

  /**
   * Where the replication instance reaches Secrets Manager (it reads the endpoints' secrets).
   * Pass the endpoint of an imported VPC that has one: a second Secrets Manager endpoint with
   * private DNS in the same VPC fails to deploy.
   *
   * @default - a Secrets Manager interface endpoint of the VPC defined in this app, or a new one
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * Whether to create DMS's account-wide roles or use the account's.
   *
   * @default DmsAccountRolesMode.EXISTING
   */
  readonly accountRoles?: DmsAccountRolesMode;

  /**
   * The replication instance class.
   *
   * @default "dms.t3.medium"
   */
  readonly replicationInstanceClass?: string;

  /**
   * The replication instance's storage, in GB (it holds cached changes and logs).
   *
   * @default 50
   */
  readonly allocatedStorage?: number;

  /**
   * Whether the replication instance has a standby in another Availability Zone.
   *
   * @default false
   */
  readonly multiAz?: boolean;

  /**
   * The KMS key that encrypts the replication instance's storage.
   *
   * @default - DMS's AWS managed key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The replication engine version. It must be one DMS documents for both databases' PostgreSQL
   * majors (17: 3.6.1 or later), and one DMS still creates new instances with (release notes).
   *
   * @default DEFAULT_DMS_ENGINE_VERSION ("3.6.1")
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
   */
  readonly engineVersion?: string;

  /**
   * Whether DMS upgrades the engine in the maintenance window. DMS upgrades a version it has
   * deprecated (to a newer one, so never below `engineVersion`), stopping and resuming the task.
   *
   * @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;

  /**
   * When DMS may upgrade the engine or patch the instance, in UTC (`ddd:hh24:mi-ddd:hh24:mi`).
   *
   * @default - a 30-minute window DMS chooses
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Task settings merged over the construct's, key by key: `{"Logging": {"LogComponents": [...]}}`
   * keeps every other setting. A value given here replaces the construct's at that key.
   *
   * @default - the construct's settings only
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.html
   */
  readonly taskSettings?: { [key: string]: any };

  /**
   * Whether the deploy proves that DMS can connect: a `DmsConnectionGate` tests both endpoints from
   * the replication instance once everything they need exists (the users, their first rotation,
   * the security group rules, the Secrets Manager endpoint), and the task waits for it. Turn it
   * off only when a database cannot be reached during the deploy (a source behind a VPN set up
   * later, a database restored after it); then test the endpoints yourself before starting the task.
   *
   * @default true
   */
  readonly connectionGate?: boolean;

  /**
   * Resources the task waits for, besides the `PostgresDatabaseUser`s of the endpoints' secrets,
   * which it finds and waits for itself.
   *
   * @default - none
   */
  readonly dependsOn?: IConstruct[];

  /**
   * Whether deleting the replication (removing it from the app, or deleting its stack) retires it
   * cleanly: a custom resource stops the task before CloudFormation deletes it (its delete does not
   * stop a running task), and, with CDC from a source whose user a `PostgresDatabaseUser` creates,
   * that user's function records the task's replication slot while the task runs and drops it if
   * DMS left it once the task is deleted, so that no slot keeps WAL on the source. Turning it off
   * leaves the warning `retireOnDeleteOff`.
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
   */
  readonly retireOnDelete?: boolean;

  /**
   * Whether DMS validates the rows it migrates (`ValidationSettings.EnableValidation`, off in DMS
   * by default): it compares each row of the source with its row on the target, after a table's
   * full load and for each change during CDC, and writes each mismatch to
   * `awsdms_validation_failures_v1` in the control schema (the target user's `dmsSchemaName`).
   * A table needs a primary key or a unique index to be validated. A `WeightedTrafficShift` tied
   * to this replication moves traffic only once every table is validated. Turning it off leaves
   * the warning `validationOff`, and a shift tied to it is refused unless it accepts an
   * unvalidated cutover.
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Validating.html
   */
  readonly validation?: boolean;
}

/**
 * The validation settings: DMS's documented defaults, written out. The guide's prose gives
 * FailureMaxCount 10,000 (the task) and TableFailureMaxCount 1,000 (one table); its example JSON
 * shows the two the other way round, so both are set rather than left to a default.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.DataValidation.html
 */
const VALIDATION_SETTINGS = { EnableValidation: true, FailureMaxCount: 10000, TableFailureMaxCount: 1000 };

/**
 * A DMS replication of one PostgreSQL database into another: the replication instance (encrypted,
 * private, on a pinned engine), its subnet group and security group, exactly the network paths it
 * needs, and the task, with explicit settings.
 *
 * The security group lets out only the two databases' ports and 443 to the Secrets Manager
 * endpoint. The task's LOB mode defaults to FULL (nothing truncated) and its target preparation to
 * DO_NOTHING (nothing dropped). CDC from a source of the app whose parameter group does not set
 * `rds.logical_replication` to 1 is refused at synth; for a source outside the app it is the
 * operator's to check (a warning says so).
 *
 * The task waits for the `PostgresDatabaseUser` of each endpoint's secret, and DMS's own tables go
 * to that user's `dmsSchemaName`: the source's heartbeat (`HeartbeatSchema`) and DDL artifacts
 * (`DdlArtifactsSchema`), the target's control tables (`ControlSchema`).
 *
 * CloudFormation creates the task but does not start it: start it with
 * `aws dms start-replication-task` once the stack is deployed. A running task must be stopped
 * before a deploy modifies it; a change of the migration type, the instance or an endpoint
 * replaces the task (its properties are create-only), which restarts the full load.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export class PostgresReplication extends Construct {
  /** The replication instance. */
  public readonly replicationInstance: dms.CfnReplicationInstance;

  /** The replication task. */
  public readonly task: dms.CfnReplicationTask;

  /**
   * The replication instance's identifier (`ReplicationInstanceIdentifier`), which the construct sets:
   * lower case, from the stack name and the construct path, unique in the account and region as they
   * are. DMS's task metrics carry it in their `ReplicationInstanceIdentifier` dimension.
   */
  public readonly instanceIdentifier: string;

  /** The replication instance's security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The account roles, when this construct creates them. */
  public readonly accountRoles?: DmsAccountRoles;

  /** The gate that fails the deploy unless DMS can connect to both endpoints (unless `connectionGate` is false). */
  public readonly connectionGate?: DmsConnectionGate;

  /** What the task migrates. */
  public readonly migrationType: DmsMigrationType;

  /** The custom resource that stops the task before CloudFormation deletes it (unless `retireOnDelete` is false). */
  public readonly stopOnDelete?: CustomResource;

  /**
   * Whether the task validates the rows it migrates, as its settings say once `taskSettings` is
   * merged over the construct's.
   */
  public readonly validationEnabled: boolean;

  private readonly props: PostgresReplicationProps;

  constructor(scope: Construct, id: string, props: PostgresReplicationProps) {
    super(scope, id);
    this.props = props;
    this.migrationType = props.migrationType;
    const lobMode = props.lobMode ?? DmsLobMode.FULL;
    this.validate(props, lobMode);
    this.validationEnabled = mergeSettings(this.validationSettings(), props.taskSettings ?? {}).ValidationSettings?.EnableValidation === true;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, allowAllOutbound: false, description: 'DMS replication instance: the two databases and Secrets Manager',
    });
    for (const [database, what] of [[props.sourceDatabase, 'source'], [props.targetDatabase, 'target']] as const) {
      const port = database.connections.defaultPort;
      if (port) {
        database.connections.allowDefaultPortFrom(this.securityGroup, `DMS reads and writes the ${what}`);
        this.securityGroup.connections.allowTo(database, port, `DMS to the ${what} database`);
      }
    }
    const endpoint = props.secretsManagerEndpoint ?? secretsManagerEndpointOf(this, props.vpc, props.vpcSubnets);
    this.securityGroup.connections.allowTo(endpoint, ec2.Port.tcp(443), 'DMS reads the endpoint secrets');

    const subnets = new dms.CfnReplicationSubnetGroup(this, 'Subnets', {
      replicationSubnetGroupDescription: `${this.node.path}: DMS replication`,
      subnetIds: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
    });
    // Set, not generated: CloudFormation's generated identifier is undocumented, and the task metrics'
    // dimension needs the value (ModifyReplicationInstance renames an instance in place).
    this.instanceIdentifier = dmsIdentifier(this, 63);
    this.replicationInstance = new dms.CfnReplicationInstance(this, 'Instance', {
      replicationInstanceIdentifier: this.instanceIdentifier,
      replicationInstanceClass: props.replicationInstanceClass ?? 'dms.t3.medium',
      allocatedStorage: props.allocatedStorage ?? 50,
      engineVersion: props.engineVersion ?? DEFAULT_DMS_ENGINE_VERSION,
      autoMinorVersionUpgrade: props.autoMinorVersionUpgrade ?? true,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow,
      kmsKeyId: props.encryptionKey?.keyArn,
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      replicationSubnetGroupIdentifier: subnets.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
    });
    this.replicationInstance.applyRemovalPolicy(RemovalPolicy.DESTROY); // it holds no data of its own
    if ((props.accountRoles ?? DmsAccountRolesMode.EXISTING) === DmsAccountRolesMode.CREATE) {
      this.accountRoles = new DmsAccountRoles(this, 'AccountRoles');
      subnets.node.addDependency(this.accountRoles);
      this.replicationInstance.node.addDependency(this.accountRoles);
    }

    this.task = new dms.CfnReplicationTask(this, 'Task', {
      migrationType: props.migrationType,
      replicationInstanceArn: this.replicationInstance.ref,
      sourceEndpointArn: props.source.endpointArn,
      targetEndpointArn: props.target.endpointArn,
      tableMappings: Stack.of(this).toJsonString({
        rules: props.schemas.map((schema, i) => ({
          'rule-type': 'selection',
          'rule-id': String(i + 1),
          'rule-name': `include-${schema}`,
          'rule-action': 'include',
          'object-locator': { 'schema-name': schema, 'table-name': '%' },
        })),
      }),
      replicationTaskSettings: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.taskSettings(lobMode)) }),
    });
    // The task waits for what it writes to: the target database (when it is a construct) and the users.
    const waitsFor = [props.targetDatabase, ...(props.dependsOn ?? [])].filter((c): c is IConstruct => Construct.isConstruct(c));
    this.task.node.addDependency(...waitsFor);
    if (props.connectionGate ?? true) {
      this.connectionGate = new DmsConnectionGate(this, 'ConnectionGate', {
        replicationInstance: this.replicationInstance, endpoints: [props.source.endpoint, props.target.endpoint],
      });
      // Tested once everything a connection needs exists: both databases and their security group rules,
      // this instance's egress, the Secrets Manager endpoint, and each secret's first rotation.
      const needs = [props.sourceDatabase, props.targetDatabase, endpoint, this.securityGroup, ...(props.dependsOn ?? []),
        ...[props.source.secret, props.target.secret].map((secret) => secret instanceof RotatingSecret ? secret.firstRotationGate : undefined)]
        .filter((c): c is IConstruct => c !== undefined && Construct.isConstruct(c));
      this.connectionGate.node.addDependency(...needs);
      if (this.accountRoles) this.connectionGate.node.addDependency(this.accountRoles);
      this.task.node.addDependency(this.connectionGate);
    }
    if (props.retireOnDelete ?? true) {
      this.stopOnDelete = this.stopTaskOnDelete();
    }
    // The users may be defined after this construct: found once the app is built, before synth.
    Aspects.of(this).add({ visit: (node) => { if (node === this) this.settleDmsSchemas(); } });
    checkAtSynth(this, (problems) => this.validateAtSynth(problems));
    this.warn(props);
  }

  /** The endpoint's database user, when a `PostgresDatabaseUser` of this app creates it. */
  public userOf(endpoint: SecureDmsPostgresEndpoint): PostgresDatabaseUser | undefined {
    return this.node.root.node.findAll().find((node): node is PostgresDatabaseUser =>
      node instanceof PostgresDatabaseUser && isSameSecret(node.userSecret, endpoint.secret));
  }

  /** The construct's task settings with `taskSettings` merged over them, key by key. */
  private taskSettings(lobMode: DmsLobMode): { [key: string]: any } {
    const targetUser = this.userOf(this.props.target);
    return mergeSettings({
      TargetMetadata: {
        SupportLobs: true,
        FullLobMode: lobMode === DmsLobMode.FULL,
        LobChunkSize: lobMode === DmsLobMode.FULL ? 64 : 0,
        LimitedSizeLobMode: lobMode === DmsLobMode.LIMITED,
        LobMaxSize: lobMode === DmsLobMode.LIMITED ? this.props.lobMaxSizeKb : 0,
      },
      FullLoadSettings: { TargetTablePrepMode: this.props.targetTablePrep ?? DmsTargetTablePrep.DO_NOTHING },
      // The target user may create only in its DMS schema (public is closed to it since PostgreSQL 15).
      ...(targetUser ? { ControlTablesSettings: { ControlSchema: targetUser.dmsSchemaName } } : {}),
      Logging: { EnableLogging: true },
      ...this.validationSettings(),
    }, this.props.taskSettings ?? {});
  }

  /**
   * The custom resource that, on delete, stops the task and waits until DMS reports it stopped
   * (deleted before the task: it depends on it). Its role may stop and describe that task only;
   * `dms:DescribeReplicationTasks` has no resource type, so it is allowed on `*` (Service
   * Authorization Reference).
   */
  private stopTaskOnDelete(): CustomResource {
    const scope = new Construct(this, 'StopOnDelete');
    const gate = deployGate(scope, 'retire.stop_handler', 'Custom::DmsTaskStopOnDelete',
      'stops the DMS task before CloudFormation deletes it', Duration.minutes(14), { ReplicationTaskArn: this.task.ref });
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:StopReplicationTask'], resources: [this.task.ref] }));
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:DescribeReplicationTasks'], resources: ['*'] }));
    return gate.resource;
  }

  /** The validation settings the construct writes: none when `validation` is false. */
  private validationSettings(): { [key: string]: any } {
    return (this.props.validation ?? true) ? { ValidationSettings: { ...VALIDATION_SETTINGS } } : {};
  }

  /**
   * Waits for the endpoints' users, and points the source's heartbeat and DDL artifacts at its
   * user's DMS schema where they are not set (DMS's default, public, is closed to that user).
   */
  private settleDmsSchemas(): void {
    for (const endpoint of [this.props.source, this.props.target]) {
      const user = this.userOf(endpoint);
      if (user) {
        this.task.node.addDependency(user);
        this.connectionGate?.node.addDependency(user);
      }
    }
    const sourceUser = this.userOf(this.props.source);
    if (!sourceUser) return;
    // (an app synthesized again visits this again: the resources are made once)
    if (this.stopOnDelete && this.props.migrationType !== DmsMigrationType.FULL_LOAD && !this.node.tryFindChild('SlotRecord')) {
      // Deleted in this order: the slot recorded while the task runs, the task stopped, the task, the slot swept.
      const record = sourceUser._replicationSlots(this, 'SlotRecord', 'record');
      record.node.addDependency(this.stopOnDelete);
      this.task.node.addDependency(sourceUser._replicationSlots(this, 'SlotSweep', 'sweep'));
    }
    const settings = this.sourceCdcSettings();
    if (settings.heartbeatEnable && settings.heartbeatSchema === undefined) {
      this.props.source.endpoint.addPropertyOverride('PostgreSqlSettings.HeartbeatSchema', sourceUser.dmsSchemaName);
    }
    if (settings.captureDdls) {
      if (settings.ddlArtifactsSchema === undefined) {
        this.props.source.endpoint.addPropertyOverride('PostgreSqlSettings.DdlArtifactsSchema', sourceUser.dmsSchemaName);
      }
      warn(this, 'ddlCaptureNeedsArtifacts',
        `the source endpoint captures DDL as ${sourceUser.node.path}, which is not the master: DMS then needs the master to have created `
        + `its DDL-capture artifacts (awsdms_ddl_audit, awsdms_intercept_ddl and its event trigger) in ${settings.ddlArtifactsSchema ?? sourceUser.dmsSchemaName} `
        + 'before the task starts, which this library does not do; or turn capture_ddls off '
        + '(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html)');
    }
  }

  /** The source endpoint's CDC settings, as given. */
  private sourceCdcSettings(): dms.CfnEndpoint.PostgreSqlSettingsProperty {
    return (Stack.of(this).resolve(this.props.source.endpoint.postgreSqlSettings) ?? {}) as dms.CfnEndpoint.PostgreSqlSettingsProperty;
  }

  private warn(props: PostgresReplicationProps): void {
    if (props.retireOnDelete === false) {
      warn(this, 'retireOnDeleteOff', `${propName('retireOnDelete')} is false: when the replication is deleted, CloudFormation `
        + 'deletes a running task without stopping it first (which DMS refuses), and a replication slot DMS leaves on the source '
        + 'keeps its WAL until someone drops it (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html)');
    }
    if (!this.validationEnabled) {
      warn(this, 'validationOff',
        `${props.validation === false ? `${propName('validation')} is false` : `${propName('taskSettings')} turns ValidationSettings.EnableValidation off`}: `
        + 'DMS does not compare the rows it migrates, so nothing shows a row that differs or is missing on the target, '
        + 'and a WeightedTrafficShift tied to this replication is refused unless it sets accept_unvalidated_cutover '
        + '(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Validating.html)');
    }
    if (props.targetTablePrep === DmsTargetTablePrep.DROP_AND_CREATE) {
      warn(this, 'targetTablesDropped',
        'target_table_prep (targetTablePrep) is DROP_AND_CREATE: a target table that exists when the full load starts is '
        + 'dropped with its rows');
    }
    if (props.migrationType !== DmsMigrationType.FULL_LOAD && !isDatabaseCreatedInApp(props.sourceDatabase)) {
      warn(this, 'cdcSourceUndecided',
        `${propName('migrationType')} is ${props.migrationType} from a source database outside this app, whose parameter group `
        + 'cannot be read: make sure it sets rds.logical_replication to 1 (a static parameter: reboot after setting it) before '
        + 'starting the task (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html)');
    }
    const unread = [['source', props.sourceDatabase], ['target', props.targetDatabase]]
      .filter(([, database]) => postgresMajorOf(database as ec2.IConnectable) === undefined).map(([what]) => what);
    if (unread.length > 0) {
      warn(this, 'dmsEngineUnchecked',
        `the PostgreSQL major of the ${unread.join(' and the ')} database cannot be read (imported, or a version given as a token), `
        + `so whether DMS ${props.engineVersion ?? DEFAULT_DMS_ENGINE_VERSION} supports it is not checked: ${dmsVersionsForPostgresInWords()} `
        + '(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html)');
    }
  }

  private validate(props: PostgresReplicationProps, lobMode: DmsLobMode): void {
    const problems = new Problems(this);
    if (props.schemas.length === 0 || props.schemas.some((schema) => !SCHEMA_PATTERN.test(schema))) {
      problems.prop('SchemasInvalid', 'schemas', `must name at least one schema (letters, digits, underscores; % matches any), got: ${show(JSON.stringify(props.schemas))}`,
        'give the schemas to migrate, for example ["payments"]');
    }
    if (lobMode === DmsLobMode.LIMITED && props.lobMaxSizeKb === undefined) {
      problems.prop('LobMaxSizeMissing', 'lobMaxSizeKb', 'is required with lob_mode (lobMode) LIMITED, which truncates longer values, and none was given',
        'give the size of the largest value in KB, or use DmsLobMode.FULL (the default) to truncate nothing');
    }
    if (props.lobMaxSizeKb !== undefined) {
      if (lobMode !== DmsLobMode.LIMITED) {
        problems.prop('LobMaxSizeUnused', 'lobMaxSizeKb', `is used only with lob_mode (lobMode) LIMITED, got lob_mode: ${lobMode}`,
          'remove lob_max_size_kb, or choose DmsLobMode.LIMITED');
      } else {
        problems.integerInRange('LobMaxSizeOutOfRange', 'lobMaxSizeKb', props.lobMaxSizeKb, LOB_MAX_SIZE_KB,
          `give a size in KB ${range(LOB_MAX_SIZE_KB)} (100 MB)`);
      }
    }
    this.validateEndpoints(problems, props);
    this.validateInstance(problems, props);
    problems.throwIfAny();
  }

  /** Each endpoint in its place: the source reads, the target writes, and they are two. */
  private validateEndpoints(problems: Problems, props: PostgresReplicationProps): void {
    if (props.source === props.target) {
      problems.prop('SameEndpointTwice', 'target', `is the source endpoint (${props.source.node.path}) too: DMS would read and write `
        + 'the same database', 'give a SecureDmsPostgresEndpoint with endpoint_type=DmsEndpointType.TARGET for the database DMS writes to');
    }
    for (const [prop, endpoint, expected] of [['source', props.source, DmsEndpointType.SOURCE],
      ['target', props.target, DmsEndpointType.TARGET]] as const) {
      if (endpoint.endpointType !== expected) {
        problems.prop('EndpointTypeMismatch', prop, `is an endpoint of type ${endpoint.endpointType.toUpperCase()} (${endpoint.node.path}), `
          + `and DMS needs a ${expected.toUpperCase()} endpoint there`, `build it with endpoint_type=DmsEndpointType.${expected.toUpperCase()}`);
      }
    }
  }

  /** Values DMS checks only once the slow resources exist (CreateReplicationInstance, CreateReplicationSubnetGroup). */
  private validateInstance(problems: Problems, props: PostgresReplicationProps): void {
    const instanceClass = props.replicationInstanceClass;
    if (instanceClass !== undefined && !Token.isUnresolved(instanceClass) && !/^dms\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass)) {
      // "to specify the instance class dms.c4.large, set this parameter to dms.c4.large" (CreateReplicationInstance)
      problems.prop('ReplicationInstanceClassInvalid', 'replicationInstanceClass', `is not a DMS instance class, got: ${show(instanceClass)}`,
        'name a class with its dms. prefix, such as "dms.t3.medium" or "dms.r6i.large"');
    }
    if (props.allocatedStorage !== undefined) {
      problems.integerInRange('AllocatedStorageOutOfRange', 'allocatedStorage', props.allocatedStorage, STORAGE_GB,
        `give whole GB ${range(STORAGE_GB)} (the regional quota); 50 is the default`);
    }
    const zones = props.vpc.selectSubnets(props.vpcSubnets).availabilityZones;
    if (!zones.some((zone) => Token.isUnresolved(zone)) && new Set(zones).size < 2) {
      // ReplicationSubnetGroupDoesNotCoverEnoughAZs (CreateReplicationSubnetGroup)
      problems.prop('SubnetsInOneZone', 'vpcSubnets', `select subnets in ${new Set(zones).size} Availability Zone(s) (${zones.join(', ')}), `
        + 'and a DMS replication subnet group needs two at least', 'select subnets in two Availability Zones or more (a VPC with max_azs=2 or more)');
    }
    const version = props.engineVersion ?? DEFAULT_DMS_ENGINE_VERSION;
    if (Token.isUnresolved(version)) return;
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
      problems.prop('EngineVersionInvalid', 'engineVersion', `is not a DMS engine version, got: ${show(version)}`,
        `give a version such as "${DEFAULT_DMS_ENGINE_VERSION}" (DMS release notes)`);
      return;
    }
    for (const [what, database] of [['source', props.sourceDatabase], ['target', props.targetDatabase]] as const) {
      const major = postgresMajorOf(database);
      const needed = major === undefined ? undefined : DMS_VERSION_FOR_POSTGRES[major];
      if (major !== undefined && needed === undefined && major > NEWEST_POSTGRES_MAJOR_NAMED) {
        warn(this, 'dmsEngineUnchecked', `the ${what} database is PostgreSQL ${major}, for which the DMS `
          + 'guide names no engine version yet: check it (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html)');
      }
      if (needed && compareVersions(version, needed) < 0) {
        problems.prop('EngineVersionTooOld', 'engineVersion', `is ${version}, and the ${what} database is PostgreSQL ${major}, which needs `
          + `DMS ${needed} or later`, `give engine_version "${needed}" or later, or omit it (default ${DEFAULT_DMS_ENGINE_VERSION})`);
      }
    }
  }

  /** At synth: CDC from a source of the stack needs logical replication, and the instance a path to Secrets Manager. */
  private validateAtSynth(problems: Problems): void {
    const stack = Stack.of(this);
    const taskId = stack.resolve(this.task.logicalId);
    cdcSourceFindings(renderedStack(stack))
      .filter((f) => f.task.logicalId === taskId && f.problem === 'missing')
      .forEach((f) => problems.add('CdcWithoutLogicalReplication',
        `${propName('migrationType')} is ${this.task.migrationType}, and the source database ${f.database!.logicalId} has no parameter `
        + 'group that sets rds.logical_replication to 1, so the task fails when change data capture starts',
        'give the source database a parameter group with {"rds.logical_replication": "1"} while it is new (the parameter '
        + 'is static: an existing instance applies it after a reboot), or use DmsMigrationType.FULL_LOAD'));
    this.checkUsers(problems);
    checkSecretReader(problems, this.replicationInstance);
  }

  /**
   * The users DMS logs in as: a secret of this app holds a password nobody else knows, so a
   * `PostgresDatabaseUser` must create its user, with the access of its endpoint, unless the secret
   * is a database's master secret. DMS's own tables must go where that user may create.
   */
  private checkUsers(problems: Problems): void {
    for (const [prop, endpoint, access] of [['source', this.props.source, DmsAccess.SOURCE],
      ['target', this.props.target, DmsAccess.TARGET]] as const) {
      const user = this.userOf(endpoint);
      if (!user && isSecretCreatedInApp(endpoint.secret) && !isMasterSecretOfDatabaseInApp(endpoint.secret)) {
        problems.add('DmsUserNotCreated', `the ${prop} endpoint's secret (${endpoint.secret.node.path}) `
          + 'is created by this app for a user that nothing creates, so DMS and the first rotation fail to log in',
        `add PostgresDatabaseUser(..., user_secret=<that secret>, access=DmsAccess.${access}) for it`);
      }
      if (user && user.access !== access) {
        problems.add('DmsUserAccessMismatch', `the ${prop} endpoint logs in as ${user.node.path}, a user with `
          + `${user.access} access, and DMS needs ${access} access there`, `give that PostgresDatabaseUser access=DmsAccess.${access}`);
      }
    }
    const sourceUser = this.userOf(this.props.source);
    const cdc = this.sourceCdcSettings();
    if (sourceUser && cdc.heartbeatEnable && cdc.heartbeatSchema !== undefined && cdc.heartbeatSchema !== sourceUser.dmsSchemaName) {
      problems.add('HeartbeatSchemaNotWritable', 'the source endpoint\'s heartbeat_schema (heartbeatSchema) is '
        + `${show(cdc.heartbeatSchema)}, and its user ${sourceUser.node.path} may create only in ${show(sourceUser.dmsSchemaName)}`,
      'omit heartbeat_schema (the construct sets it to the user\'s dms_schema_name), or give the user that dms_schema_name');
    }
    const targetUser = this.userOf(this.props.target);
    const controlSchema = this.props.taskSettings?.ControlTablesSettings?.ControlSchema;
    if (targetUser && controlSchema !== undefined && controlSchema !== targetUser.dmsSchemaName) {
      problems.add('ControlSchemaNotWritable', `${propName('taskSettings')} sets ControlTablesSettings.ControlSchema `
        + `to ${show(controlSchema)}, and the target user ${targetUser.node.path} may create only in ${show(targetUser.dmsSchemaName)}`,
      'remove ControlSchema from task_settings (the construct sets it to the user\'s dms_schema_name), or give the user that dms_schema_name');
    }
  }
}

/** Whether a database is defined in this app (an instance or cluster it creates), not imported. */
function isDatabaseCreatedInApp(database: ec2.IConnectable): boolean {
  const resource = Construct.isConstruct(database) ? database.node.defaultChild : undefined;
  return resource instanceof rds.CfnDBInstance || resource instanceof rds.CfnDBCluster;
}

/** A database's PostgreSQL major, where its construct knows the engine version ("17"); undefined otherwise. */
function postgresMajorOf(database: ec2.IConnectable): number | undefined {
  const engine = (database as { engine?: rds.IEngine }).engine;
  const major = engine?.engineVersion?.majorVersion;
  return engine?.engineFamily === 'POSTGRESQL' && major !== undefined && /^\d+$/.test(major) ? Number(major) : undefined;
}
