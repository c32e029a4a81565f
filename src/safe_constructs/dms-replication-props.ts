// The settings of a DMS replication that no engine owns: what a task migrates, how it treats large
// objects and existing target tables, and whose account-wide roles it uses. Any replication construct takes them.

/** What the task migrates. */
export enum DmsMigrationType {
  /** The existing data, once. */
  FULL_LOAD = 'full-load',
  /** Ongoing changes only (needs logical replication on the source). */
  CDC = 'cdc',
  /** The existing data, then ongoing changes (needs logical replication on the source). */
  FULL_LOAD_AND_CDC = 'full-load-and-cdc',
}

/**
 * How DMS migrates large objects (PostgreSQL `text`, `jsonb`, `bytea` and the like).
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.TargetMetadata.html
 */
export enum DmsLobMode {
  /** Every value whole, however large: slower, loses nothing. */
  FULL = 'FULL',
  /** Values up to `lobMaxSizeKb`: faster, and longer values are truncated. */
  LIMITED = 'LIMITED',
}

/**
 * What DMS does to a target table that already exists when the full load starts.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.FullLoad.html
 */
export enum DmsTargetTablePrep {
  /** Leave the table and its rows; load into it. Loses nothing. */
  DO_NOTHING = 'DO_NOTHING',
  /** Delete the table's rows first, keeping its definition. */
  TRUNCATE_BEFORE_LOAD = 'TRUNCATE_BEFORE_LOAD',
  /** Drop the table and create it anew: its rows, indexes and grants are lost. */
  DROP_AND_CREATE = 'DROP_AND_CREATE',
}

/** Whether the construct creates DMS's account-wide roles or uses the ones the account has. */
export enum DmsAccountRolesMode {
  /**
   * Use `dms-vpc-role` and `dms-cloudwatch-logs-role` as the account has them (the console makes
   * them when DMS is first used there). Works in any account that already has them.
   */
  EXISTING = 'EXISTING',
  /**
   * Create them (`DmsAccountRoles`): once per account; fails where they exist.
   */
  CREATE = 'CREATE',
}
