import {
  Stack, Token,
  aws_apigateway as apigateway,
  aws_cloudfront as cloudfront,
  aws_elasticloadbalancingv2 as elbv2,
  aws_route53 as route53,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Problems, checkAtSynth, fail, propName, range, show, warn } from './private/errors';
import { ROUTE53_SET_IDENTIFIER_LENGTH, ROUTE53_WEIGHT } from './private/limits';
import { groupRecords, judgeGroup } from './private/weighted-groups';


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
      fail(loadBalancer, 'LoadBalancerWithoutDnsName',
        `the target load balancer has no DNS name or canonical hosted zone id (${(error as Error).message})`,
        'import it with load_balancer_dns_name (loadBalancerDnsName) and load_balancer_canonical_hosted_zone_id '
        + '(loadBalancerCanonicalHostedZoneId)');
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
        fail(undefined, 'AliasTargetEmpty', `WeightedAliasTarget.from_attributes: ${propName(name)} must not be empty, got: ${show(value)}`,
          `give the alias target's ${propName(name)}, as its service reports it`);
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
   * Route 53 documents equal routing for all-zero weights only for weighted records that are not
   * aliases; for alias records it is undocumented, so all-zero groups leave a
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
    const problems = new Problems(this);
    problems.integerInRange('WeightOutOfRange', 'weight', props.weight, ROUTE53_WEIGHT,
      `give a whole number ${range(ROUTE53_WEIGHT)} (0 sends no traffic)`);
    if (!Token.isUnresolved(props.setIdentifier)
      && (props.setIdentifier.length < ROUTE53_SET_IDENTIFIER_LENGTH.min || props.setIdentifier.length > ROUTE53_SET_IDENTIFIER_LENGTH.max)) {
      problems.prop('SetIdentifierLength', 'setIdentifier', `must be ${ROUTE53_SET_IDENTIFIER_LENGTH.min} to ${ROUTE53_SET_IDENTIFIER_LENGTH.max} characters, got: ${show(props.setIdentifier)}`,
        'name the record within its group, for example "blue" or "green"');
    }
    const evaluateTargetHealth = props.evaluateTargetHealth ?? props.target.supportsHealthEvaluation;
    if (evaluateTargetHealth && !props.target.supportsHealthEvaluation) {
      problems.prop('HealthOfDistribution', 'evaluateTargetHealth',
        'is true for a CloudFront distribution, whose health Route 53 cannot evaluate, got: true',
        'omit evaluate_target_health (evaluateTargetHealth)');
    }
    this.domainName = this.qualify(problems, props.recordName, props.zone);
    problems.throwIfAny();
    // Values that pass jsii and the checks above because they are tokens: say what is left unchecked.
    const tokens = ([['weight', props.weight], ['setIdentifier', props.setIdentifier], ['recordName', props.recordName]] as const)
      .filter(([, value]) => Token.isUnresolved(value)).map(([name]) => propName(name));
    if (tokens.length > 0) {
      warn(this, 'weightedGroupUnchecked', `${tokens.join(', ')} ${tokens.length === 1 ? 'is an unresolved token' : 'are unresolved tokens'} `
        + '(a parameter, or an attribute known at deploy), so this record is left out of the checks of its group at synth time '
        + `(a weight ${range(ROUTE53_WEIGHT)}, unique set identifiers, no non-weighted record of the same name and type, `
        + 'not every weight 0); check them by hand, or give literal values');
    }

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

  /** The record's fully qualified name; a problem when it is no DNS name or lies outside the zone. */
  private qualify(problems: Problems, recordName: string, zone: route53.IHostedZone): string {
    if (Token.isUnresolved(recordName)) return recordName;
    const name = recordName.toLowerCase();
    const labels = name.replace(/\.$/, '').split('.');
    if (name.length === 0 || name.length > 254
      || labels.some((label, i) => !/^[a-z0-9_-]{1,63}$/.test(label) && !(label === '*' && i === 0))) {
      problems.prop('RecordNameInvalid', 'recordName', `is not a DNS name, got: ${show(recordName)}`,
        'use labels of 1 to 63 letters, digits, hyphens or underscores, separated by dots (a leading "*" is allowed)');
      return name;
    }
    let zoneName: string | undefined;
    try {
      zoneName = zone.zoneName;
    } catch {
      zoneName = undefined; // imported by id alone
    }
    if (zoneName === undefined || Token.isUnresolved(zoneName)) {
      if (!name.endsWith('.')) {
        problems.prop('RecordNameRelative', 'recordName',
          `is relative, got: ${show(recordName)}, but the zone's name is not known (imported by id)`,
          'give the fully qualified name with a final dot, or import the zone with HostedZone.from_hosted_zone_attributes');
      }
      return name;
    }
    const zoneFqdn = zoneName.toLowerCase().replace(/\.?$/, '.');
    const inZone = (fqdn: string) => fqdn === zoneFqdn || fqdn.endsWith(`.${zoneFqdn}`);
    if (name.endsWith('.')) {
      if (!inZone(name)) {
        problems.prop('RecordNameOutsideZone', 'recordName', `is outside the zone ${zoneFqdn}, got: ${show(recordName)}`,
          `use a name that ends with ${zoneFqdn}, or a name relative to it`);
      }
      return name;
    }
    return inZone(`${name}.`) ? `${name}.` : `${name}.${zoneFqdn}`;
  }
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
  checkAtSynth(record, (problems) => checkGroups(problems, root));
}

function checkGroups(problems: Problems, root: IConstruct): void {
  const all = root.node.findAll();
  const ours = new Set<IConstruct>(all.filter((c) => c instanceof WeightedAliasRecord).map((c) => (c as WeightedAliasRecord).record));
  const views = all.filter((c): c is route53.CfnRecordSet => c instanceof route53.CfnRecordSet).map((record) => {
    const stack = Stack.of(record);
    return {
      ref: record,
      stackPath: stack.node.path,
      zone: stack.resolve(record.hostedZoneId ?? record.hostedZoneName),
      name: stack.resolve(record.name),
      type: stack.resolve(record.type),
      setIdentifier: stack.resolve(record.setIdentifier),
      weight: stack.resolve(record.weight),
    };
  });
  for (const members of groupRecords(views).filter((group) => group.some((m) => ours.has(m.ref)))) {
    const findings = judgeGroup(members);
    const first = members.find((m) => ours.has(m.ref))!.ref;
    const paths = (list: IConstruct[]) => list.map((c) => c.node.path).join(', ');
    if (findings.plainBesideWeighted.length > 0) {
      problems.add('WeightedMixedWithPlain',
        `weighted records of ${findings.group} share their name and type with a non-weighted record `
        + `(${paths(findings.plainBesideWeighted)}), and Route 53 rejects the mix`,
        'make it a WeightedAliasRecord of the group, or give it another name');
    }
    for (const { identifier, records } of findings.duplicateIdentifiers) {
      problems.add('SetIdentifierDuplicate',
        `${propName('setIdentifier')} ${show(identifier)} is used by ${records.length} records of ${findings.group} `
        + `(${paths(records)}), and set identifiers must be unique in a group`, 'give each record its own set_identifier');
    }
    if (findings.allWeightsZero) {
      warn(first, 'allWeightsZero',
        `every weighted record of ${findings.group} has weight 0; Route 53 documents equal routing for all-zero weights only for `
        + 'non-alias records, and how it routes alias records then is undocumented (routing-policy-weighted.html); '
        + 'give at least one record a weight above 0');
    }
  }
}
