import { Duration, Token, aws_route53 as route53 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CutoverGate } from './cutover-gate';
import { DmsMigrationType } from './dms-replication-props';
import { PostgresReplication } from './postgres-replication';
import { Problems, propName, show, warn } from './private/errors';
import { PERCENT } from './private/limits';
import { SimpleRecordStart, startFromSimpleRecord } from './private/simple-record-start';
import { AliasRecordType, WeightedAliasRecord, WeightedAliasTarget } from './weighted-alias-record';

/**
 * Properties of a {@link WeightedTrafficShift}.
 */
export interface WeightedTrafficShiftProps {
  /** The hosted zone the records are in. */
  readonly zone: route53.IHostedZone;

  /** The name both records answer, relative to the zone or fully qualified. */
  readonly recordName: string;

  /** Where the traffic goes now (the old load balancer). */
  readonly oldTarget: WeightedAliasTarget;

  /** Where the traffic is moving to (the new load balancer). */
  readonly newTarget: WeightedAliasTarget;

  /**
   * The percentage of traffic the new target receives, a whole number from 0 to 100; the old one
   * receives the rest. The one number to change at each step of the migration.
   */
  readonly percentToNew: number;

  /**
   * The set identifier of the old target's record.
   *
   * @default "old"
   */
  readonly oldSetIdentifier?: string;

  /**
   * The set identifier of the new target's record.
   *
   * @default "new"
   */
  readonly newSetIdentifier?: string;

  /**
   * The record type.
   *
   * @default AliasRecordType.A
   */
  readonly recordType?: AliasRecordType;

  /**
   * Whether Route 53 stops routing to an unhealthy target.
   *
   * @default - true, except for a CloudFront distribution
   */
  readonly evaluateTargetHealth?: boolean;

  /**
   * Whether the shift is finished: the old target's record is removed, and the new target's stays,
   * unchanged, as the one weighted record of its name (weight 100, all the traffic). Only with
   * `percentToNew` 100, deployed first: the finish takes two deploys (see the class docs).
   *
   * @default false
   */
  readonly retireOld?: boolean;

  /**
   * The replication that fills the new side's database. A deploy that raises `percentToNew` then
   * first checks it (a `CutoverGate`, which the records wait for) and fails, naming each reason,
   * before any record changes, unless the task runs, every table is loaded and validated with no
   * failed, suspended or pending record, and CDC latency is under `maxCdcLatency`. Lowering the
   * share is never blocked. `retireOld` is refused while it runs CDC, unless `oldSideDone`.
   *
   * @default - none: traffic moves on the deploy alone
   */
  readonly replication?: PostgresReplication;

  /**
   * The largest CDC latency at the target a rise accepts (only with a `replication` that has CDC).
   *
   * @default Duration.seconds(60)
   */
  readonly maxCdcLatency?: Duration;

  /**
   * Whether traffic may move to a `replication` whose validation is off (refused otherwise).
   *
   * @default false
   */
  readonly acceptUnvalidatedCutover?: boolean;

  /**
   * Whether nothing writes to the old side's database any more, so that `retireOld` may go ahead
   * while the `replication` still runs CDC (refused otherwise: its changes would still be copied).
   *
   * @default false
   */
  readonly oldSideDone?: boolean;

  /**
   * Whether the name has a simple (non-weighted) alias record to the old target today, which the
   * first deploy replaces with no moment unanswered: Route 53 refuses weighted records beside it,
   * and CloudFormation creates before it deletes. A custom resource deletes it and creates a
   * weighted copy of it (the bridge) in one change batch, which Route 53 applies all or none;
   * then the shift's records are created beside the bridge, and the bridge is deleted. A simple
   * record of this stack must first be released with `RemovalPolicy.RETAIN` in a deploy of its
   * own (README, "Starting from a simple record").
   *
   * @default false
   */
  readonly fromSimpleRecord?: boolean;
}

/**
 * A gradual traffic shift between two alias targets: a pair of weighted alias records where the
 * old target gets `100 - percentToNew` and the new one `percentToNew`.
 *
 * The finish takes two deploys. First `percentToNew: 100`: the old record stays, at weight 0. Then,
 * once resolvers have had the target's TTL to forget the old answer (an alias has the TTL of the
 * resource it points to), `retireOld: true`: the old record is deleted and the new one is left as
 * it is, the one weighted record of its name, which gets all the traffic. Do not end by replacing
 * the pair with a plain (simple) record: Route 53 refuses a non-weighted record beside weighted
 * records of the same name and type, and CloudFormation creates new resources before it deletes the
 * removed ones, so that deploy fails.
 *
 * @example
 * declare const zone: route53.IHostedZone;
 * declare const oldLb: elbv2.IApplicationLoadBalancer;
 * declare const newLb: elbv2.IApplicationLoadBalancer;
 * new WeightedTrafficShift(this, 'Pay', {
 *   zone,
 *   recordName: 'pay',
 *   oldTarget: WeightedAliasTarget.fromLoadBalancer(oldLb),
 *   newTarget: WeightedAliasTarget.fromLoadBalancer(newLb),
 *   percentToNew: 10,
 * });
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 */
export class WeightedTrafficShift extends Construct {
  /** The old target's record; undefined once retired (`retireOld`). */
  public readonly oldRecord?: WeightedAliasRecord;

