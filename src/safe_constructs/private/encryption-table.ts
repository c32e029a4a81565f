// The encryption coverage table: one row per property EncryptionAspect and SP-ENC1 check, each with
// AWS's source. Data only; encryption-checks.ts reads it. Adding a row here adds it everywhere: the
// aspect, the rule, EncryptionAspect.coverage(), the README table and the tests that derive from it. Private.
import { UpdateBehavior } from '../encryption-coverage';
import {
  CfnProperties, booleanOrUndecided, everyOfType, isIntrinsicFunction, isLiteral, locateResource, present, referencedId, render,
} from './cfn';
import type { EncryptionRow, RowSurroundings } from './encryption-row';

/** Whether every EBS block device mapping is encrypted; no mapping means the AMI's devices, unencrypted unless the account says so. */
function ebsMappingsEncrypted(mappings: unknown): boolean | undefined {
  if (!Array.isArray(mappings)) return mappings === undefined ? false : undefined;
  const ebs = mappings.filter((m) => m?.Ebs !== undefined);
  if (ebs.length === 0) return false;
  const flags = ebs.map((m) => booleanOrUndecided(m.Ebs.Encrypted));
  return flags.includes(false) ? false : flags.includes(undefined) ? undefined : true;
}

const EMR_SECURITY_CONFIGURATION = 'AWS::EMR::SecurityConfiguration';

/**
 * The security configuration an EMR cluster's `SecurityConfiguration` names, where the app holds it:
 * by `Ref` (or an import of one), or by a literal name matching a configuration's `Name`; else the
 * name as text, for the message.
 */
function emrSecurityConfiguration(value: unknown, around: RowSurroundings): { config?: CfnProperties; outside?: string } {
  if (typeof value === 'string') {
    const named = everyOfType(around.app, EMR_SECURITY_CONFIGURATION).find(({ resource }) => resource.properties.Name === value);
    return named ? { config: named.resource.properties } : { outside: JSON.stringify(value) };
  }
  const located = locateResource(around.app, { stack: around.stack, value }, EMR_SECURITY_CONFIGURATION);
  if (located) return { config: located.resource.properties };
  // Before synthesis (EncryptionAspect), a reference to another stack is still a Ref to its logical id there.
  const id = referencedId(value);
  const elsewhere = id === undefined ? [] : everyOfType(around.app, EMR_SECURITY_CONFIGURATION).filter(({ resource }) => resource.logicalId === id);
  return elsewhere.length === 1 ? { config: elsewhere[0].resource.properties } : { outside: render(value) };
}

