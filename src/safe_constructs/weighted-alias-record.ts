import {
  Annotations, IResolvable, Stack, Token,
  aws_apigateway as apigateway,
  aws_cloudfront as cloudfront,
  aws_elasticloadbalancingv2 as elbv2,
  aws_route53 as route53,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { WARNING_PREFIX, fail, requireIntegerInRange, show } from './internal';

/** The hosted zone id of every CloudFront distribution, for alias records. */
const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

/** The type of a weighted alias record. */
export enum AliasRecordType {
  /** An IPv4 address record. */
  A = 'A',
  /** An IPv6 address record. */
  AAAA = 'AAAA',
}

/**
 * Where a weighted alias record points: a load balancer, a CloudFront distribution, an API
 * Gateway custom domain, or any alias target given by DNS name and hosted zone id.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html
 */
export class WeightedAliasTarget {
  /**
   * An Application or Network Load Balancer, imported ones included (imported with their DNS name
   * and canonical hosted zone id). Route 53 evaluates its health by default.
   */
  public static fromLoadBalancer(loadBalancer: elbv2.ILoadBalancerV2): WeightedAliasTarget {
    let dnsName: string;
    let hostedZoneId: string;
    try {
      dnsName = loadBalancer.loadBalancerDnsName;
      hostedZoneId = loadBalancer.loadBalancerCanonicalHostedZoneId;
    } catch (error) {
      throw new Error(`${loadBalancer.node.path}: target load balancer has no DNS name or canonical hosted zone id `
        + `(${(error as Error).message}); import it with loadBalancerDnsName and loadBalancerCanonicalHostedZoneId`);
    }
    return new WeightedAliasTarget(`dualstack.${dnsName}`, hostedZoneId, true);
  }

  /**
   * A CloudFront distribution. Route 53 cannot evaluate its health, so `evaluateTargetHealth`
   * must stay false.
   */
  public static fromCloudFrontDistribution(distribution: cloudfront.IDistribution): WeightedAliasTarget {
    return new WeightedAliasTarget(distribution.distributionDomainName, CLOUDFRONT_HOSTED_ZONE_ID, false);
  }

  /** An API Gateway custom domain name. */
  public static fromApiGatewayDomain(domain: apigateway.IDomainName): WeightedAliasTarget {
    return new WeightedAliasTarget(domain.domainNameAliasDomainName, domain.domainNameAliasHostedZoneId, true);
  }

  /**
   * Any alias target, by its DNS name and the hosted zone id Route 53 knows it by.
   *
   * @param dnsName the target's DNS name
   * @param hostedZoneId the target's hosted zone id (not the zone the record is in)
   */
  public static fromAttributes(dnsName: string, hostedZoneId: string): WeightedAliasTarget {
    for (const [name, value] of [['dnsName', dnsName], ['hostedZoneId', hostedZoneId]]) {
      if (!Token.isUnresolved(value) && value.trim().length === 0) {
        throw new Error(`target ${name} must not be empty, got: ${show(value)}; give the alias target's ${name}`);
      }
    }
    return new WeightedAliasTarget(dnsName, hostedZoneId, true);
  }

  private constructor(
    /** The DNS name records resolve to. */
    public readonly dnsName: string,
    /** The hosted zone id of the target. */
    public readonly hostedZoneId: string,
    /** Whether Route 53 can evaluate the target's health. */
    public readonly supportsHealthEvaluation: boolean,
  ) {}
}

/**
 * Properties of a {@link WeightedAliasRecord}.
 */
export interface WeightedAliasRecordProps {
  /** The hosted zone the record is in. */
  readonly zone: route53.IHostedZone;

  /**
   * The record's name: relative to the zone (`pay`), or fully qualified (`pay.example.com`, or
   * with a final dot), in which case it must lie in the zone. A zone imported by id alone has no
   * known name, so its records need a fully qualified name with a final dot.
   */
  readonly recordName: string;

  /** What the record points to. */
  readonly target: WeightedAliasTarget;

  /**
   * The record's share of the traffic: a whole number from 0 to 255, divided by the sum of the
   * weights of its group (the records of the same name and type in the zone). Zero sends no traffic.
   * Route 53 documents that all-zero weights route to every record equally only for weighted
   * records that are not aliases; for alias records it is undocumented, so all-zero groups leave a
   * warning.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
   */
  readonly weight: number;

  /**
   * What tells the record apart from the others of its group: 1 to 128 characters, unique in the
   * group.
   */
  readonly setIdentifier: string;

  /**
   * The record type. A and AAAA records of the same name are separate groups.
   *
   * @default AliasRecordType.A
   */
  readonly recordType?: AliasRecordType;

  /**
   * Whether Route 53 stops routing to the target when it is unhealthy.
   *
   * @default - true, except for a CloudFront distribution, whose health Route 53 cannot evaluate
   */
  readonly evaluateTargetHealth?: boolean;
}

/**
 * A weighted alias record to a load balancer (or another alias target), over `CfnRecordSet`, whose
 * props only admit a valid record: `Weight`, `SetIdentifier` and `AliasTarget`, never `TTL`.
 *
 * At synth time every weighted alias record of the app is checked with the others of its group
 * (same zone, name and type): set identifiers must be unique, a non-weighted record of the same
 * name and type is an error (Route 53 rejects the mix), and all-zero weights leave a warning.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53-recordset.html
 */
export class WeightedAliasRecord extends Construct {
  /** The record set. */
  public readonly record: route53.CfnRecordSet;

  /** The record's fully qualified name, with the final dot. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: WeightedAliasRecordProps) {
    super(scope, id);
    requireIntegerInRange(this, 'weight', props.weight, 0, 255,
      'Route 53 weights are whole numbers from 0 to 255 (0 sends no traffic)');
    if (!Token.isUnresolved(props.setIdentifier)
      && (props.setIdentifier.length < 1 || props.setIdentifier.length > 128)) {
      fail(this, 'setIdentifier', `must be 1 to 128 characters, got: ${show(props.setIdentifier)}`,
        'name the record within its group, for example "blue" or "green"');
    }
    const evaluateTargetHealth = props.evaluateTargetHealth ?? props.target.supportsHealthEvaluation;
    if (evaluateTargetHealth && !props.target.supportsHealthEvaluation) {
      fail(this, 'evaluateTargetHealth', 'is true for a CloudFront distribution, got: true',
        'Route 53 cannot evaluate a distribution\'s health: omit evaluateTargetHealth');
    }
    this.domainName = this.qualify(props.recordName, props.zone);

    this.record = new route53.CfnRecordSet(this, 'Resource', {
      hostedZoneId: props.zone.hostedZoneId,
      name: this.domainName,
      type: props.recordType ?? AliasRecordType.A,
      weight: props.weight,
      setIdentifier: props.setIdentifier,
      aliasTarget: {
        dnsName: props.target.dnsName,
        hostedZoneId: props.target.hostedZoneId,
        evaluateTargetHealth,
      },
    });
    validateWeightedGroups(this);
  }

  /** The record's fully qualified name, failing when it lies outside the zone. */
  private qualify(recordName: string, zone: route53.IHostedZone): string {
    if (Token.isUnresolved(recordName)) return recordName;
    const name = recordName.toLowerCase();
    const labels = name.replace(/\.$/, '').split('.');
    if (name.length === 0 || name.length > 254
      || labels.some((label, i) => !/^[a-z0-9_-]{1,63}$/.test(label) && !(label === '*' && i === 0))) {
      fail(this, 'recordName', `is not a DNS name, got: ${show(recordName)}`,
        'use labels of 1 to 63 letters, digits, hyphens or underscores, separated by dots (a leading "*" is allowed)');
    }
    let zoneName: string | undefined;
    try {
      zoneName = zone.zoneName;
    } catch {
      zoneName = undefined; // imported by id alone
    }
    if (zoneName === undefined || Token.isUnresolved(zoneName)) {
      if (!name.endsWith('.')) {
        fail(this, 'recordName', `is relative, got: ${show(recordName)}, but the zone's name is not known (imported by id)`,
          'give the fully qualified name with a final dot, or import the zone with HostedZone.fromHostedZoneAttributes');
      }
      return name;
    }
    const zoneFqdn = zoneName.toLowerCase().replace(/\.?$/, '.');
    const inZone = (fqdn: string) => fqdn === zoneFqdn || fqdn.endsWith(`.${zoneFqdn}`);
    if (name.endsWith('.')) {
      if (!inZone(name)) {
        fail(this, 'recordName', `is outside the zone ${zoneFqdn}, got: ${show(recordName)}`,
          `use a name that ends with ${zoneFqdn}, or a name relative to it`);
      }
      return name;
    }
    return inZone(`${name}.`) ? `${name}.` : `${name}.${zoneFqdn}`;
  }
}

interface GroupMember {
  readonly record: route53.CfnRecordSet;
  readonly weight?: number;
  readonly setIdentifier?: string;
  readonly ours: boolean;
}

/** The apps whose weighted groups are already validated: one validation per app, not per record. */
const VALIDATED_APPS = new WeakSet<IConstruct>();

/**
 * Adds, to the first WeightedAliasRecord of an app, the validation that checks every group holding
 * one, in a single pass over the app's record sets.
 */
function validateWeightedGroups(record: WeightedAliasRecord): void {
  const root = record.node.root;
  if (VALIDATED_APPS.has(root)) return;
  VALIDATED_APPS.add(root);
  record.node.addValidation({ validate: () => checkGroups(root) });
}

function checkGroups(root: IConstruct): string[] {
  const all = root.node.findAll();
  const ours = new Set<IConstruct>(all.filter((c) => c instanceof WeightedAliasRecord).map((c) => (c as WeightedAliasRecord).record));
  const groups = new Map<string, GroupMember[]>();
  for (const construct of all) {
    if (!(construct instanceof route53.CfnRecordSet)) continue;
    const key = groupKey(construct);
    if (key === undefined) continue;
    const members = groups.get(key) ?? [];
    members.push({
      record: construct,
      weight: resolvedNumber(construct, construct.weight),
      setIdentifier: construct.setIdentifier,
      ours: ours.has(construct),
    });
    groups.set(key, members);
  }
  return [...groups.values()].filter((members) => members.some((m) => m.ours)).flatMap(checkGroup);
}

function checkGroup(members: GroupMember[]): string[] {
  const errors: string[] = [];
  const first = members.find((m) => m.ours)!.record;
  const group = `${first.name} (${first.type})`;
  const paths = (list: GroupMember[]) => list.map((m) => m.record.node.path).join(', ');

  const plain = members.filter((m) => m.setIdentifier === undefined);
  if (plain.length > 0) {
    errors.push(`weighted records of ${group} share their name and type with a non-weighted record (${paths(plain)}); `
      + 'Route 53 rejects the mix: make it a WeightedAliasRecord of the group, or give it another name');
  }
  const byIdentifier = new Map<string, GroupMember[]>();
  for (const member of members) {
    if (member.setIdentifier === undefined || Token.isUnresolved(member.setIdentifier)) continue;
    byIdentifier.set(member.setIdentifier, [...(byIdentifier.get(member.setIdentifier) ?? []), member]);
  }
  for (const [identifier, same] of byIdentifier) {
    if (same.length > 1) {
      errors.push(`setIdentifier ${show(identifier)} is used by ${same.length} records of ${group} (${paths(same)}); `
        + 'set identifiers must be unique in a group: give each record its own');
    }
  }
  const weighted = members.filter((m) => m.setIdentifier !== undefined);
  if (weighted.length > 0 && weighted.every((m) => m.weight === 0)) {
    Annotations.of(first).addWarningV2(`${WARNING_PREFIX}:allWeightsZero`,
      `every weighted record of ${group} has weight 0; Route 53 documents equal routing for all-zero weights only for `
      + 'non-alias records, and how it routes alias records then is undocumented (routing-policy-weighted.html); '
      + 'give at least one record a weight above 0');
  }
  return errors;
}

/** Zone, name and type of a record set, or undefined when any is unknown at synth time. */
function groupKey(record: route53.CfnRecordSet): string | undefined {
  if (Token.isUnresolved(record.name) || Token.isUnresolved(record.type)) return undefined;
  const zone = Stack.of(record).resolve(record.hostedZoneId ?? record.hostedZoneName);
  const zoneKey = JSON.stringify(zone);
  const scoped = typeof zone === 'string' ? zoneKey : `${Stack.of(record).node.path}:${zoneKey}`;
  return `${scoped}|${record.name.toLowerCase().replace(/\.?$/, '.')}|${record.type}`;
}

function resolvedNumber(scope: IConstruct, value: number | IResolvable | undefined): number | undefined {
  const resolved = value === undefined ? undefined : Stack.of(scope).resolve(value);
  return typeof resolved === 'number' ? resolved : undefined;
}