  /** The new target's record. */
  public readonly newRecord: WeightedAliasRecord;

  /** The gate the records wait for, when a `replication` is tied to the shift. */
  public readonly cutoverGate?: CutoverGate;

  /** The custom resources that replace a simple record (`fromSimpleRecord`). */
  private readonly simpleRecordStart?: SimpleRecordStart;

  constructor(scope: Construct, id: string, props: WeightedTrafficShiftProps) {
    super(scope, id);
    const problems = new Problems(this);
    if (Token.isUnresolved(props.percentToNew)) {
      problems.prop('PercentUnresolved', 'percentToNew',
        'must be known at synth time (CloudFormation cannot compute 100 minus a parameter), got: (an unresolved token)',
        'give a number, or use two WeightedAliasRecords');
    }
    problems.integerInRange('PercentOutOfRange', 'percentToNew', props.percentToNew, PERCENT,
      'give the share of traffic the new target receives, in percent');
    const oldSetIdentifier = props.oldSetIdentifier ?? 'old';
    const newSetIdentifier = props.newSetIdentifier ?? 'new';
    if (!Token.isUnresolved(oldSetIdentifier) && oldSetIdentifier === newSetIdentifier) {
      problems.prop('SetIdentifierDuplicate', 'newSetIdentifier',
        `is the same as ${propName('oldSetIdentifier')}, got: ${show(newSetIdentifier)} for both`,
        'give the two records of the shift different set identifiers');
    }
    if (props.retireOld && !Token.isUnresolved(props.percentToNew) && props.percentToNew !== PERCENT.max) {
      problems.prop('RetireOldBeforeFullShift', 'retireOld', `is true while ${propName('percentToNew')} is ${props.percentToNew}, `
        + 'and the old target still receives that traffic', 'deploy percent_to_new=100 first, then retire_old=True in a second deploy');
    }
    this.validateCutover(problems, props);
    problems.throwIfAny();
    const shared = {
      zone: props.zone,
      recordName: props.recordName,
      recordType: props.recordType,
      evaluateTargetHealth: props.evaluateTargetHealth,
    };
    if (props.replication) {
      this.cutoverGate = new CutoverGate(this, 'CutoverGate', {
        replication: props.replication,
        percentToNew: props.percentToNew,
        maxCdcLatency: props.maxCdcLatency,
        acceptUnvalidatedCutover: props.acceptUnvalidatedCutover,
      });
    }
    if (!props.retireOld) {
      this.oldRecord = new WeightedAliasRecord(this, 'Old', {
        ...shared, target: props.oldTarget, setIdentifier: oldSetIdentifier, weight: 100 - props.percentToNew,
      });
    }
    this.newRecord = new WeightedAliasRecord(this, 'New', {
      ...shared, target: props.newTarget, setIdentifier: newSetIdentifier, weight: props.percentToNew,
    });
    const records = [this.oldRecord, this.newRecord].filter((r): r is WeightedAliasRecord => r !== undefined);
    if (props.fromSimpleRecord) {
      this.simpleRecordStart = startFromSimpleRecord(this, 'SimpleRecordStart', {
        zone: props.zone,
        recordName: this.newRecord.domainName,
        recordType: props.recordType ?? AliasRecordType.A,
        bridgeSetIdentifier: `${oldSetIdentifier}-bridge`,
        oldTarget: {
          dnsName: props.oldTarget.dnsName,
          hostedZoneId: props.oldTarget.hostedZoneId,
          evaluateTargetHealth: props.evaluateTargetHealth ?? props.oldTarget.supportsHealthEvaluation,
        },
        records,
      });
    }
    // Nothing moves before the proof: the records, and the replacement of a simple record, wait for the gate.
    this.cutoverGate?.guard(...records, ...(this.simpleRecordStart ? [this.simpleRecordStart.start] : []));
  }

  /** The tie to a replication: its props only with it, and no retirement of the old side while CDC runs. */
  private validateCutover(problems: Problems, props: WeightedTrafficShiftProps): void {
    if (!props.replication) {
      for (const prop of ['maxCdcLatency', 'acceptUnvalidatedCutover', 'oldSideDone'] as const) {
        if (props[prop] !== undefined) {
          problems.prop('CutoverPropWithoutReplication', prop, 'is given without replication, and only a shift tied to a '
            + 'replication uses it', `pass replication=<the PostgresReplication> (replication), or remove ${propName(prop)}`);
        }
      }
      return;
    }
    const cdc = props.replication.migrationType !== DmsMigrationType.FULL_LOAD;
    if (props.retireOld && cdc && !props.oldSideDone) {
      problems.prop('RetireOldWhileCdc', 'retireOld', `is true while the replication ${props.replication.node.path} runs CDC `
        + `(${props.replication.migrationType}): writes that still reach the old database are copied to the new one until it stops`,
      'once nothing writes to the old database, set old_side_done=True (oldSideDone) with retire_old, then retire the replication '
        + '(README, "Cutting over")');
    }
    if (props.retireOld && cdc && props.oldSideDone) {
      warn(this, 'oldSideDeclaredDone', `${propName('oldSideDone')} is true: the old record is retired while the replication `
        + `${props.replication.node.path} still runs CDC, on your word that nothing writes to the old database any more`);
    }
  }
}
