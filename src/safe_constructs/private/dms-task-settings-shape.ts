// The shape of a DMS task's settings (ReplicationTaskSettings) as DMS's guide documents it: the one
// table of its keys, their types and documented values, read by dms-task-settings.ts. AWS publishes no
// schema for these settings (CloudFormation types them as a plain string), so this table is built from
// the guide's pages, each section naming its page. Private.

/** The guide's page on task settings, with the example every section's page refers to. */
export const TASK_SETTINGS_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.html';

/** The page of one section: `CHAP_Tasks.CustomizingTasks.TaskSettings.<name>.html`. */
function page(name: string): string {
  return `https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.${name}.html`;
}

/** A JSON value's kind, as the guide states it (an integer is a whole number). */
export type SettingKind = 'boolean' | 'integer' | 'string' | 'object' | 'array';

/** One documented setting. */
export interface SettingShape {
  readonly kind: SettingKind;
  /** Whether DMS's saved settings show it as null (an object DMS leaves unset). */
  readonly nullable?: boolean;
  /** The values the guide names for a string; another value is undocumented, not certainly wrong (the lists grow). */
  readonly values?: readonly string[];
  /** An object's documented keys. */
  readonly keys?: Readonly<Record<string, SettingShape>>;
  /** An array's items. */
  readonly items?: SettingShape;
  /** Why DMS refuses the key when a task is created, quoted from the guide. */
  readonly refusedOnCreate?: string;
}

/** One top-level section: its keys and the page that documents it. */
export interface SectionShape extends SettingShape {
  readonly source: string;
}

const BOOLEAN: SettingShape = { kind: 'boolean' };
const INTEGER: SettingShape = { kind: 'integer' };
const STRING: SettingShape = { kind: 'string' };
const oneOf = (...values: string[]): SettingShape => ({ kind: 'string', values });
const object = (keys: Record<string, SettingShape>, nullable = false): SettingShape => ({ kind: 'object', keys, nullable });
const section = (source: string, keys: Record<string, SettingShape>, nullable = false): SectionShape => ({ kind: 'object', keys, nullable, source });

/** The error policies DMS documents (ErrorHandling page); each key lists those it takes. */
const RECORD_POLICIES = ['IGNORE_RECORD', 'LOG_ERROR', 'SUSPEND_TABLE', 'STOP_TASK'];

/** "Task Settings CloudWatchLogGroup or CloudWatchLogStream cannot be set on create." (Saving task settings) */
const SET_BY_DMS = 'DMS sets it, and refuses a task created with it: "Task Settings CloudWatchLogGroup or CloudWatchLogStream cannot be '
  + `set on create" (${page('Saving')})`;

/**
 * Log components and severities, as DMS's saved settings list them (Logging and Saving pages);
 * PERFORMANCE and REST_SERVER appear in settings a user saved from DMS (gist RyanSept/1969b269, third
 * party), so they are taken too: a value missing here is only a warning.
 */
const LOG_COMPONENTS = ['FILE_FACTORY', 'METADATA_MANAGER', 'SORTER', 'SOURCE_CAPTURE', 'SOURCE_UNLOAD', 'TABLES_MANAGER', 'TARGET_APPLY',
  'TARGET_LOAD', 'TASK_MANAGER', 'TRANSFORMATION', 'VALIDATOR', 'VALIDATOR_EXT', 'COMMON', 'ADDONS', 'DATA_STRUCTURE', 'COMMUNICATION',
  'FILE_TRANSFER', 'IO', 'PERFORMANCE', 'REST_SERVER'];
const LOG_SEVERITIES = ['LOGGER_SEVERITY_ERROR', 'LOGGER_SEVERITY_WARNING', 'LOGGER_SEVERITY_INFO', 'LOGGER_SEVERITY_DEFAULT',
  'LOGGER_SEVERITY_DEBUG', 'LOGGER_SEVERITY_DETAILED_DEBUG'];

/**
 * Every top-level section of the task settings, with the keys the guide documents. The guide's pages
 * may lag behind DMS: a nested key missing here is reported as undocumented (a warning), not refused.
 */
