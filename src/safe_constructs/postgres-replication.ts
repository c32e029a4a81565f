import {
  Aspects, CustomResource, Duration, Lazy, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Token,
  aws_cloudwatch as cloudwatch,
  aws_dms as dms,
  aws_ec2 as ec2,
  aws_events as events,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_rds as rds,
  aws_s3 as s3,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DmsAccountRoles } from './dms-account-roles';
import { DmsConnectionGate } from './dms-connection-gate';
import { DmsEndpointType } from './dms-endpoint-props';
import { DmsAccountRolesMode, DmsLobMode, DmsMigrationType, DmsTargetTablePrep } from './dms-replication-props';
import { DmsAccess, PostgresDatabaseUser } from './postgres-database-user';
import { renderedStack } from './private/cfn';
import { admitToDefaultPort, portFor } from './private/connections';
import { premigrationAssessment } from './private/dms-assessment';
import { DEFAULT_DMS_ENGINE_VERSION, DMS_VERSION_FOR_POSTGRES, NEWEST_POSTGRES_MAJOR_NAMED, compareVersions, dmsVersionsForPostgresInWords } from './private/dms-engine-versions';
import { arnResourceId, dmsIdentifier } from './private/dms-identifiers';
import { RESTART_LABEL, publishFailedResumes, rotationRestart, taskIdentifier, taskLife } from './private/dms-task-life';
import { checkTaskSettings, mergeSettings } from './private/dms-task-settings';
import { checkSourceUserRoles } from './private/dms-users';
import { checkSameEnvironment, replicationEnvironmentProps } from './private/environments';
import { Problems, WarningId, checkAtSynth, propName, range, show, warn } from './private/errors';
import { DMS_LOB_MAX_SIZE_KB, DMS_STORAGE_GB, DMS_TASK_WAIT } from './private/limits';
import { cdcSourceFindings, missingLogicalReplication, missingLogicalReplicationFix } from './private/logical-replication';
import { checkSecretReader } from './private/network-paths';
import { POSTGRES_NAME_MAX } from './private/postgres-names';
import { BYTES_PER_MB, METRICS, MetricFact } from './private/replication-metrics';
import {
  MAX_SLOT_WAL_KEEP_SIZE, ReplicationSource, SLOT_WAL_BOUND_SINCE_MAJOR, majorOfFamily, parameterGroupOf, parameterValue,
  replicationSourceOf, setParameter,
} from './private/replication-source';
import { checkUsersHoldTask } from './private/replication-users';
import { AlarmSpec, AlarmThresholds, Watch, WatchedAlarm, addAlarm, alarmTopicOf, defaultThresholds, stateChangeRule } from './private/replication-watch';
import { isMasterSecretOfDatabaseInApp, isSameSecret, isSecretCreatedInApp } from './private/secrets';
import { checkOneSecretsManagerEndpoint, reachSecretsManager, validateSecretsManagerPath } from './private/vpc-endpoints';
import { ReplicationAlarmThresholds } from './replication-alarm-thresholds';
import { RotatingSecret } from './rotating-secret';
import { SecureDmsPostgresEndpoint } from './secure-dms-postgres-endpoint';


/** The access the user of each type of endpoint needs: the one relation between the two enums. */
const ACCESS_FOR: Record<DmsEndpointType, DmsAccess> = {
  [DmsEndpointType.SOURCE]: DmsAccess.SOURCE,
  [DmsEndpointType.TARGET]: DmsAccess.TARGET,
};

const DEFAULT_TASK_TIMEOUT = Duration.minutes(30);
const DEFAULT_ASSESSMENT_TIMEOUT = Duration.minutes(30);

/** An individual assessment's name, as DMS lists them (`postgres-check-wallevel`). */
const ASSESSMENT_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

/** A schema DMS migrates: a PostgreSQL name, with % matching any characters (DMS table mappings). */
const SCHEMA_PATTERN = new RegExp(`^[A-Za-z_%][A-Za-z0-9_%$]{0,${POSTGRES_NAME_MAX - 1}}$`);

/**
 * Properties of a {@link PostgresReplication}.
 */
export interface PostgresReplicationProps {
  /**
   * The endpoint DMS reads from: a PostgreSQL endpoint. The checks and settings here are
   * PostgreSQL's (logical replication, the users' grants, the engine versions), so a
   * `SecureDmsMySqlEndpoint` is refused by its type (from Python, a `TypeError` naming
   * `SecureDmsPostgresEndpoint`); a MySQL-family replication is built from `aws_dms` with
   * `DmsConnectionGate`, which tests endpoints of any engine.
   */
  readonly source: SecureDmsPostgresEndpoint;

  /** The endpoint DMS writes to: a PostgreSQL endpoint (see `source`). */
  readonly target: SecureDmsPostgresEndpoint;

  /** The VPC the replication instance runs in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the replication instance runs (two Availability Zones at least).
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The source database, which the replication instance is let into on its default port: a PostgreSQL
   * database (an instance or cluster of another engine is refused).
   */
  readonly sourceDatabase: ec2.IConnectable;