/** The `SecurityConfiguration` JSON of an EMR security configuration, an object or its text; undefined when neither. */
function emrConfigurationJson(config: CfnProperties): CfnProperties | undefined {
  const json = config.SecurityConfiguration;
  if (typeof json !== 'string') return json !== null && typeof json === 'object' ? json : undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * Whether an EMR cluster's security configuration encrypts its local disks: `EnableAtRestEncryption`
 * true ("If omitted, false is assumed") and a `LocalDiskEncryptionConfiguration`, which covers the
 * instance store and EBS volumes; an `S3EncryptionConfiguration` alone covers EMRFS data in S3 only.
 * Undefined when the configuration is outside the app or a token hides the answer.
 */
function emrLocalDisksEncrypted(p: CfnProperties, around: RowSurroundings): boolean | undefined {
  if (!present(p.SecurityConfiguration)) return false;
  const { config } = emrSecurityConfiguration(p.SecurityConfiguration, around);
  if (!config) return undefined;
  const json = emrConfigurationJson(config);
  if (json === undefined) return isIntrinsicFunction(config.SecurityConfiguration) ? undefined : false;
  const encryption = json.EncryptionConfiguration;
  if (isIntrinsicFunction(encryption) || isIntrinsicFunction(encryption?.AtRestEncryptionConfiguration)) return undefined;
  const atRest = booleanOrUndecided(encryption?.EnableAtRestEncryption);
  const localDisks = encryption?.AtRestEncryptionConfiguration?.LocalDiskEncryptionConfiguration;
  if (atRest === false || !present(localDisks)) return false;
  return atRest === undefined ? undefined : true;
}

const REPLACES_DATA = 'changing it replaces the resource, and a new resource starts empty';
const DOMAIN_ENCRYPTION_ONCE_SET = 'EncryptionAtRestOptions is already set, and changing it once set (Enabled false to true '
  + 'included) deletes and recreates the domain; set it while the domain is new';

/** Every property the encryption checks cover, in the order of the coverage table. */
export const ENCRYPTION_TABLE: EncryptionRow[] = [
  {
    resourceType: 'AWS::S3::Bucket',
    property: 'BucketEncryption',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html',
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
    resourceType: 'AWS::RDS::DBInstance',
    property: 'StorageEncrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: REPLACES_DATA,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
    notApplicable: (p) => present(p.DBClusterIdentifier) ? 'its cluster decides its encryption'
      : present(p.SourceDBInstanceIdentifier) ? 'a read replica has its source\'s encryption'
        : present(p.DBSnapshotIdentifier) ? 'a restored instance has its snapshot\'s encryption' : undefined,
    isEncrypted: (p) => booleanOrUndecided(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True); for an existing instance, restore an encrypted copy of a snapshot',
  },
  {
    resourceType: 'AWS::RDS::DBCluster',
    property: 'StorageEncrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: REPLACES_DATA,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html',
    notApplicable: (p) => present(p.SnapshotIdentifier) || present(p.SourceDBClusterIdentifier)
      ? 'a restored or cloned cluster has its source\'s encryption'
      // Aurora Serverless v1 storage is always encrypted (Aurora user guide, "Aurora Serverless v1").
      : p.EngineMode === 'serverless' ? 'Aurora Serverless v1 is always encrypted' : undefined,
    isEncrypted: (p) => booleanOrUndecided(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True); for an existing cluster, restore an encrypted copy of a snapshot',
  },
  ...['AWS::DocDB::DBCluster', 'AWS::Neptune::DBCluster'].map((resourceType): EncryptionRow => ({
    resourceType,
    property: 'StorageEncrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: REPLACES_DATA,
    source: resourceType === 'AWS::DocDB::DBCluster'
      ? 'https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html'
      : 'https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html',
    notApplicable: (p) => present(p.SnapshotIdentifier) || present(p.SourceDBClusterIdentifier)
      ? 'a restored cluster has its source\'s encryption' : undefined,
    isEncrypted: (p) => booleanOrUndecided(p.StorageEncrypted),
    fix: (_p, keyArn) => ({ StorageEncrypted: true, KmsKeyId: keyArn }),
    fixText: 'set StorageEncrypted: true (L2: storage_encrypted=True)',
  })),
  {
    resourceType: 'AWS::DynamoDB::Table',
    property: 'SSESpecification',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html',
    isEncrypted: (p) => booleanOrUndecided(p.SSESpecification?.SSEEnabled),
    fix: (_p, keyArn) => ({ SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } }),
    fixText: 'set SSESpecification: {SSEEnabled: true, SSEType: KMS} (L2: encryption=TableEncryption.CUSTOMER_MANAGED)',
  },
  {
    resourceType: 'AWS::EC2::Volume',
    property: 'Encrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.UPDATE_FAILS,
    updateNote: 'EC2 cannot encrypt an existing volume',
    fixRefusedBecause: 'EC2 cannot encrypt an existing volume: it must be replaced by an encrypted copy of a snapshot',
    source: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html',
    isEncrypted: (p) => booleanOrUndecided(p.Encrypted),
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'set Encrypted: true (L2: encrypted=True)',
  },
  {
    resourceType: 'AWS::EC2::Instance',
    property: 'BlockDeviceMappings[].Ebs.Encrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT_BY_THE_SERVICE,
    updateNote: 'only DeleteOnTermination changes in place (CloudFormation\'s AWS::EC2::Instance BlockDeviceMappings)',
    fixRefusedBecause: 'changing a block device replaces the instance and its volumes',
    source: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html',
    isEncrypted: (p) => ebsMappingsEncrypted(p.BlockDeviceMappings),
    fixNotWrittenBecause: 'without a block device mapping it cannot know the root device\'s name: it depends on the AMI',
    fix: (p, keyArn) => Array.isArray(p.BlockDeviceMappings) && p.BlockDeviceMappings.some((m: CfnProperties) => m?.Ebs) ? {
      BlockDeviceMappings: p.BlockDeviceMappings.map((m: CfnProperties) => m.Ebs === undefined ? m
        : { ...m, Ebs: { ...m.Ebs, Encrypted: true, KmsKeyId: keyArn ?? m.Ebs.KmsKeyId } }),
    } : undefined,
    fixText: 'give the root device (and every EBS mapping) Ebs.Encrypted: true (L2: block_devices with BlockDeviceVolume.ebs(size, encrypted=True))',
  },
  {
    resourceType: 'AWS::EC2::LaunchTemplate',
    property: 'LaunchTemplateData.BlockDeviceMappings[].Ebs.Encrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    updateNote: 'a new template version; instances launched before keep their volumes',
    source: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html',
    isEncrypted: (p) => ebsMappingsEncrypted(p.LaunchTemplateData?.BlockDeviceMappings),
    fixNotWrittenBecause: 'the root device\'s name depends on the AMI',
    fix: () => undefined,
    fixText: 'give the root device (and every EBS mapping) Ebs.Encrypted: true (L2: block_devices with '
      + 'BlockDeviceVolume.ebs(size, encrypted=True)), or turn on EBS encryption by default for the account',
  },
  {
    resourceType: 'AWS::AutoScaling::LaunchConfiguration',
    property: 'BlockDeviceMappings[].Ebs.Encrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: 'a change replaces the launch configuration; instances launched before keep their volumes',
    source: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html',
    isEncrypted: (p) => ebsMappingsEncrypted(p.BlockDeviceMappings),
    fixNotWrittenBecause: 'the root device\'s name depends on the AMI',
    fix: () => undefined,
    fixText: 'give the root device (and every EBS mapping) Ebs.Encrypted: true, or use a launch template; or turn on '
      + 'EBS encryption by default for the account',
  },
  {
    resourceType: 'AWS::EFS::FileSystem',
    property: 'Encrypted',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: REPLACES_DATA,
    source: 'https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html',
    isEncrypted: (p) => booleanOrUndecided(p.Encrypted),
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'set Encrypted: true (L2 efs.FileSystem encrypts by default)',
  },
  {
    resourceType: 'AWS::SQS::Queue',
    property: 'SqsManagedSseEnabled / KmsMasterKeyId',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html',
    isEncrypted: (p) => present(p.KmsMasterKeyId) || booleanOrUndecided(p.SqsManagedSseEnabled),
    defaultTurnedOff: {
      by: 'SqsManagedSseEnabled: false without KmsMasterKeyId',
      test: (p) => !present(p.KmsMasterKeyId) && booleanOrUndecided(p.SqsManagedSseEnabled) === false && p.SqsManagedSseEnabled !== undefined,
      problem: 'SqsManagedSseEnabled is false and KmsMasterKeyId is absent, which turns off the SSE-SQS encryption '
        + 'AWS applies by default: the queue is stored unencrypted',
    },
    fix: (_p, keyArn) => keyArn ? { KmsMasterKeyId: keyArn, SqsManagedSseEnabled: false } : { SqsManagedSseEnabled: true },
    fixText: 'set KmsMasterKeyId, or SqsManagedSseEnabled: true (L2: encryption=QueueEncryption.KMS or SQS_MANAGED)',
  },
  {
    // "By default, Amazon SNS stores messages and files using disk encryption"; SSE-KMS is the option.
    resourceType: 'AWS::SNS::Topic',
    property: 'KmsMasterKeyId',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/sns/latest/dg/sns-data-encryption.html',
    isEncrypted: (p) => present(p.KmsMasterKeyId),
    fix: (_p, keyArn) => ({ KmsMasterKeyId: keyArn ?? 'alias/aws/sns' }),
    fixText: 'set KmsMasterKeyId (L2: master_key=key)',
  },
  {
    resourceType: 'AWS::Kinesis::Stream',
    property: 'StreamEncryption',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/what-is-sse.html',
    isEncrypted: (p) => present(p.StreamEncryption),
    fix: (_p, keyArn) => ({ StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn ?? 'alias/aws/kinesis' } }),
    fixText: 'set StreamEncryption: {EncryptionType: KMS, KeyId: ...} (L2 kinesis.Stream encrypts by default)',
  },
  {
    resourceType: 'AWS::KinesisFirehose::DeliveryStream',
    property: 'DeliveryStreamEncryptionConfigurationInput',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/firehose/latest/APIReference/API_StartDeliveryStreamEncryption.html',
    // "You can only enable SSE for a delivery stream that uses DirectPut as its source."
    notApplicable: (p) => present(p.DeliveryStreamType) && p.DeliveryStreamType !== 'DirectPut'
      ? 'server-side encryption applies only to DirectPut streams; the source\'s own encryption applies' : undefined,
    isEncrypted: (p) => present(p.DeliveryStreamEncryptionConfigurationInput),
    fix: (_p, keyArn) => ({
      DeliveryStreamEncryptionConfigurationInput: keyArn
        ? { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: keyArn } : { KeyType: 'AWS_OWNED_CMK' },
    }),
    fixText: 'set DeliveryStreamEncryptionConfigurationInput: {KeyType: AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK} '
      + '(L2: encryption=StreamEncryption.aws_owned_key())',
  },
  {
    resourceType: 'AWS::ElastiCache::ReplicationGroup',
    property: 'AtRestEncryptionEnabled',
    encryptedByDefault: { when: 'Engine is valkey', test: (p) => typeof p.Engine === 'string' && p.Engine.toLowerCase() === 'valkey' },
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: REPLACES_DATA,
    source: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html',
    isEncrypted: (p) => booleanOrUndecided(p.AtRestEncryptionEnabled),
    defaultTurnedOff: {
      by: 'AtRestEncryptionEnabled: false',
      test: (p) => p.AtRestEncryptionEnabled !== undefined && booleanOrUndecided(p.AtRestEncryptionEnabled) === false,
    },
    fix: (_p, keyArn) => ({ AtRestEncryptionEnabled: true, KmsKeyId: keyArn }),
    fixText: 'set AtRestEncryptionEnabled: true while the group is new (or use Engine: valkey, encrypted by default)',
  },
  {
    resourceType: 'AWS::ElastiCache::ReplicationGroup',
    property: 'TransitEncryptionEnabled',
    encryptedByDefault: false,
    inTransit: true,
    updateBehavior: UpdateBehavior.SOME_INTERRUPTION,
    updateNote: 'in place only through TransitEncryptionMode preferred, Redis 7+',
    fixRefusedBecause: 'clients that do not speak TLS lose their connection',
    source: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html',
    isEncrypted: (p) => booleanOrUndecided(p.TransitEncryptionEnabled),
    fix: () => ({ TransitEncryptionEnabled: true }),
    fixText: 'set TransitEncryptionEnabled: true, and connect the clients with TLS',
  },
  {
    // A cache cluster has no at-rest encryption property: only a replication group has one.
    resourceType: 'AWS::ElastiCache::CacheCluster',
    property: 'Engine',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: 'a cache cluster cannot be encrypted at rest: it must be replaced by a replication group',
    source: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html',
    isEncrypted: () => false,
    problem: 'has no at-rest encryption to turn on (only a replication group has one): the resource is stored unencrypted',
    fixNotWrittenBecause: 'the encrypted store is another resource type',
    fix: () => undefined,
    fixText: 'use an AWS::ElastiCache::ReplicationGroup with AtRestEncryptionEnabled: true (or Engine: valkey)',
  },
  {
    // At-rest encryption of EMR lives in a security configuration; none means none, and one must
    // encrypt the local disks (an S3EncryptionConfiguration alone covers EMRFS data in S3 only).
    resourceType: 'AWS::EMR::Cluster',
    property: 'SecurityConfiguration',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: 'changing it replaces the cluster',
    source: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html',
    reads: [EMR_SECURITY_CONFIGURATION],
    isEncrypted: (p, around) => emrLocalDisksEncrypted(p, around()),
    undecidedBecause: (p, around) => {
      const { outside } = emrSecurityConfiguration(p.SecurityConfiguration, around());
      return outside === undefined ? 'SecurityConfiguration names a security configuration whose encryption is an unresolved token'
        : `SecurityConfiguration names ${outside}, a security configuration this app does not define, so whether it `
          + 'encrypts the local disks (EnableAtRestEncryption and LocalDiskEncryptionConfiguration) cannot be read';
    },
    problemWhenSet: 'names a security configuration that does not encrypt local disks (EnableAtRestEncryption: true with a '
      + 'LocalDiskEncryptionConfiguration; an S3EncryptionConfiguration covers EMRFS data in S3 only): the cluster\'s '
      + 'instance store and EBS volumes are stored unencrypted',
    fixNotWrittenBecause: 'the encryption is a security configuration, a resource of its own',
    fix: () => undefined,
    fixText: 'give the cluster a SecurityConfiguration (AWS::EMR::SecurityConfiguration) with EnableAtRestEncryption: true and a '
      + 'LocalDiskEncryptionConfiguration (EncryptionKeyProviderType AwsKms with EnableEbsEncryption: true also encrypts the root volume)',
  },
  {
    resourceType: 'AWS::Redshift::Cluster',
    property: 'Encrypted',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    updateNote: 'Redshift migrates the data: hours, read-only meanwhile',
    fixRefusedBecause: 'encrypting an existing cluster migrates all its data, read-only for hours',
    source: 'https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html',
    isEncrypted: (p) => booleanOrUndecided(p.Encrypted),
    defaultTurnedOff: {
      by: 'Encrypted: false',
      test: (p) => p.Encrypted !== undefined && booleanOrUndecided(p.Encrypted) === false,
      problem: 'Encrypted is false, which CreateCluster rejects for a new cluster (it defaults to true: Redshift '
        + 'encrypts every new cluster); a cluster created unencrypted in the past stays stored unencrypted',
    },
    fix: (_p, keyArn) => ({ Encrypted: true, KmsKeyId: keyArn }),
    fixText: 'remove Encrypted: false, or set it to true',
  },
  ...['AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain'].map((resourceType): EncryptionRow => ({
    resourceType,
    property: 'EncryptionAtRestOptions',
    encryptedByDefault: false,
    // The Elasticsearch reference says "no interruption", but the OpenSearch API (which serves both)
    // says the options cannot change once set: the safe side is OpenSearch's rule for both.
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    updateNote: resourceType === 'AWS::OpenSearchService::Domain'
      ? 'when added where absent; changing it once set (Enabled false to true too) recreates the domain'
      : 'when added where absent; once set, treated like OpenSearch (AWS\'s pages disagree)',
    fixRefusedBecause: DOMAIN_ENCRYPTION_ONCE_SET,
    fixRefusedOnlyWhenSet: true,
    source: resourceType === 'AWS::OpenSearchService::Domain'
      ? 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-opensearchservice-domain-encryptionatrestoptions.html'
      : 'https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_EncryptionAtRestOptions.html',
    isEncrypted: (p) => booleanOrUndecided(p.EncryptionAtRestOptions?.Enabled),
    fix: (_p, keyArn) => ({ EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyArn } }),
    fixText: 'set EncryptionAtRestOptions: {Enabled: true} while the domain is new '
      + '(L2: encryption_at_rest=EncryptionAtRestOptions(enabled=True))',
  })),
  {
    resourceType: 'AWS::DAX::Cluster',
    property: 'SSESpecification',
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: 'changing it replaces the cluster: a new endpoint and an empty cache',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html',
    isEncrypted: (p) => booleanOrUndecided(p.SSESpecification?.SSEEnabled),
    fix: () => ({ SSESpecification: { SSEEnabled: true } }),
    fixText: 'set SSESpecification: {SSEEnabled: true} while the cluster is new',
  },
  {
    resourceType: 'AWS::Batch::ComputeEnvironment',
    property: 'ComputeResources.LaunchTemplate',
    // EBS encryption by default is a setting of an account and region that must be turned on
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html): without a
    // launch template that encrypts them, the instances Batch launches have unencrypted volumes.
    encryptedByDefault: false,
    updateBehavior: UpdateBehavior.SOME_INTERRUPTION,
    updateNote: 'an infrastructure update of the environment: Batch replaces its instances',
    source: 'https://docs.aws.amazon.com/batch/latest/userguide/launch-templates.html',
    // Decided from the keys that matter (Type, LaunchTemplate), whatever the others are: aws-cdk-lib's
    // ManagedEc2EcsComputeEnvironment renders subnets, security groups and the instance role as references.
    notApplicable: (p) => p.ComputeResources === undefined ? 'an unmanaged environment launches no instance of its own'
      : isIntrinsicFunction(p.ComputeResources) ? undefined
        // Fargate's task storage is encrypted with AES-256 (platform 1.4.0 or later):
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
        : ['FARGATE', 'FARGATE_SPOT'].includes(p.ComputeResources.Type) ? 'Fargate encrypts its task storage'
          : present(p.ComputeResources.LaunchTemplate) ? 'its launch template decides (one of this stack is checked as AWS::EC2::LaunchTemplate)'
            : undefined,
    isEncrypted: (p) => isIntrinsicFunction(p.ComputeResources) || !isLiteral(p.ComputeResources.Type) ? undefined : false,
    // Unencrypted only where the launch template is absent (a present one decides: notApplicable).
    problem: 'ComputeResources.LaunchTemplate is absent, and AWS does not encrypt this by default: the EBS volumes of the '
      + 'instances Batch launches are stored unencrypted',
    undecidedBecause: (p) => isIntrinsicFunction(p.ComputeResources) ? 'ComputeResources is an unresolved token'
      : 'ComputeResources.Type is an unresolved token (FARGATE would encrypt; EC2 or SPOT without a LaunchTemplate would not)',
    fixNotWrittenBecause: 'the encryption is a launch template, a resource of its own',
    fix: () => undefined,
    fixText: 'give ComputeResources a LaunchTemplate whose BlockDeviceMappings set Ebs Encrypted: true (the Batch user guide\'s '
      + 'launch templates), or turn on EBS encryption by default in the account and region',
  },
  {
    resourceType: 'AWS::Logs::LogGroup',
    property: 'KmsKeyId',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.NO_INTERRUPTION,
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
    isEncrypted: (p) => present(p.KmsKeyId),
    // The key policy statement of the row's source: principal logs.<region>.amazonaws.com, these actions.
    keyPolicy: { service: 'logs', actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'] },
    fix: (_p, keyArn) => ({ KmsKeyId: keyArn }),
    fixText: 'set KmsKeyId to a key whose policy lets logs.<region>.amazonaws.com use it (L2: encryption_key=key)',
  },
  {
    resourceType: 'AWS::Backup::BackupVault',
    property: 'EncryptionKeyArn',
    encryptedByDefault: true,
    updateBehavior: UpdateBehavior.REPLACEMENT,
    fixRefusedBecause: 'changing it replaces the vault, and its recovery points stay in the old one',
    source: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html',
    isEncrypted: (p) => present(p.EncryptionKeyArn),
    fix: (_p, keyArn) => ({ EncryptionKeyArn: keyArn }),
    fixText: 'set EncryptionKeyArn (L2: encryption_key=key)',
  },
];
