// The encryption checks shared by EncryptionAspect (which reports and fixes constructs) and the
// SP-ENC1 rule of SafePatternsChecks (which reads templates): one table, two readers.
import type { EncryptionCoverage } from './encryption-aspect';

/** A resource's CloudFormation properties, as synthesized. */
export type Props = Record<string, any>;

/** How one property of one resource type is checked and fixed. */
export interface EncryptionRule extends EncryptionCoverage {
  /** Why the rule does not apply to this resource (its encryption is decided elsewhere), if so. */
  readonly notApplicable?: (p: Props) => string | undefined;
  /** Whether the resource is encrypted by its properties; undefined when a token hides it. */
  readonly isEncrypted: (p: Props) => boolean | undefined;
  /** Whether the properties turn off the encryption AWS applies by default. */
  readonly turnsDefaultOff?: (p: Props) => boolean;
  /**
   * The property overrides that encrypt it, with the key's ARN when one is given; undefined when
   * the aspect cannot know what to write.
   */
  readonly fix: (p: Props, keyArn?: string) => Record<string, unknown> | undefined;
  /** The fix in words, for messages. */
  readonly fixText: string;
}

/** true, false, or undefined when the value is a token (an intrinsic function). */
function flag(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  return undefined;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

const REPLACEMENT = 'replacement';
const NO_INTERRUPTION = 'no interruption';
const REPLACES_DATA = 'changing it replaces the resource, and a new resource starts empty';

/** Every property the encryption checks cover, in the order of the coverage table. */
export const ENCRYPTION_RULES: EncryptionRule[] = [
  {
    resourceType: 'AWS::S3::Bucket', property: 'BucketEncryption', encryptedByDefault: true,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => present(p.BucketEncryption),
    fix: (_p, keyArn) => ({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          ServerSideEncryptionByDefault: keyArn
            ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } : { SSEAlgorithm: 'AES256' },
          BucketKeyEnabled: keyArn ? true : undefined,
        }],
      },
    }),
    fixText: 'set BucketEncryption (L2: encryption=BucketEncryption.KMS, encryption_key=key)',
  },
  {
    resourceType: 'AWS::RDS::DBInstance', property: 'StorageEncrypted', encryptedByDefault: false,
    updateBehavior: REPLACEMENT, fixRefusedBecause: REPLACES_DATA,
    notApplicable: (p) => present(p.DBClusterIdentifier) ? 'its cluster decides its encryption'
      : present(p.SourceDBInstanceIdentifier) ? 'a read replica has its source\'s encryption'
        : present(p.DBSnapshotIdentifier) ? 'a restored instance has its snapshot\'s encryption' : undefined,
    isEncrypted: (p) => flag(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True); for an existing instance, restore an encrypted copy of a snapshot',
  },
  {
    resourceType: 'AWS::RDS::DBCluster', property: 'StorageEncrypted', encryptedByDefault: false,
    updateBehavior: REPLACEMENT, fixRefusedBecause: REPLACES_DATA,
    notApplicable: (p) => present(p.SnapshotIdentifier) || present(p.SourceDBClusterIdentifier)
      ? 'a restored or cloned cluster has its source\'s encryption' : undefined,
    isEncrypted: (p) => flag(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True); for an existing cluster, restore an encrypted copy of a snapshot',
  },
  ...['AWS::DocDB::DBCluster', 'AWS::Neptune::DBCluster'].map((resourceType): EncryptionRule => ({
    resourceType, property: 'StorageEncrypted', encryptedByDefault: false,
    updateBehavior: REPLACEMENT, fixRefusedBecause: REPLACES_DATA,
    notApplicable: (p) => present(p.SnapshotIdentifier) || present(p.SourceDBClusterIdentifier)
      ? 'a restored cluster has its source\'s encryption' : undefined,
    isEncrypted: (p) => flag(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True)',
  })),
  {
    resourceType: 'AWS::DynamoDB::Table', property: 'SSESpecification', encryptedByDefault: true,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => flag(p.SSESpecification?.SSEEnabled),
    fix: (_p, keyArn) => ({ SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } }),
    fixText: 'set SSESpecification: {SSEEnabled: true, SSEType: KMS} (L2: encryption=TableEncryption.CUSTOMER_MANAGED)',
  },
  {
    resourceType: 'AWS::EC2::Volume', property: 'Encrypted', encryptedByDefault: false,
    updateBehavior: 'update fails: EC2 cannot encrypt an existing volume',
    fixRefusedBecause: 'EC2 cannot encrypt an existing volume: it must be replaced by an encrypted copy of a snapshot',
    isEncrypted: (p) => flag(p.Encrypted),
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'set Encrypted: true (L2: encrypted=True)',
  },
  {
    resourceType: 'AWS::EC2::Instance', property: 'BlockDeviceMappings[].Ebs.Encrypted', encryptedByDefault: false,
    updateBehavior: 'replacement (EC2 user guide: only DeleteOnTermination changes in place)',
    fixRefusedBecause: 'changing a block device replaces the instance and its volumes',
    isEncrypted: (p) => {
      const mappings = p.BlockDeviceMappings;
      if (!Array.isArray(mappings)) return mappings === undefined ? false : undefined;
      const ebs = mappings.filter((m) => m?.Ebs !== undefined);
      if (ebs.length === 0) return false;
      const flags = ebs.map((m) => flag(m.Ebs.Encrypted));
      return flags.includes(false) ? false : flags.includes(undefined) ? undefined : true;
    },
    // Without a mapping there is no way to know the root device's name: it depends on the AMI.
    fix: (p, keyArn) => Array.isArray(p.BlockDeviceMappings) && p.BlockDeviceMappings.some((m: Props) => m?.Ebs) ? {
      BlockDeviceMappings: p.BlockDeviceMappings.map((m: Props) => m.Ebs === undefined ? m
        : { ...m, Ebs: { ...m.Ebs, Encrypted: true, KmsKeyId: keyArn ?? m.Ebs.KmsKeyId } }),
    } : undefined,
    fixText: 'give the root device (and every EBS mapping) Ebs.Encrypted: true (L2: block_devices with BlockDeviceVolume.ebs(size, encrypted=True))',
  },
  {
    resourceType: 'AWS::EFS::FileSystem', property: 'Encrypted', encryptedByDefault: false,
    updateBehavior: REPLACEMENT, fixRefusedBecause: REPLACES_DATA,
    isEncrypted: (p) => flag(p.Encrypted),
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'set Encrypted: true (L2 efs.FileSystem encrypts by default)',
  },
  {
    resourceType: 'AWS::SQS::Queue', property: 'SqsManagedSseEnabled / KmsMasterKeyId', encryptedByDefault: true,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => present(p.KmsMasterKeyId) || flag(p.SqsManagedSseEnabled),
    turnsDefaultOff: (p) => !present(p.KmsMasterKeyId) && flag(p.SqsManagedSseEnabled) === false && p.SqsManagedSseEnabled !== undefined,
    fix: (_p, keyArn) => keyArn ? { KmsMasterKeyId: keyArn, SqsManagedSseEnabled: false } : { SqsManagedSseEnabled: true },
    fixText: 'set KmsMasterKeyId, or SqsManagedSseEnabled: true (L2: encryption=QueueEncryption.KMS or SQS_MANAGED)',
  },
  {
    resourceType: 'AWS::SNS::Topic', property: 'KmsMasterKeyId', encryptedByDefault: false,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => present(p.KmsMasterKeyId),
    fix: (_p, keyArn) => ({ KmsMasterKeyId: keyArn ?? 'alias/aws/sns' }),
    fixText: 'set KmsMasterKeyId (L2: master_key=key)',
  },
  {
    resourceType: 'AWS::Kinesis::Stream', property: 'StreamEncryption', encryptedByDefault: false,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => present(p.StreamEncryption),
    fix: (_p, keyArn) => ({ StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn ?? 'alias/aws/kinesis' } }),
    fixText: 'set StreamEncryption: {EncryptionType: KMS, KeyId: ...} (L2 kinesis.Stream encrypts by default)',
  },
  {
    resourceType: 'AWS::ElastiCache::ReplicationGroup', property: 'AtRestEncryptionEnabled', encryptedByDefault: false,
    updateBehavior: REPLACEMENT, fixRefusedBecause: REPLACES_DATA,
    isEncrypted: (p) => flag(p.AtRestEncryptionEnabled),
    fix: (_p, keyArn) => ({ AtRestEncryptionEnabled: true, KmsKeyId: keyArn }),
    fixText: 'set AtRestEncryptionEnabled: true',
  },
  {
    resourceType: 'AWS::ElastiCache::ReplicationGroup', property: 'TransitEncryptionEnabled', encryptedByDefault: false,
    updateBehavior: 'some interruption (in place only through TransitEncryptionMode preferred, Redis 7+)',
    fixRefusedBecause: 'clients that do not speak TLS lose their connection',
    isEncrypted: (p) => flag(p.TransitEncryptionEnabled),
    fix: () => ({ TransitEncryptionEnabled: true }),
    fixText: 'set TransitEncryptionEnabled: true, and connect the clients with TLS',
  },
  {
    resourceType: 'AWS::Redshift::Cluster', property: 'Encrypted', encryptedByDefault: false,
    updateBehavior: 'no interruption (Redshift migrates the data: hours, read-only meanwhile)',
    fixRefusedBecause: 'encrypting an existing cluster migrates all its data, read-only for hours',
    isEncrypted: (p) => flag(p.Encrypted),
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'set Encrypted: true',
  },
  {
    resourceType: 'AWS::OpenSearchService::Domain', property: 'EncryptionAtRestOptions', encryptedByDefault: false,
    updateBehavior: 'no interruption to enable; a later change of key replaces the domain',
    isEncrypted: (p) => flag(p.EncryptionAtRestOptions?.Enabled),
    fix: (_p, keyArn) => ({ EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyArn } }),
    fixText: 'set EncryptionAtRestOptions: {Enabled: true} (L2: encryption_at_rest=EncryptionAtRestOptions(enabled=True))',
  },
  {
    resourceType: 'AWS::Logs::LogGroup', property: 'KmsKeyId', encryptedByDefault: true,
    updateBehavior: NO_INTERRUPTION,
    isEncrypted: (p) => present(p.KmsKeyId),
    fix: (_p, keyArn) => ({ KmsKeyId: keyArn }),
    fixText: 'set KmsKeyId to a key whose policy lets logs.<region>.amazonaws.com use it (L2: encryption_key=key)',
  },
  {
    resourceType: 'AWS::Backup::BackupVault', property: 'EncryptionKeyArn', encryptedByDefault: true,
    updateBehavior: REPLACEMENT, fixRefusedBecause: 'changing it replaces the vault, and its recovery points stay in the old one',
    isEncrypted: (p) => present(p.EncryptionKeyArn),
    fix: (_p, keyArn) => ({ EncryptionKeyArn: keyArn }),
    fixText: 'set EncryptionKeyArn (L2: encryption_key=key)',
  },
];

/** The rules by resource type (ElastiCache replication groups have two). */
export const ENCRYPTION_RULES_BY_TYPE = new Map<string, EncryptionRule[]>();
for (const rule of ENCRYPTION_RULES) {
  ENCRYPTION_RULES_BY_TYPE.set(rule.resourceType, [...(ENCRYPTION_RULES_BY_TYPE.get(rule.resourceType) ?? []), rule]);
}

/**
 * Whether a resource's encryption is a finding: 'unencrypted' (stored in clear), 'weaker-key'
 * (encrypted by AWS's own key where a customer-managed key is asked for), 'undecided' (a token
 * hides it), or undefined (fine, or not applicable).
 */
export function encryptionFinding(rule: EncryptionRule, p: Props, keyAsked: boolean):
'unencrypted' | 'weaker-key' | 'undecided' | undefined {
  if (rule.notApplicable?.(p)) return undefined;
  const encrypted = rule.isEncrypted(p);
  if (encrypted === undefined) return 'undecided';
  if (encrypted) return undefined;
  const byDefault = rule.encryptedByDefault && !rule.turnsDefaultOff?.(p);
  if (byDefault) return keyAsked ? 'weaker-key' : undefined;
  return 'unencrypted';
}


