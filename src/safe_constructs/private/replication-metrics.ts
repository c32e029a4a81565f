// The CloudWatch metrics PostgresReplication alarms on, as DMS and RDS document them: namespace, name,
// dimension names, unit. Facts only; replication-watch.ts reads them. Private.

/** The DMS guide's metrics page (task and instance metrics, their units and dimension names). */
export const DMS_MONITORING = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html';
/** The RDS guide's metric reference (instance metrics, their units; "Applies to PostgreSQL"). */
export const RDS_METRICS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html';
/** The Aurora guide's metric reference (instance-level metrics of Aurora PostgreSQL). */
export const AURORA_METRICS = 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html';

/** One metric: where CloudWatch keeps it, the dimensions it is published under, and what it counts. */
export interface MetricFact {
  readonly namespace: string;
  readonly metricName: string;
  /** The dimension names, all of them: CloudWatch matches the exact set. */
  readonly dimensions: readonly string[];
  readonly unit: 'Seconds' | 'Bytes';
  readonly source: string;
}

/**
 * Task metrics: "AWS DMS raises this metric against the combined dimensions of
 * ReplicationInstanceIdentifier and ReplicationTaskIdentifier" (DMS guide); aws-cdk-lib's generated
 * `DMSMetrics` gives the same pair. Values: the instance's identifier, and the resource id at the end
 * of the task's ARN (see dms-identifiers.ts: no AWS document states them).
 */
const TASK_DIMENSIONS = ['ReplicationInstanceIdentifier', 'ReplicationTaskIdentifier'] as const;

/** Instance metrics: `ReplicationInstanceExternalResourceId` (aws-cdk-lib's generated `DMSMetrics`), the instance ARN's resource id. */
const INSTANCE_DIMENSIONS = ['ReplicationInstanceExternalResourceId'] as const;

/** RDS and Aurora instance metrics: "DBInstanceIdentifier: A specific DB instance" (dimensions.md of each guide). */
const DB_INSTANCE_DIMENSIONS = ['DBInstanceIdentifier'] as const;

export const METRICS = {
  /** "The gap, in seconds, between the last event captured from the source endpoint and current system time stamp of the AWS DMS instance." */
  cdcLatencySource: { namespace: 'AWS/DMS', metricName: 'CDCLatencySource', dimensions: TASK_DIMENSIONS, unit: 'Seconds', source: DMS_MONITORING },
  /** "The gap, in seconds, between the first event timestamp waiting to commit on the target and the current timestamp of the AWS DMS instance." */
  cdcLatencyTarget: { namespace: 'AWS/DMS', metricName: 'CDCLatencyTarget', dimensions: TASK_DIMENSIONS, unit: 'Seconds', source: DMS_MONITORING },
  /** "The amount of available storage space." (bytes) */
  instanceFreeStorage: { namespace: 'AWS/DMS', metricName: 'FreeStorageSpace', dimensions: INSTANCE_DIMENSIONS, unit: 'Bytes', source: DMS_MONITORING },
  /** "The amount of available random access memory." (bytes); the guide: watch it "approaching zero". */
  instanceFreeableMemory: { namespace: 'AWS/DMS', metricName: 'FreeableMemory', dimensions: INSTANCE_DIMENSIONS, unit: 'Bytes', source: DMS_MONITORING },
  /** "The lagging size of the replica lagging the most in terms of write-ahead log (WAL) data received. Applies to PostgreSQL." */
  rdsSlotLag: { namespace: 'AWS/RDS', metricName: 'OldestReplicationSlotLag', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: RDS_METRICS },
  /** "The disk space used by transaction logs. Applies to PostgreSQL." */
  rdsTransactionLogs: { namespace: 'AWS/RDS', metricName: 'TransactionLogsDiskUsage', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: RDS_METRICS },
  /** "The amount of available storage space." */
  rdsFreeStorage: { namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: RDS_METRICS },
  /** "The amount of disk space consumed by replication slot files." (Aurora PostgreSQL) */
  auroraSlotDisk: { namespace: 'AWS/RDS', metricName: 'ReplicationSlotDiskUsage', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: AURORA_METRICS },
  /**
   * "The amount of disk space consumed by transaction logs on the Aurora PostgreSQL DB instance. This
   * metric is generated only when Aurora PostgreSQL is using logical replication or AWS Database
   * Migration Service." (the writer; -1 when transaction logs are not in use)
   */
  auroraTransactionLogs: { namespace: 'AWS/RDS', metricName: 'TransactionLogsDiskUsage', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: AURORA_METRICS },
  /** "for Aurora DB instances this metric reports the amount of storage available to each DB instance" */
  auroraFreeLocalStorage: { namespace: 'AWS/RDS', metricName: 'FreeLocalStorage', dimensions: DB_INSTANCE_DIMENSIONS, unit: 'Bytes', source: AURORA_METRICS },
} as const satisfies Record<string, MetricFact>;

/** Bytes in one MB, as PostgreSQL (`max_slot_wal_keep_size`) and the RDS console count them. */
export const BYTES_PER_MB = 1024 * 1024;