  /**
   * The target database, which the replication instance is let into, and which the task waits for: a
   * PostgreSQL database (an instance or cluster of another engine is refused).
   */
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
   * @default - the Secrets Manager interface endpoint with private DNS this app defines in the VPC (in
   * any stack, another `PostgresReplication`'s included), or a new one as `createSecretsManagerEndpoint` says
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * Whether to create a Secrets Manager interface endpoint (with private DNS) where this app defines
   * none in the VPC. An imported VPC may have one already, which the app cannot see, and a second
   * fails to deploy: for it the default is not to create one (a warning says what to check, and the
   * replication instance may send TCP 443 to the VPC's CIDR when it is known). Not with
   * `secretsManagerEndpoint`.
   *
   * @default - true for a VPC defined in this app, false for an imported one
   */
  readonly createSecretsManagerEndpoint?: boolean;

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
   * Why the source endpoint writes no heartbeat, for CDC. The construct turns DMS's heartbeat on for
   * CDC (`HeartbeatEnable` on the source endpoint): it "prevents idle logical replication slots from
   * holding onto old WAL logs, which can result in storage full situations on the source" (DMS API,
   * PostgreSQLSettings). Giving a reason turns it off and leaves the warning `heartbeatOff` with it; a
   * source endpoint with `heartbeat_enable=False` and no reason is refused.
   *
   * @default - the heartbeat is on for CDC (every 5 minutes, DMS's default `heartbeatFrequency`)
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_PostgreSQLSettings.html
   */
  readonly heartbeatOffReason?: string;

  /**
   * The most WAL the source's replication slot may hold: `max_slot_wal_keep_size`, which the construct
   * sets on the parameter group of an RDS for PostgreSQL source of this app (PostgreSQL 13 and later, in
   * whole MB; a dynamic parameter, applied without a reboot). Past it PostgreSQL removes the WAL the
   * slot needs, the slot is lost (`wal_status` `lost`) and the DMS task fails and must reload: the
   * source keeps its disk. It must be smaller than the source's allocated storage.
   *
   * @default - a tenth of the source's allocated storage (10 GiB of 100)
   * @see https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-MAX-SLOT-WAL-KEEP-SIZE
   */
  readonly maxSlotWalKeepSize?: Size;

  /**
   * Whether the construct bounds the WAL the source's slot may hold (`maxSlotWalKeepSize`). `false`
   * leaves the warning `slotWalUnbounded`: a stopped or failing task can then fill the source's disk.
   *
   * @default true
   */
  readonly boundSlotWal?: boolean;

  /**
   * Whether the replication is watched: alarms on the task's CDC latency, on the source's slot,
   * transaction logs and free storage, and on the replication instance's free storage and memory, and
   * an EventBridge rule for every state change of the task and its instance, all to `alarmTopic`,
   * where the rotation's function (`restartAfterRotation`) also publishes a task it could not resume.
   * `false` leaves the warning `replicationUnwatched`.
   *
   * @default true
   */
  readonly watch?: boolean;

  /**
   * The SNS topic the alarms and the task's state changes go to, in this stack's region. The
   * construct lets CloudWatch alarms (`cloudwatch.amazonaws.com`) and EventBridge
   * (`events.amazonaws.com`) publish to a topic of this app, and use its key if it has one; for an
   * imported topic that is yours to do (the warning `alarmTopicUnchecked`).
   *
   * @default - a new topic, encrypted with a customer managed key of its own
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Where the alarms fire.
   *
   * @default - the defaults of each `ReplicationAlarmThresholds` field
   */
  readonly alarmThresholds?: ReplicationAlarmThresholds;

  /**
   * Whether the deploy proves that DMS can connect: a `DmsConnectionGate` tests both endpoints from
   * the replication instance once everything they need exists (the users, their first rotation,
   * the security group rules, the Secrets Manager endpoint), and the task waits for it. Turn it
   * off only when a database cannot be reached during the deploy (a source behind a VPN set up
   * later, a database restored after it). The deploy's assessment and its start of the task reach
   * the databases too: give `assessment=False` and `start_task=False` (with `start_task_off_reason`)
   * with it, and test the endpoints yourself before you start the task; without them the synth warns
   * `startWithoutConnectionGate` (a database the deploy cannot reach then fails the assessment or
   * the start, not a connection test).
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
   * Whether the first deploy starts the task (`start-replication`, once the connection gate and the
   * assessment have passed) and waits until it runs, failing with DMS's reason. A later deploy never
   * starts a task that has run: it only resumes one it stopped. Turned off, the task waits for
   * `aws dms start-replication-task` (a warning says so); for a task with CDC, give
   * `start_task_off_reason` too.
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_StartReplicationTask.html
   */
  readonly startTask?: boolean;

  /**
   * Why the deploy does not start a task that captures changes: required with `start_task=False`
   * and a CDC migration type (an unstarted CDC task captures nothing, and nobody is told).
   *
   * @default - none
   */
  readonly startTaskOffReason?: string;

  /**
   * Whether a deploy that changes what the task is modified with (its settings, table mappings,
   * LOB mode, target preparation) stops the running task first and resumes it after
   * (`resume-processing`), since DMS modifies only a stopped task. Turned off, such a deploy fails
   * on a running task until you stop it yourself (a warning says so).
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_ModifyReplicationTask.html
   */
  readonly stopAndResumeForUpdates?: boolean;

  /**
   * Starts the migration again as a new task, whose full load copies every table again into target
   * tables that already hold the rows (choose `target_table_prep` accordingly): a new value (lower-case
   * letters, digits, hyphens; up to 30) creates a task named `<task_identifier>-<value>`, stops the old
   * task before the new one starts, and deletes the old one once the deploy succeeds. Without it a
   * deploy that would replace a task (a new replication instance or endpoint, another migration type)
   * is refused before anything is replaced.
   *
   * @default - the task is never replaced
   */
  readonly restartFullLoadAs?: string;

  /**
   * Whether the task stops and resumes after a rotation of an endpoint's secret, so that DMS logs in
   * with the new password ("you need to manually restart the task to refresh the credentials", DMS).
   * Only a running task is touched. Turned off, a warning says so.
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
   */
  readonly restartAfterRotation?: boolean;

  /**
   * Whether the deploy runs DMS's pre-migration assessment before the task first starts (every
   * individual assessment DMS offers for the task, less `skipped_assessments`), fails on a failed
   * one with its name and what DMS says, and shows warnings in a stack output. It runs again when
   * the task's settings, mappings or endpoints change. Turned off, a warning says so.
   *
   * @default true
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.AssessmentReport.html
   */
  readonly assessment?: boolean;

  /**
   * Individual assessments left out of the run, by name (`postgres-check-pglogical`), for one that
   * does not apply to this migration. A warning lists them.
   *
   * @default - none: every assessment DMS offers for the task runs
   */
  readonly skippedAssessments?: string[];

  /**
   * How long the deploy waits for the task to start, to stop before an update, or to resume (each;
   * 5 minutes to 1 hour, whole minutes).
   *
   * @default Duration.minutes(30)
   */
  readonly taskTimeout?: Duration;

  /**
   * How long the deploy waits for the pre-migration assessment (5 minutes to 1 hour, whole minutes).
   *
   * @default Duration.minutes(30)
   */
  readonly assessmentTimeout?: Duration;

  /**
   * Whether deleting the replication (removing it from the app, or deleting its stack) retires it
   * cleanly on the source: with CDC from a source whose user a `PostgresDatabaseUser` creates, that
   * user's function records the task's replication slot while the task runs (before `taskRun`
   * stops it, as it does before every deletion of the task), and drops it if DMS left it once the
   * task is deleted, so that no slot keeps WAL on the source. Turning it off leaves the warning
   * `retireOnDeleteOff`.
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
 * The deploy starts the task once (after the connection gate and DMS's pre-migration assessment),
 * stops a running task before it modifies it and resumes it after, refuses a deploy that would
 * replace a task (`restart_full_load_as` says otherwise), and after a rotation of an endpoint's
 * secret the running task stops and resumes to log in again. Each has its prop to turn it off.
 *
 * For CDC the source's disk is bounded: DMS's heartbeat is on (`heartbeatOffReason` turns it off), and
 * the WAL the replication slot may hold is bounded by `max_slot_wal_keep_size` on the parameter group
 * of an RDS source of the app (`maxSlotWalKeepSize`, default a tenth of its storage; `boundSlotWal`).
 * The replication is watched: alarms on CDC latency, the source's slot, transaction logs and free
 * storage, the instance's free storage and memory, and an EventBridge rule on every state change of the
 * task and its instance, all to one SNS topic (`alarmTopic`, or a new encrypted one); `watch` turns
 * them off. Each opt-out leaves a warning.
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

  /** Whether the source endpoint writes DMS's heartbeat (on for CDC unless `heartbeatOffReason` is given). */
  public readonly heartbeatEnabled: boolean;

  /** The bound the construct set on the source's `max_slot_wal_keep_size`; undefined when it set none. */
  public readonly slotWalBound?: Size;

  /** The topic the alarms and the state changes go to; undefined when `watch` is false. */
  public readonly alarmTopic?: sns.ITopic;

  /** Every alarm of the replication (empty when `watch` is false). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** `CDCLatencySource` of the task over `cdcLatencySeconds` (CDC). */
  public readonly cdcLatencySourceAlarm?: cloudwatch.Alarm;

  /** `CDCLatencyTarget` of the task over `cdcLatencySeconds` (CDC). */
  public readonly cdcLatencyTargetAlarm?: cloudwatch.Alarm;

  /** The WAL the source's slot holds over `sourceSlotLagMb` (CDC, a source whose DB instance is known). */
  public readonly sourceSlotLagAlarm?: cloudwatch.Alarm;

  /** The source's transaction logs over `sourceTransactionLogsMb` (CDC, a source whose DB instance is known). */
  public readonly sourceTransactionLogsAlarm?: cloudwatch.Alarm;

  /** The source's free storage under `sourceFreeStorageMb` (CDC, a source whose DB instance is known). */
  public readonly sourceFreeStorageAlarm?: cloudwatch.Alarm;

  /** The replication instance's free storage under `instanceFreeStorageMb`. */
  public readonly instanceFreeStorageAlarm?: cloudwatch.Alarm;

  /** The replication instance's freeable memory under `instanceFreeableMemoryMb`. */
  public readonly instanceFreeableMemoryAlarm?: cloudwatch.Alarm;

  /** The EventBridge rule that sends every state change of the task and its instance to `alarmTopic`. */
  public readonly stateChangeRule?: events.Rule;

  /** The account roles, when this construct creates them. */
  public readonly accountRoles?: DmsAccountRoles;

  /** The gate that fails the deploy unless DMS can connect to both endpoints (unless `connectionGate` is false). */
  public readonly connectionGate?: DmsConnectionGate;

  /**
   * The task's `ReplicationTaskIdentifier`: the stack's name, the construct's path and their hash in
   * lower case, derived as `instanceIdentifier` is and the same where it fits in 63 characters (with
   * `-<restart_full_load_as>`). DMS's metrics name the task
   * by its ARN's last part, not this.
   */
  public readonly taskIdentifier: string;

  /** The custom resource that refuses a replacement and stops the running task before the task is modified. */
  public readonly taskUpdateGuard: CustomResource;

  /** The custom resource that starts the task once, resumes it after an update, and stops it before it is deleted. */
  public readonly taskRun: CustomResource;

  /** The pre-migration assessment gate (unless `assessment` is false): its `Result` attribute is the verdict. */
  public readonly assessment?: CustomResource;

  /** Where DMS writes the assessment's results (unless `assessment` is false). */
  public readonly assessmentResults?: s3.IBucket;

  /**
   * The function that stops and resumes the task after a rotation (unless `restart_after_rotation` is
   * false). With `watch`, a task it cannot resume is published to `alarmTopic` (its `TOPIC_ARN`).
   */
  public readonly rotationRestart?: lambda.IFunction;

  /**
   * What holds the task life's functions, their roles and aws-cdk-lib's provider framework (its
   * functions and waiter state machine): the scope to acknowledge their cdk-nag findings on.
   */
  public readonly taskLifeProvider: IConstruct;

  /** The same for the assessment (unless `assessment` is false). */
  public readonly assessmentProvider?: IConstruct;

  /** What the task migrates. */
  public readonly migrationType: DmsMigrationType;

  /**
   * Whether the task validates the rows it migrates, as its settings say once `taskSettings` is
   * merged over the construct's.
   */
  public readonly validationEnabled: boolean;

  /**
   * The dimension values of DMS's task metrics for this task (`ReplicationInstanceIdentifier`: the
   * instance's identifier; `ReplicationTaskIdentifier`: the last part of the task's ARN,
   * dms-identifiers.ts): the one place the alarms and a cutover gate read them from.
   *
   * @internal
   */
  public readonly _taskMetricDimensions: { readonly ReplicationInstanceIdentifier: string; readonly ReplicationTaskIdentifier: string };

  private readonly props: PostgresReplicationProps;
  /** What validating decided for the source's WAL: the heartbeat, and the bound (MB) and the parameter group it is set on. */
  private readonly plan: { heartbeat: boolean; slotWal?: { readonly group: rds.CfnDBParameterGroup; readonly mb: number } } = { heartbeat: false };
  /** What the construct can know of the source database. */
  private readonly source: ReplicationSource;

  constructor(scope: Construct, id: string, props: PostgresReplicationProps) {
    super(scope, id);
    this.props = props;
    this.migrationType = props.migrationType;
    this.source = replicationSourceOf(props.sourceDatabase);
    const lobMode = props.lobMode ?? DmsLobMode.FULL;
    this.validate(props, lobMode);
    this.validationEnabled = mergeSettings(this.validationSettings(), props.taskSettings ?? {}).ValidationSettings?.EnableValidation === true;
    // The source's disk, bounded: DMS's heartbeat, and the WAL a slot may hold (planned while validating)
    this.heartbeatEnabled = this.plan.heartbeat;
    this.settleHeartbeat(props);
    if (this.plan.slotWal) {
      const { group, mb } = this.plan.slotWal;
      setParameter(group, MAX_SLOT_WAL_KEEP_SIZE, String(mb));
      this.slotWalBound = Size.mebibytes(mb);
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, allowAllOutbound: false, description: 'DMS replication instance: the two databases and Secrets Manager',
    });
    for (const [database, what] of [[props.sourceDatabase, 'source'], [props.targetDatabase, 'target']] as const) {
      const port = portFor(database, this.securityGroup);
      if (port) {
        admitToDefaultPort(database, this.securityGroup, `DMS reads and writes the ${what}`);
        this.securityGroup.connections.allowTo(database, port, `DMS to the ${what} database`);
      }
    }
    const endpoint = reachSecretsManager(this, this.securityGroup, {
      vpc: props.vpc,
      subnets: props.vpcSubnets,
      endpoint: props.secretsManagerEndpoint,
      create: props.createSecretsManagerEndpoint,
    });

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

    this.taskIdentifier = taskIdentifier(this) + (props.restartFullLoadAs ? `-${props.restartFullLoadAs}` : '');
    // A new value of restart_full_load_as is a new task (a new logical id): CloudFormation creates it and
    // deletes the old one, whatever changed; any other replacement is refused by the guard.
    this.task = new dms.CfnReplicationTask(this, props.restartFullLoadAs ? `Task-${props.restartFullLoadAs}` : 'Task', {
      replicationTaskIdentifier: this.taskIdentifier,
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
    this._taskMetricDimensions = { ReplicationInstanceIdentifier: this.instanceIdentifier, ReplicationTaskIdentifier: arnResourceId(this.task.ref) };
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
    const assessment = (props.assessment ?? true) ? premigrationAssessment(this, {
      task: this.task,
      identifier: this.taskIdentifier,
      endpoints: [props.source.endpoint, props.target.endpoint],
      timeout: props.assessmentTimeout ?? DEFAULT_ASSESSMENT_TIMEOUT,
      skipped: props.skippedAssessments ?? [],
    }) : undefined;
    this.assessment = assessment?.resource;
    this.assessmentResults = assessment?.bucket;
    this.assessmentProvider = assessment?.provider;
    const life = taskLife(this, {
      task: this.task,
      identifier: this.taskIdentifier,
      tagValue: taskIdentifier(this),
      startTask: props.startTask ?? true,
      stopForUpdates: props.stopAndResumeForUpdates ?? true,
      timeout: props.taskTimeout ?? DEFAULT_TASK_TIMEOUT,
      startAfter: assessment ? [assessment.resource] : [],
    });
    this.taskUpdateGuard = life.guard;
    this.taskRun = life.run;
    this.taskLifeProvider = life.provider;
    const restart = (props.restartAfterRotation ?? true)
      ? rotationRestart(this, { task: this.task, secrets: [props.source.secret, props.target.secret] }).handler : undefined;
    this.rotationRestart = restart;
    // The users may be defined after this construct: found once the app is built, before synth.
    Aspects.of(this).add({ visit: (node) => { if (node === this) this.settleDmsSchemas(); } });
    checkAtSynth(this, (problems) => this.validateAtSynth(problems));
    this.warn(props);

    // Watched: alarms and the state changes of the task and its instance, to one topic
    if (props.watch ?? true) {
      const watched = this.buildWatch(props);
      this.alarmTopic = watched.topic;
      this.stateChangeRule = watched.rule;
      this.cdcLatencySourceAlarm = watched.alarms.CdcLatencySource;
      this.cdcLatencyTargetAlarm = watched.alarms.CdcLatencyTarget;
      this.sourceSlotLagAlarm = watched.alarms.SourceSlotLag;
      this.sourceTransactionLogsAlarm = watched.alarms.SourceTransactionLogs;
      this.sourceFreeStorageAlarm = watched.alarms.SourceFreeStorage;
      this.instanceFreeStorageAlarm = watched.alarms.InstanceFreeStorage;
      this.instanceFreeableMemoryAlarm = watched.alarms.InstanceFreeableMemory;
      this.alarms.push(...Object.values(watched.alarms));
      // a task the rotation's function could not resume is published to the same topic
      if (restart) publishFailedResumes(restart, watched.topic);
    } else {
      warn(this, 'replicationUnwatched', 'watch is False: no alarm and no notification tells anyone that the task failed or '
        + 'stopped, that CDC lags, or that the source\'s slot holds WAL until its disk is full');
    }
  }

  /**
   * The user an endpoint logs in as, when a `PostgresDatabaseUser` of this app creates it (its
   * `userSecret` is the endpoint's secret): the user the task waits for, and in whose `dmsSchemaName`
   * DMS's own tables go. Undefined for a database's master secret or a user made outside the app.
   * It looks over the whole app: call it once the app is built.
   */
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
    if ((this.props.retireOnDelete ?? true) && this.props.migrationType !== DmsMigrationType.FULL_LOAD && !this.node.tryFindChild('SlotRecord')) {
      // Deleted in this order: the slot recorded while the task runs, the task stopped (taskRun, on its delete), the
      // task, the slot swept.
      const record = sourceUser._replicationSlots(this, 'SlotRecord', 'record');
      record.node.addDependency(this.taskRun);
      this.task.node.addDependency(sourceUser._replicationSlots(this, 'SlotSweep', 'sweep'));
    }
    const settings = this.sourceCdcSettings();
    if (this.heartbeatEnabled && settings.heartbeatSchema === undefined) {
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

  /**
   * The heartbeat and the WAL bound: their problems, reported with every other of the constructor, and
   * what they decide (`plan`), which the constructor carries out once nothing is wrong.
   */
  private planSourceWal(problems: Problems, props: PostgresReplicationProps): void {
    const cdc = props.migrationType !== DmsMigrationType.FULL_LOAD;
    const endpoint = props.source.node.path;
    const given = this.sourceCdcSettings().heartbeatEnable;
    const reason = props.heartbeatOffReason;
    if (reason !== undefined) {
      if (!cdc) {
        problems.prop('HeartbeatOffReasonUnused', 'heartbeatOffReason', `is used only with CDC, and ${propName('migrationType')} is `
          + `${props.migrationType}: a full load holds no replication slot`, 'remove heartbeat_off_reason');
      } else if (given === true) {
        problems.prop('HeartbeatOffReasonUnused', 'heartbeatOffReason', `is given, and the source endpoint (${endpoint}) turns the `
          + 'heartbeat on (heartbeat_enable=True)', 'remove heartbeat_off_reason to keep the heartbeat, or heartbeat_enable from the '
          + 'endpoint\'s cdc_settings to turn it off');
      } else if (!Token.isUnresolved(reason) && reason.trim() === '') {
        problems.prop('HeartbeatOffWithoutReason', 'heartbeatOffReason', `is empty, got: ${show(reason)}`,
          'say why the source needs no heartbeat (for example "written every minute by the application"), or remove it');
      }
    } else if (cdc && given === false) {
      problems.add('HeartbeatOffWithoutReason', `the source endpoint (${endpoint}) turns DMS's heartbeat off (heartbeat_enable=False) `
        + `for ${propName('migrationType')} ${props.migrationType}, and no ${propName('heartbeatOffReason')} says why: an idle source `
        + 'then keeps its WAL in the slot, and the slot holds it until the disk is full',
      'remove heartbeat_enable=False from the endpoint\'s cdc_settings (the construct turns the heartbeat on), or give '
        + 'heartbeat_off_reason="<why this source needs none>"');
    }
    this.plan.heartbeat = cdc && reason === undefined && given !== false;
    this.planSlotWalBound(problems, props);
  }

  /** Whether the construct can bound the source's slot, and the bound in MB it sets (`plan.slotWal`). */
  private planSlotWalBound(problems: Problems, props: PostgresReplicationProps): void {
    const size = props.maxSlotWalKeepSize;
    let givenMb: number | undefined;
    if (size !== undefined) {
      const mb = size.isUnresolved() ? NaN : size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
      if (!Number.isInteger(mb) || mb < 1) {
        problems.prop('SlotWalBoundOutOfRange', 'maxSlotWalKeepSize', 'must be a whole number of MB, 1 at least (PostgreSQL counts '
          + `max_slot_wal_keep_size in MB), got: ${size.isUnresolved() ? '(an unresolved token)' : `${mb} MB`}`,
        'give Size.mebibytes(n) or Size.gibibytes(n) with n a whole number, 1 at least');
      } else {
        givenMb = mb;
      }
    }
    const where = this.slotWalGroup(props);
    if ('why' in where) {
      if (size !== undefined) problems.prop('SlotWalBoundUnused', 'maxSlotWalKeepSize', `cannot be set: ${where.why}`, where.fix);
      if (where.warning) warn(this, where.warning[0], where.warning[1]);
      return;
    }
    const storageGib = this.source.allocatedStorageGib;
    const storageMb = storageGib === undefined ? undefined : storageGib * 1024;
    const defaultMb = storageMb === undefined ? undefined : Math.floor(storageMb / 10);
    if (givenMb !== undefined && storageMb !== undefined && givenMb >= storageMb) {
      problems.prop('SlotWalBoundOutOfRange', 'maxSlotWalKeepSize', `is ${givenMb} MB, and the source's allocated storage is ${storageGib} GiB `
        + `(${storageMb} MB): a slot may then hold WAL until the disk is full`,
      `give less than ${storageMb} MB, or omit it (the default, a tenth of the storage: ${defaultMb} MB)`);
      return;
    }
    const mb = givenMb ?? defaultMb;
    if (mb === undefined) {
      if (size === undefined) {
        problems.add('SlotWalBoundUndecided', 'the source database\'s allocated storage cannot be read at synth (a token), so no bound on '
          + 'the WAL its replication slot may hold can be derived from it', `give ${propName('maxSlotWalKeepSize')}, for example `
          + 'Size.gibibytes(10) for 100 GiB of storage (a tenth), or bound_slot_wal=False to leave the slot unbounded');
      }
      return;
    }
    this.plan.slotWal = { group: where.group, mb };
  }

  /** The parameter group the bound goes on, or why there is none (and the warning that says so). */
  private slotWalGroup(props: PostgresReplicationProps):
  { group: rds.CfnDBParameterGroup } | { why: string; fix: string; warning?: [WarningId, string] } {
    const remove = 'remove max_slot_wal_keep_size (maxSlotWalKeepSize)';
    if (props.migrationType === DmsMigrationType.FULL_LOAD) {
      return { why: `${propName('migrationType')} is FULL_LOAD, which holds no replication slot`, fix: remove };
    }
    if (props.boundSlotWal === false) {
      return {
        why: 'bound_slot_wal (boundSlotWal) is False',
        fix: `${remove}, or bound_slot_wal`,
        warning: ['slotWalUnbounded', 'bound_slot_wal (boundSlotWal) is False: the WAL the source\'s replication slot holds is not '
          + 'bounded, so a stopped, failed or lagging task can fill the source\'s disk; only the alarms tell'],
      };
    }
    if (this.source.engine === 'aurora') {
      return {
        why: 'the source is Aurora PostgreSQL, for which AWS documents no max_slot_wal_keep_size',
        fix: remove,
        warning: ['slotWalUnbounded', 'the source is Aurora PostgreSQL, for which AWS documents no max_slot_wal_keep_size: this library '
          + 'cannot bound the WAL its replication slot holds; the alarms on the writer\'s ReplicationSlotDiskUsage, '
          + 'TransactionLogsDiskUsage and FreeLocalStorage are the guard'],
      };
    }
    const outside = {
      why: 'the source database\'s parameter group is not defined in this app',
      fix: `${remove}, and set it on that parameter group`,
      warning: ['slotWalBoundUnchecked', 'the source database or its parameter group is not defined in this app, so the WAL its '
        + 'replication slot may hold cannot be bounded or checked here: set max_slot_wal_keep_size on that parameter group yourself '
        + '(PostgreSQL 13 and later, in MB; for example a tenth of its storage), and give alarm_thresholds that fit its storage '
        + '(https://www.postgresql.org/docs/current/runtime-config-replication.html)'] as [WarningId, string],
    };
    if (!this.source.instance) return outside;
    const { group, outside: elsewhere } = parameterGroupOf(this.source.instance);
    if (elsewhere) return outside;
    // none: the default group, which CdcWithoutLogicalReplication refuses at synth
    if (!group) return { why: 'the source database has no parameter group of its own', fix: `${remove}, or give it an rds.ParameterGroup` };
    const major = majorOfFamily(group) ?? postgresMajorOf(props.sourceDatabase);
    if (major !== undefined && major < SLOT_WAL_BOUND_SINCE_MAJOR) {
      return {
        why: `the source is PostgreSQL ${major}, and max_slot_wal_keep_size exists from PostgreSQL ${SLOT_WAL_BOUND_SINCE_MAJOR}`,
        fix: remove,
        warning: ['slotWalUnbounded', `the source is PostgreSQL ${major}, which has no max_slot_wal_keep_size (PostgreSQL `
          + `${SLOT_WAL_BOUND_SINCE_MAJOR} and later): the WAL its replication slot holds cannot be bounded; only the alarms tell`],
      };
    }
    return { group };
  }

  /** Turns the source endpoint's heartbeat on for CDC, or off with the reason given (a warning). */
  private settleHeartbeat(props: PostgresReplicationProps): void {
    const given = this.sourceCdcSettings().heartbeatEnable;
    if (this.heartbeatEnabled && given === undefined) {
      props.source.endpoint.addPropertyOverride('PostgreSqlSettings.HeartbeatEnable', true);
    }
    if (props.heartbeatOffReason !== undefined) {
      if (given === undefined) props.source.endpoint.addPropertyOverride('PostgreSqlSettings.HeartbeatEnable', false);
      warn(this, 'heartbeatOff', `heartbeat_off_reason (heartbeatOffReason) turns DMS's heartbeat off: ${show(props.heartbeatOffReason)}. `
        + 'A source whose replicated tables are idle then keeps WAL in the slot; the bound and the slot-lag alarm are the guard '
        + '(https://docs.aws.amazon.com/dms/latest/APIReference/API_PostgreSQLSettings.html)');
    }
  }

  /** The bound set on the source's group must still be the construct's at synth (nothing else set another). */
  private checkSlotWalSetting(problems: Problems): void {
    if (!this.plan.slotWal) return;
    const { group, mb } = this.plan.slotWal;
    const value = parameterValue(group, MAX_SLOT_WAL_KEEP_SIZE);
    if (String(value) === String(mb)) return;
    problems.add('SlotWalBoundConflict', `the source's parameter group ${group.node.path} sets max_slot_wal_keep_size to ${show(value)}, `
      + `and ${propName('maxSlotWalKeepSize')} is ${mb} MB${this.props.maxSlotWalKeepSize ? '' : ' (its default, a tenth of the source\'s storage)'}`,
    'set the bound in one place: remove max_slot_wal_keep_size from the parameter group, and give max_slot_wal_keep_size='
      + 'Size.mebibytes(n) to the replication if its default does not suit');
  }

  /** The watch's problems: thresholds that are no number or below zero, a topic of another region, settings unused. */
  private validateWatch(problems: Problems, props: PostgresReplicationProps): void {
    if (!(props.watch ?? true)) {
      for (const [prop, value] of [['alarmTopic', props.alarmTopic], ['alarmThresholds', props.alarmThresholds]] as const) {
        if (value !== undefined) {
          problems.prop('WatchSettingsUnused', prop, 'is used only when the replication is watched, and watch is False',
            `remove ${propName(prop).split(' ')[0]}, or the watch=False`);
        }
      }
      return;
    }
    for (const [name, value] of Object.entries(props.alarmThresholds ?? {})) {
      if (value === undefined || Token.isUnresolved(value)) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        problems.add('AlarmThresholdInvalid', `${propName(`alarmThresholds.${name}`)} must be a number, 0 or more, got: ${show(value)}`,
          `give a number of ${name.endsWith('Seconds') ? 'seconds' : 'MB'}, 0 or more, or omit it for the library's default`);
      }
    }
    const topic = props.alarmTopic;
    const here = Stack.of(this).region;
    if (topic && !Token.isUnresolved(topic.env.region) && !Token.isUnresolved(here) && topic.env.region !== here) {
      // "The targets you associate with a rule must be in the same Region as the rule" (AWS Knowledge Center,
      // sns-not-getting-eventbridge-notification); a CloudWatch alarm's SNS action is a topic of its region.
      problems.prop('AlarmTopicInOtherRegion', 'alarmTopic', `is in ${topic.env.region}, and the replication in ${here}: EventBridge `
        + 'delivers a rule\'s events only to targets of its own region, and the alarms notify a topic of theirs',
      `give a topic in ${here}, or omit alarm_topic (a new encrypted topic)`);
    }
  }

  /** The topic, the alarms and the state-change rule. */
  private buildWatch(props: PostgresReplicationProps): Watch {
    const scope = new Construct(this, 'Watch');
    const topic = alarmTopicOf(scope, props.alarmTopic, `DMS replication ${this.node.path}`);
    if (props.alarmTopic && !(props.alarmTopic.node.defaultChild instanceof sns.CfnTopic
      && (!props.alarmTopic.masterKey || props.alarmTopic.masterKey.node.defaultChild instanceof kms.CfnKey))) {
      warn(this, 'alarmTopicUnchecked', `alarm_topic (alarmTopic) ${props.alarmTopic.node.path} is imported, or encrypted with a key `
        + 'this app does not define, so its policies cannot be set here: let cloudwatch.amazonaws.com (on condition aws:SourceArn '
        + 'arn:aws:cloudwatch:<region>:<account>:alarm:*) and events.amazonaws.com sns:Publish to it, and both kms:Decrypt and '
        + 'kms:GenerateDataKey* on its key (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html); an imported topic '
        + 'given without its key leaves those two out of the rotation_restart function\'s role too');
    }
    const cdc = props.migrationType !== DmsMigrationType.FULL_LOAD;
    const t = defaultThresholds({
      sourceStorageMb: this.source.allocatedStorageGib === undefined ? undefined : this.source.allocatedStorageGib * 1024,
      slotWalBoundMb: this.plan.slotWal?.mb,
      aurora: this.source.engine === 'aurora',
      instanceStorageGb: props.allocatedStorage ?? 50,
      given: { ...props.alarmThresholds },
    });
    const specs: Array<AlarmSpec & { id: WatchedAlarm }> = [];
    if (cdc) {
      // DMS: task metrics under both dimensions; the task's is the resource id at the end of its ARN (dms-identifiers.ts)
      const task = this._taskMetricDimensions;
      for (const [id, metric, where] of [['CdcLatencySource', METRICS.cdcLatencySource, 'reads the source\'s changes'],
        ['CdcLatencyTarget', METRICS.cdcLatencyTarget, 'applies changes to the target']] as const) {
        specs.push({
          id,
          metric,
          statistic: 'Maximum',
          dimensions: task,
          threshold: t.cdcLatencySeconds,
          above: true,
          evaluationPeriods: 3,
          description: `${metric.metricName} of the DMS task has been over ${t.cdcLatencySeconds} s for 15 minutes: DMS ${where} late.`,
        });
      }
      this.sourceAlarms(specs, t);
    }
    const instance = { ReplicationInstanceExternalResourceId: arnResourceId(this.replicationInstance.ref) };
    specs.push({
      id: 'InstanceFreeStorage',
      metric: METRICS.instanceFreeStorage,
      statistic: 'Minimum',
      dimensions: instance,
      threshold: t.instanceFreeStorageMb * BYTES_PER_MB,
      above: false,
      evaluationPeriods: 1,
      description: `The DMS replication instance has less than ${t.instanceFreeStorageMb} MB of free storage (it holds swapped changes and `
        + 'task logs; DMS pauses reading when its disk is full).',
    }, {
      id: 'InstanceFreeableMemory',
      metric: METRICS.instanceFreeableMemory,
      statistic: 'Minimum',
      dimensions: instance,
      threshold: t.instanceFreeableMemoryMb * BYTES_PER_MB,
      above: false,
      evaluationPeriods: 3,
      description: `The DMS replication instance has had less than ${t.instanceFreeableMemoryMb} MB of freeable memory for 15 minutes.`,
    });
    const alarms: Partial<Record<WatchedAlarm, cloudwatch.Alarm>> = {};
    for (const spec of specs) alarms[spec.id] = addAlarm(scope, topic, spec);
    const rule = stateChangeRule(scope, 'StateChanges', topic, this.task.ref, this.replicationInstance.ref);
    return { topic, rule, alarms };
  }

  /** The source's slot, transaction logs and free storage: RDS's instance metrics, or those of Aurora's writer. */
  private sourceAlarms(specs: Array<AlarmSpec & { id: WatchedAlarm }>, t: AlarmThresholds): void {
    const instance = this.source.metricsInstance;
    if (instance === undefined) {
      warn(this, 'sourceUnwatched', 'the source database is given only as something with connections (or an imported cluster '
        + 'without instance identifiers), so no alarm watches its replication slot, transaction logs or free storage: give the '
        + 'rds.DatabaseInstance or rds.DatabaseCluster (an imported one with its instance identifiers) as source_database');
      return;
    }
    const aurora = this.source.engine === 'aurora';
    const dimensions = { DBInstanceIdentifier: instance };
    const bound = this.plan.slotWal ? `; at ${this.plan.slotWal.mb} MB (max_slot_wal_keep_size) PostgreSQL removes the WAL it `
      + 'needs, the slot is lost and the DMS task fails and must reload: resume or repair the task now' : '';
    // Maximum of what the slot and the logs hold, Minimum of what is left; each fires on one 5-minute period
    const alarms: Array<[WatchedAlarm, MetricFact, 'Maximum' | 'Minimum', number, string]> = [
      ['SourceSlotLag', aurora ? METRICS.auroraSlotDisk : METRICS.rdsSlotLag, 'Maximum', t.sourceSlotLagMb,
        `The source's replication slot holds more than ${t.sourceSlotLagMb} MB (${aurora ? 'ReplicationSlotDiskUsage of the writer'
          : 'OldestReplicationSlotLag'})${bound}.`],
      ['SourceTransactionLogs', aurora ? METRICS.auroraTransactionLogs : METRICS.rdsTransactionLogs, 'Maximum', t.sourceTransactionLogsMb,
        `The source's transaction logs take more than ${t.sourceTransactionLogsMb} MB of its disk.`],
      ['SourceFreeStorage', aurora ? METRICS.auroraFreeLocalStorage : METRICS.rdsFreeStorage, 'Minimum', t.sourceFreeStorageMb,
        `The source has less than ${t.sourceFreeStorageMb} MB of free ${aurora ? 'local ' : ''}storage.`],
    ];
    for (const [id, metric, statistic, mb, description] of alarms) {
      specs.push({ id, metric, statistic, dimensions, threshold: mb * BYTES_PER_MB, above: statistic === 'Maximum', evaluationPeriods: 1, description });
    }
  }

  private warn(props: PostgresReplicationProps): void {
    this.warnTaskLife(props);
    if (props.retireOnDelete === false) {
      warn(this, 'retireOnDeleteOff', `${propName('retireOnDelete')} is false: when the replication is deleted, a replication slot DMS leaves on the source `
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
    if (props.migrationType !== DmsMigrationType.FULL_LOAD && (!isDatabaseCreatedInApp(props.sourceDatabase)
      || Stack.of(props.sourceDatabase as unknown as IConstruct) !== Stack.of(this))) {
      warn(this, 'cdcSourceUndecided',
        `${propName('migrationType')} is ${props.migrationType} from a source database outside this app or stack, whose parameter group `
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

  /** Each behaviour of the task's life turned off leaves a warning that says what is then the operator's. */
  private warnTaskLife(props: PostgresReplicationProps): void {
    const reaches = [...(props.startTask ?? true) ? [['startTask', 'start']] : [], ...(props.assessment ?? true) ? [['assessment', 'assessment']] : []];
    if (props.connectionGate === false && reaches.length > 0) {
      warn(this, 'startWithoutConnectionGate', `${propName('connectionGate')} is False with ${reaches.map(([prop]) => propName(prop)).join(' and ')} `
        + `on: the deploy runs the ${reaches.map(([, step]) => step).join(' and the ')} without first proving that DMS connects to both `
        + `endpoints, so an unreachable database fails the deploy as the ${reaches.map(([, step]) => step).join(' or the ')}, with its `
        + 'message, instead of naming the connection. Keep connection_gate, or give assessment=False and start_task=False (with '
        + 'start_task_off_reason) and test the endpoints (aws dms test-connection) before you start the task');
    }
    if (props.startTask === false) {
      warn(this, 'taskNotStarted', `start_task (startTask) is false${props.startTaskOffReason ? ` (${props.startTaskOffReason})` : ''}: `
        + 'the deploy does not start the task. Start it once with aws dms start-replication-task --start-replication-task-type '
        + 'start-replication, and never again with that type, which loads every table again; a deploy still stops and resumes it '
        + 'around updates once it runs');
    }
    if (props.stopAndResumeForUpdates === false) {
      warn(this, 'taskNotStoppedForUpdates', 'stop_and_resume_for_updates (stopAndResumeForUpdates) is false: a deploy that changes '
        + 'the task\'s settings or table mappings fails while the task runs ("The task must be stopped before you can modify it", '
        + 'ModifyReplicationTask): stop it before such a deploy, and resume it after with resume-processing');
    }
    if (props.restartAfterRotation === false) {
      warn(this, 'rotationRestartOff', 'restart_after_rotation (restartAfterRotation) is false: after a rotation of an endpoint\'s '
        + 'secret DMS "might not fetch the rotated credentials" (security_iam_secretsmanager): stop the task and resume it '
        + '(resume-processing) after each rotation');
    }
    if (props.assessment === false) {
      warn(this, 'assessmentOff', 'assessment is false: DMS\'s pre-migration assessment does not run before the task starts, so '
        + 'what it finds (tables without a primary key for CDC, unsupported types, source settings) shows only once the task '
        + 'runs; run it yourself (aws dms start-replication-task-assessment-run) before starting the task');
    }
    if ((props.skippedAssessments ?? []).length > 0) {
      warn(this, 'assessmentsSkipped', `skipped_assessments (skippedAssessments) leaves out ${props.skippedAssessments!.join(', ')}: `
        + 'what they check is not checked before the task starts');
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
        problems.integerInRange('LobMaxSizeOutOfRange', 'lobMaxSizeKb', props.lobMaxSizeKb, DMS_LOB_MAX_SIZE_KB,
          `give a size in KB ${range(DMS_LOB_MAX_SIZE_KB)} (100 MB)`);
      }
    }
    checkTaskSettings(problems, this, this.taskSettings(lobMode));
    validateSecretsManagerPath(problems, { vpc: props.vpc, endpoint: props.secretsManagerEndpoint, create: props.createSecretsManagerEndpoint });
    // What lies in another account or Region cannot be read further here (its names do not resolve in this stack)
    if (!checkSameEnvironment(problems, this, replicationEnvironmentProps(props))) problems.throwIfAny();
    this.validateEndpoints(problems, props);
    this.validateDatabaseEngines(problems, props);
    this.validateInstance(problems, props);
    this.validateTaskLife(problems, props);
    this.planSourceWal(problems, props);
    this.validateWatch(problems, props);
    problems.throwIfAny();
  }

  /** The start, the waits, a restart's name and the assessments skipped. */
  private validateTaskLife(problems: Problems, props: PostgresReplicationProps): void {
    const start = props.startTask ?? true;
    if (!start && props.migrationType !== DmsMigrationType.FULL_LOAD && !props.startTaskOffReason?.trim()) {
      problems.prop('TaskStartOffWithoutReason', 'startTask', `is false for a ${props.migrationType} task, and no `
        + `${propName('startTaskOffReason')} says why: an unstarted task captures no change, and nobody is told`,
      'give start_task_off_reason (who starts the task, and when), or leave start_task on (the deploy starts it once)');
    }
    if (start && props.startTaskOffReason !== undefined) {
      problems.prop('TaskStartReasonUnused', 'startTaskOffReason', `is given, and ${propName('startTask')} is on`,
        'remove start_task_off_reason, or set start_task=False');
    }
    for (const [prop, value] of [['taskTimeout', props.taskTimeout], ['assessmentTimeout', props.assessmentTimeout]] as const) {
      if (value === undefined || value.isUnresolved()) continue;
      const fix = `give whole minutes from ${DMS_TASK_WAIT.min.toMinutes()} to ${DMS_TASK_WAIT.max.toMinutes()}: the deploy waits `
        + 'through aws-cdk-lib\'s Provider framework, whose total timeout is an hour at most';
      problems.durationInRange('TaskWaitOutOfRange', prop, value, DMS_TASK_WAIT, fix);
      if (value.toSeconds() % 60 !== 0) {
        problems.prop('TaskWaitOutOfRange', prop, `must be whole minutes, got: ${value.toHumanString()}`, fix);
      }
    }
    const label = props.restartFullLoadAs;
    if (label !== undefined && (Token.isUnresolved(label) || !RESTART_LABEL.test(label))) {
      problems.prop('RestartLabelInvalid', 'restartFullLoadAs', 'must be 1 to 30 lower-case letters, digits and single hyphens, '
        + `starting and ending with a letter or digit, got: ${show(label)}`,
      'give a new value such as "2": each new value loads every table again as a new task');
    }
    const skipped = props.skippedAssessments ?? [];
    const invalid = skipped.filter((name) => Token.isUnresolved(name) || !ASSESSMENT_NAME.test(name));
    if (invalid.length > 0) {
      problems.prop('SkippedAssessmentInvalid', 'skippedAssessments', `names no individual assessment: ${invalid.map(show).join(', ')}`,
        'give names as DMS lists them (aws dms describe-applicable-individual-assessments), such as "postgres-check-pglogical"');
    }
    if (skipped.length > 0 && props.assessment === false) {
      problems.prop('SkippedAssessmentInvalid', 'skippedAssessments', `is used only with the assessment on, and ${propName('assessment')} is false`,
        'remove skipped_assessments, or turn the assessment on');
    }
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

  /**
   * The databases are PostgreSQL where their construct names the engine: the security group rules
   * (their default port), the logical replication and the version checks are PostgreSQL's.
   */
  private validateDatabaseEngines(problems: Problems, props: PostgresReplicationProps): void {
    for (const [prop, database] of [['sourceDatabase', props.sourceDatabase], ['targetDatabase', props.targetDatabase]] as const) {
      const engine = engineTypeOf(database);
      if (engine !== undefined && !POSTGRES_ENGINE_TYPES.includes(engine)) {
        problems.prop('DatabaseNotPostgres', prop, `is a database of engine ${show(engine)}, and PostgresReplication replicates `
          + 'PostgreSQL into PostgreSQL', 'give the PostgreSQL database its endpoint connects to; for a MySQL-family migration use '
          + 'SecureDmsMySqlEndpoint with aws_dms.CfnReplicationInstance and CfnReplicationTask, gated by DmsConnectionGate');
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
      problems.integerInRange('AllocatedStorageOutOfRange', 'allocatedStorage', props.allocatedStorage, DMS_STORAGE_GB,
        `give whole GB ${range(DMS_STORAGE_GB)} (the regional quota); 50 is the default`);
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
      .forEach((f) => problems.add('CdcWithoutLogicalReplication', `${propName('migrationType')} is ${this.task.migrationType}, and `
        + `${missingLogicalReplication(f)}, so the task fails when change data capture starts`,
      `${missingLogicalReplicationFix(f)}; or use DmsMigrationType.FULL_LOAD`));
    this.checkUsers(problems);
    checkSourceUserRoles(problems, this.userOf(this.props.source), this.props.migrationType);
    checkSecretReader(problems, this.replicationInstance);
    checkOneSecretsManagerEndpoint(problems, this, this.props.vpc);
    this.checkSlotWalSetting(problems);
  }

  /**
   * The users DMS logs in as: a secret of this app holds a password nobody else knows, so a
   * `PostgresDatabaseUser` must create its user, with the access of its endpoint, unless the secret
   * is a database's master secret. DMS's own tables must go where that user may create.
   */
  private checkUsers(problems: Problems): void {
    for (const [prop, endpoint, type] of [['source', this.props.source, DmsEndpointType.SOURCE],
      ['target', this.props.target, DmsEndpointType.TARGET]] as const) {
      const access = ACCESS_FOR[type];
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
    checkUsersHoldTask(problems, this, { schemas: this.props.schemas, targetSchema: this.props.taskSettings?.TargetMetadata?.TargetSchema },
      (['source', 'target'] as const).map((prop) => ({
        prop,
        databaseName: this.props[prop].endpoint.databaseName,
        secret: this.props[prop].secret,
        user: this.userOf(this.props[prop]),
      })));
    const sourceUser = this.userOf(this.props.source);
    const cdc = this.sourceCdcSettings();
    if (sourceUser && this.heartbeatEnabled && cdc.heartbeatSchema !== undefined && cdc.heartbeatSchema !== sourceUser.dmsSchemaName) {
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

/** The RDS engine types of PostgreSQL (an instance's `postgres`, Aurora's `aurora-postgresql`). */
const POSTGRES_ENGINE_TYPES = ['postgres', 'aurora-postgresql'];

/** A database's RDS engine type, where its construct knows it ("mysql"); undefined otherwise (imported). */
function engineTypeOf(database: ec2.IConnectable): string | undefined {
  const type = (database as { engine?: rds.IEngine }).engine?.engineType;
  return type === undefined || Token.isUnresolved(type) ? undefined : type;
}

/** A database's PostgreSQL major, where its construct knows the engine version ("17"); undefined otherwise. */
function postgresMajorOf(database: ec2.IConnectable): number | undefined {
  const engine = (database as { engine?: rds.IEngine }).engine;
  const major = engine?.engineVersion?.majorVersion;
  return engine?.engineFamily === 'POSTGRESQL' && major !== undefined && /^\d+$/.test(major) ? Number(major) : undefined;
}
