/**
 * Where the alarms of a {@link PostgresReplication} fire. Every value is a number, 0 or more; sizes are
 * in MB as PostgreSQL and the RDS console count them (1 MB = 1,048,576 bytes: CloudWatch publishes
 * these metrics in bytes, and the alarm compares bytes). AWS publishes no threshold for any of them:
 * each default is the library's choice, explained in README ("The alarms and the notifications").
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
 */
export interface ReplicationAlarmThresholds {
  /**
   * The CDC latency at the source and at the target (`CDCLatencySource`, `CDCLatencyTarget`, their
   * largest value in 5 minutes, for 15 minutes), in seconds.
   *
   * @default 600
   */
  readonly cdcLatencySeconds?: number;

  /**
   * The WAL the source's slot holds (RDS: `OldestReplicationSlotLag`; Aurora: the writer's
   * `ReplicationSlotDiskUsage`), in MB.
   *
   * @default - half the WAL bound (`max_slot_wal_keep_size`), so that it fires while the slot can
   * still be saved; without a bound, a tenth of the source's allocated storage; 10240 where neither is
   * known
   */
  readonly sourceSlotLagMb?: number;

  /**
   * The source's transaction logs on disk (`TransactionLogsDiskUsage`; Aurora: the writer's), in MB.
   *
   * @default - a fifth of the source's allocated storage (twice the default bound: WAL held past the
   * bound, or for another reason); 20480 where the storage is not known
   */
  readonly sourceTransactionLogsMb?: number;

  /**
   * The source's free storage, below which the alarm fires (RDS: `FreeStorageSpace`; Aurora: the
   * writer's `FreeLocalStorage`), in MB.
   *
   * @default - a tenth of the source's allocated storage (where RDS storage autoscaling starts); 10240
   * where it is not known; 2048 for Aurora's local storage
   */
  readonly sourceFreeStorageMb?: number;

  /**
   * The replication instance's free storage (`FreeStorageSpace`), below which the alarm fires, in MB.
   *
   * @default - a tenth of its allocated storage (DMS's own LowStorage event fires at 90 % used)
   */
  readonly instanceFreeStorageMb?: number;

  /**
   * The replication instance's freeable memory (`FreeableMemory`), below which the alarm fires, in MB.
   *
   * @default 256
   */
  readonly instanceFreeableMemoryMb?: number;
}
