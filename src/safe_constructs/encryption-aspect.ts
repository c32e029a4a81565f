import {
  Annotations, CfnResource, IAspect, Stack,
  aws_iam as iam,
  aws_kms as kms,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { WARNING_PREFIX, show } from './internal';

/** What {@link EncryptionAspect} does with a resource stored unencrypted. */
export enum EncryptionMode {
  /** Report it as an error, which fails `cdk synth`; change nothing. */
  REPORT = 'REPORT',
  /**
   * Turn encryption on where that is safe; report, and leave unchanged, a resource whose change
   * would replace it (losing its data) unless it is listed in `allowReplacementOf`.
   */
  FIX = 'FIX',
}

/** One row of {@link EncryptionAspect.coverage}: a property the aspect checks. */
export interface EncryptionCoverage {
  /** The CloudFormation resource type. */
  readonly resourceType: string;
  /** The property that turns encryption on. */
  readonly property: string;
  /** Whether AWS encrypts the resource when the property is absent. */
  readonly encryptedByDefault: boolean;
  /** What a change of the property does to an existing resource (from its CloudFormation schema). */
  readonly updateBehavior: string;
  /** Why FIX mode does not change it unless told to; undefined where it fixes it. */
  readonly fixRefusedBecause?: string;
}

/**
 * Properties of an {@link EncryptionAspect}.
 */
export interface EncryptionAspectProps {
  /**
   * Whether to report unencrypted resources, or to encrypt those it safely can.
   *
   * @default EncryptionMode.REPORT
   */
  readonly mode?: EncryptionMode;

  /**
   * A customer-managed key to encrypt with in FIX mode. When given, a resource that AWS encrypts by
   * default with its own key (an S3 bucket, a DynamoDB table...) but not with a customer-managed
   * key gets a warning in REPORT mode, and this key in FIX mode.
   *
   * @default - each service's own encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Resource types to leave alone, each with the reason, which the synth output shows.
   *
   * @default - none
   */
  readonly exemptResourceTypes?: { [resourceType: string]: string };

  /**
   * Resources (or scopes holding them) whose encryption FIX mode may change even though the change
   * replaces them: list only resources that hold no data yet.
   *
   * @default - none
   */
  readonly allowReplacementOf?: IConstruct[];
}

type Props = Record<string, any>;

interface Rule extends EncryptionCoverage {
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

const RULES: Rule[] = [
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
  ...['AWS::DocDB::DBCluster', 'AWS::Neptune::DBCluster'].map((resourceType): Rule => ({
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

const RULES_BY_TYPE = new Map<string, Rule[]>();
for (const rule of RULES) RULES_BY_TYPE.set(rule.resourceType, [...(RULES_BY_TYPE.get(rule.resourceType) ?? []), rule]);


/** Exemptions made with `EncryptionAspect.exempt`, by construct. */
const EXEMPTIONS = new WeakMap<IConstruct, string>();

/**
 * One aspect that finds every resource stored unencrypted, reports it at synth time, and fixes
 * only what is safe to fix.
 *
 * It looks at the CloudFormation resources (L1), so it sees raw `Cfn*` code and every L2 alike.
 * In REPORT mode (the default) every unencrypted resource gets an error with its path, the
 * property and the fix, which fails `cdk synth`. In FIX mode it turns encryption on where the
 * change is made in place; a change that would replace a stateful resource (RDS, DocumentDB and
 * Neptune storage, EFS, ElastiCache, Redshift, EBS...) is never made silently: it stays an error,
 * unless the resource is listed in `allowReplacementOf`.
 *
 * Add it with a late priority, so that it sees the resources other aspects add:
 * `Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)`.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */
export class EncryptionAspect implements IAspect {
  /** The resource types and properties the aspect checks, with what AWS does by default. */
  public static coverage(): EncryptionCoverage[] {
    return RULES.map(({ resourceType, property, encryptedByDefault, updateBehavior, fixRefusedBecause }) =>
      ({ resourceType, property, encryptedByDefault, updateBehavior, fixRefusedBecause }));
  }

  /**
   * Exempts a resource, or every resource under a scope, with the reason, which the synth output
   * shows as an info message on each exempted resource.
   */
  public static exempt(scope: IConstruct, reason: string): void {
    if (reason.trim().length === 0) {
      throw new Error(`${scope.node.path}: reason must say why the resource may stay unencrypted, got: ${show(reason)}; `
        + 'give the reason a reviewer would accept');
    }
    EXEMPTIONS.set(scope, reason);
  }

  private readonly mode: EncryptionMode;
  private readonly encryptionKey?: kms.IKey;
  private readonly exemptTypes: { [resourceType: string]: string };
  private readonly replaceable: Set<IConstruct>;
  private readonly visited = new WeakSet<IConstruct>();

  constructor(props: EncryptionAspectProps = {}) {
    this.mode = props.mode ?? EncryptionMode.REPORT;
    this.encryptionKey = props.encryptionKey;
    this.exemptTypes = props.exemptResourceTypes ?? {};
    for (const [type, reason] of Object.entries(this.exemptTypes)) {
      if (!RULES_BY_TYPE.has(type)) {
        throw new Error(`exemptResourceTypes names ${show(type)}, which EncryptionAspect does not check; `
          + `use one of ${[...RULES_BY_TYPE.keys()].join(', ')}`);
      }
      if (reason.trim().length === 0) {
        throw new Error(`exemptResourceTypes gives ${type} no reason, got: ${show(reason)}; say why it may stay unencrypted`);
      }
    }
    this.replaceable = new Set(props.allowReplacementOf ?? []);
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || this.visited.has(node)) return;
    this.visited.add(node);
    const rules = RULES_BY_TYPE.get(node.cfnResourceType);
    if (!rules) return;
    const exemption = this.exemptionOf(node);
    if (exemption !== undefined) {
      Annotations.of(node).addInfo(`exempt from EncryptionAspect: ${exemption}`);
      return;
    }
    const properties = renderedProperties(node);
    if (properties === undefined) {
      Annotations.of(node).addWarningV2(`${WARNING_PREFIX}:encryptionUndecided`,
        'EncryptionAspect cannot read this resource\'s properties at synth time; check its encryption by hand');
      return;
    }
    for (const rule of rules) this.check(node, rule, properties);
  }

  private check(node: CfnResource, rule: Rule, p: Props): void {
    if (rule.notApplicable?.(p)) return;
    const encrypted = rule.isEncrypted(p);
    const where = `${node.cfnResourceType} ${rule.property}`;
    if (encrypted === undefined) {
      Annotations.of(node).addWarningV2(`${WARNING_PREFIX}:encryptionUndecided`,
        `${where} is an unresolved token, so EncryptionAspect cannot tell whether it is encrypted; check it by hand`);
      return;
    }
    const keyAsked = this.encryptionKey !== undefined;
    const byDefault = rule.encryptedByDefault && !rule.turnsDefaultOff?.(p);
    if (encrypted || (byDefault && !keyAsked)) return;

    const keyArn = this.encryptionKey?.keyArn;
    const allowed = this.mode === EncryptionMode.FIX && (rule.fixRefusedBecause === undefined || this.isReplaceable(node));
    const overrides = allowed ? rule.fix(p, keyArn) : undefined;
    if (overrides) {
      for (const [property, value] of Object.entries(overrides)) {
        if (value !== undefined) node.addPropertyOverride(property, value);
      }
      if (keyArn && rule.resourceType === 'AWS::Logs::LogGroup') this.letLogsUseTheKey(node);
      Annotations.of(node).addInfo(`EncryptionAspect encrypted it: ${rule.property} set${keyArn ? ' with the given key' : ''}`);
      return;
    }
    const refused = this.mode !== EncryptionMode.FIX ? ''
      : allowed ? '; EncryptionAspect cannot change it: it does not know what to write (for an instance, the root device\'s name)'
        : `; EncryptionAspect did not change it: ${rule.fixRefusedBecause} (list it in allowReplacementOf only if it holds no data yet)`;
    if (byDefault) {
      Annotations.of(node).addWarningV2(`${WARNING_PREFIX}:encryptionKeyWeaker`,
        `${where} is absent, so AWS encrypts it with its own key, not the customer-managed key asked for; `
        + `fix: ${rule.fixText}${refused}`);
      return;
    }
    Annotations.of(node).addError(`${where} does not encrypt it: the resource is stored unencrypted; `
      + `fix: ${rule.fixText}${refused}`);
  }

  private exemptionOf(node: CfnResource): string | undefined {
    for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
      const reason = EXEMPTIONS.get(scope);
      if (reason !== undefined) return reason;
    }
    return this.exemptTypes[node.cfnResourceType];
  }

  private isReplaceable(node: CfnResource): boolean {
    for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
      if (this.replaceable.has(scope)) return true;
    }
    return false;
  }

  /** CloudWatch Logs uses a customer-managed key only when the key's policy lets it. */
  private letLogsUseTheKey(node: CfnResource): void {
    const region = Stack.of(node).region;
    this.encryptionKey!.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      resources: ['*'], // in a key policy, "*" is the key itself
    }), true);
  }
}

/** The resource's CloudFormation properties as synthesized (overrides included), or undefined. */
function renderedProperties(node: CfnResource): Props | undefined {
  try {
    const rendered = Stack.of(node).resolve((node as any)._toCloudFormation());
    const [resource] = Object.values(rendered.Resources ?? {}) as Props[];
    return resource?.Properties ?? {};
  } catch {
    return undefined;
  }
}