export const TASK_SETTINGS_SHAPE: Readonly<Record<string, SectionShape>> = {
  TargetMetadata: section(page('TargetMetadata'), {
    TargetSchema: STRING,
    SupportLobs: BOOLEAN,
    FullLobMode: BOOLEAN,
    LobChunkSize: INTEGER,
    LimitedSizeLobMode: BOOLEAN,
    LobMaxSize: INTEGER,
    InlineLobMaxSize: INTEGER,
    LoadMaxFileSize: INTEGER,
    ParallelLoadThreads: INTEGER,
    ParallelLoadBufferSize: INTEGER,
    ParallelLoadQueuesPerThread: INTEGER,
    ParallelApplyThreads: INTEGER,
    ParallelApplyBufferSize: INTEGER,
    ParallelApplyQueuesPerThread: INTEGER,
    BatchApplyEnabled: BOOLEAN,
    TaskRecoveryTableEnabled: BOOLEAN,
  }),
  FullLoadSettings: section(page('FullLoad'), {
    TargetTablePrepMode: oneOf('DO_NOTHING', 'DROP_AND_CREATE', 'TRUNCATE_BEFORE_LOAD'),
    CreatePkAfterFullLoad: BOOLEAN,
    StopTaskCachedChangesApplied: BOOLEAN,
    StopTaskCachedChangesNotApplied: BOOLEAN,
    MaxFullLoadSubTasks: INTEGER,
    TransactionConsistencyTimeout: INTEGER,
    CommitRate: INTEGER,
  }),
  TTSettings: section(page('TimeTravel'), {
    EnableTT: BOOLEAN,
    TTS3Settings: object({
      EncryptionMode: oneOf('SSE_S3', 'SSE_KMS'),
      ServerSideEncryptionKmsKeyId: STRING,
      ServiceAccessRoleArn: STRING,
      BucketName: STRING,
      BucketFolder: STRING,
      EnableDeletingFromS3OnTaskDelete: BOOLEAN,
    }),
    TTRecordSettings: object({ EnableRawData: BOOLEAN, RawDataFormat: STRING, OperationsToLog: STRING, MaxRecordSize: INTEGER }),
  }, true),
  Logging: section(page('Logging'), {
    EnableLogging: BOOLEAN,
    EnableLogContext: BOOLEAN,
    DeleteTaskLogs: BOOLEAN,
    LogComponents: { kind: 'array', items: object({ Id: oneOf(...LOG_COMPONENTS), Severity: oneOf(...LOG_SEVERITIES) }) },
    CloudWatchLogGroup: { kind: 'string', nullable: true, refusedOnCreate: SET_BY_DMS },
    CloudWatchLogStream: { kind: 'string', nullable: true, refusedOnCreate: SET_BY_DMS },
  }),
  ControlTablesSettings: section(page('ControlTable'), {
    // DMS's saved settings spell it historyTimeslotInMinutes; the page, HistoryTimeslotInMinutes.
    ControlSchema: STRING,
    HistoryTimeslotInMinutes: INTEGER,
    historyTimeslotInMinutes: INTEGER,
    HistoryTableEnabled: BOOLEAN,
    SuspendedTablesTableEnabled: BOOLEAN,
    StatusTableEnabled: BOOLEAN,
    FullLoadExceptionTableEnabled: BOOLEAN,
  }),
  StreamBufferSettings: section(page('StreamBuffer'), {
    StreamBufferCount: INTEGER, StreamBufferSizeInMB: INTEGER, CtrlStreamBufferSizeInMB: INTEGER,
  }),
  ChangeProcessingTuning: section(page('ChangeProcessingTuning'), {
    BatchApplyPreserveTransaction: BOOLEAN,
    BatchApplyTimeoutMin: INTEGER,
    BatchApplyTimeoutMax: INTEGER,
    BatchApplyMemoryLimit: INTEGER,
    BatchSplitSize: INTEGER,
    MinTransactionSize: INTEGER,
    CommitTimeout: INTEGER,
    MemoryLimitTotal: INTEGER,
    MemoryKeepTime: INTEGER,
    StatementCacheSize: INTEGER,
  }),
  ValidationSettings: section(page('DataValidation'), {
    EnableValidation: BOOLEAN,
    ValidationMode: oneOf('ROW_LEVEL', 'GROUP_LEVEL'),
    ThreadCount: INTEGER,
    PartitionSize: INTEGER,
    FailureMaxCount: INTEGER,
    TableFailureMaxCount: INTEGER,
    RecordFailureDelayInMinutes: INTEGER,
    RecordSuspendDelayInMinutes: INTEGER,
    RecordFailureDelayLimitInMinutes: INTEGER,
    MaxKeyColumnSize: INTEGER,
    ValidationOnly: BOOLEAN,
    HandleCollationDiff: BOOLEAN,
    SkipLobColumns: BOOLEAN,
    ValidationPartialLobSize: INTEGER,
    ValidationQueryCdcDelaySeconds: INTEGER,
  }),
  ResyncSettings: section(page('DataResyncSettings'), {
    EnableResync: BOOLEAN, ResyncSchedule: STRING, MaxResyncTime: INTEGER, ValidationTaskId: STRING,
  }),
  ChangeProcessingDdlHandlingPolicy: section(page('DDLHandling'), {
    HandleSourceTableDropped: BOOLEAN, HandleSourceTableTruncated: BOOLEAN, HandleSourceTableAltered: BOOLEAN,
  }),
  ErrorBehavior: section(page('ErrorHandling'), {
    DataErrorPolicy: oneOf(...RECORD_POLICIES),
    DataTruncationErrorPolicy: oneOf(...RECORD_POLICIES),
    DataErrorEscalationPolicy: oneOf('SUSPEND_TABLE', 'STOP_TASK'),
    DataErrorEscalationCount: INTEGER,
    EventErrorPolicy: oneOf('IGNORE', 'STOP_TASK'),
    TableErrorPolicy: oneOf('SUSPEND_TABLE', 'STOP_TASK'),
    TableErrorEscalationPolicy: oneOf('STOP_TASK'),
    TableErrorEscalationCount: INTEGER,
    RecoverableErrorCount: INTEGER,
    RecoverableErrorInterval: INTEGER,
    RecoverableErrorThrottling: BOOLEAN,
    RecoverableErrorThrottlingMax: INTEGER,
    RecoverableErrorStopRetryAfterThrottlingMax: BOOLEAN,
    ApplyErrorDeletePolicy: oneOf(...RECORD_POLICIES),
    ApplyErrorInsertPolicy: oneOf(...RECORD_POLICIES, 'INSERT_RECORD'),
    ApplyErrorUpdatePolicy: oneOf(...RECORD_POLICIES, 'UPDATE_RECORD'),
    ApplyErrorEscalationPolicy: oneOf('LOG_ERROR', 'SUSPEND_TABLE', 'STOP_TASK'),
    ApplyErrorEscalationCount: INTEGER,
    ApplyErrorFailOnTruncationDdl: BOOLEAN,
    FailOnNoTablesCaptured: BOOLEAN,
    FailOnTransactionConsistencyBreached: BOOLEAN,
    FullLoadIgnoreConflicts: BOOLEAN,
  }),
  CharacterSetSettings: section(page('CharacterSubstitution'), {
    CharacterReplacements: { kind: 'array', items: object({ SourceCharacterCodePoint: INTEGER, TargetCharacterCodePoint: INTEGER }) },
    CharacterSetSupport: object({ CharacterSet: STRING, ReplaceWithCharacterCodePoint: INTEGER }),
  }, true),
  BeforeImageSettings: section(page('BeforeImage'), {
    EnableBeforeImage: BOOLEAN, FieldName: STRING, ColumnFilter: STRING,
  }, true),
  LoopbackPreventionSettings: section(page('Saving'), {
    EnableLoopbackPrevention: BOOLEAN, SourceSchema: STRING, TargetSchema: STRING,
  }, true),
  // Seen only as null in DMS's saved settings; its keys are not documented.
  PostProcessingRules: { kind: 'object', nullable: true, source: page('Saving') },
  FailTaskWhenCleanTaskResourceFailed: { kind: 'boolean', source: page('Saving') },
};
