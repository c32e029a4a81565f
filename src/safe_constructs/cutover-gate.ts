import {
  CustomResource, Duration, Stack, Token,
  aws_iam as iam,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DmsMigrationType } from './dms-replication-props';
import { PostgresReplication } from './postgres-replication';
import { Problems, propName, warn } from './private/errors';
import { deployGate, gateTimeout } from './private/functions';

/**
 * The CDC latency a cutover accepts by default. AWS gives no number: one minute is CloudWatch's
 * finest period for DMS's metrics, which the gate reads as per-minute maxima, so by default each
 * of the last ten minutes had its slowest change applied on the target within that minute.
 */
const DEFAULT_MAX_CDC_LATENCY = Duration.seconds(60);

/** How far back the gate reads CDC latency, in minutes (a whole number of one-minute periods). */
const LATENCY_WINDOW_MINUTES = 10;

/**
 * Properties of a {@link CutoverGate}.
 */
export interface CutoverGateProps {
  /** The replication whose data must be proven before traffic moves to the new side. */
  readonly replication: PostgresReplication;

  /**
   * The share of traffic the new side receives once the deploy is done, in percent. The gate
   * runs when it changes, and checks only when it rises: going back is never blocked.
   */
  readonly percentToNew: number;

  /**
   * The largest CDC latency at the target (`CDCLatencyTarget`, per minute, over the last ten
   * minutes) a rise accepts. Only for a replication with CDC: a full load has none.
   *
   * @default - Duration.seconds(60) with CDC (AWS gives no number: see README, "Cutting over")
   */
  readonly maxCdcLatency?: Duration;

  /**
   * Whether a rise may go ahead on a replication whose validation is off. Refused otherwise: with
   * validation off, DMS never compares the rows it migrated.
   *
   * @default false
   */
  readonly acceptUnvalidatedCutover?: boolean;

  /**
   * How long the gate keeps reading while DMS or CloudWatch throttle it (1 to 14 minutes).
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * A deploy-time gate that fails a deploy raising the share of traffic sent to a migration's new
 * side unless the replication is proven, naming every reason it is not:
 *
 * - the task is `running`, or, for a full-load task, `stopped` with `Stop Reason
 *   FULL_LOAD_ONLY_FINISHED` (DescribeReplicationTasks);
 * - the full load is complete (`FullLoadProgressPercent` 100, no table loading, queued or
 *   errored) and every table reports `TableState` "Table completed" (DescribeTableStatistics);
 * - validation has finished: every table "Validated", with no failed, suspended or pending record;
 * - with CDC, `CDCLatencyTarget` (CloudWatch, `AWS/DMS`) has datapoints in the last ten minutes and
 *   none reaches `maxCdcLatency`. No datapoint is no proof.
 *
 * The records of the shift depend on the gate, so a refused deploy changes no record. It runs
 * when `percentToNew` changes and checks only a rise (from the old value in CloudFormation's
 * update event): lowering the share, and so a rollback, is never blocked.
 *
 * Its role may call `dms:DescribeTableStatistics` on the task; `dms:DescribeReplicationTasks` and
 * `cloudwatch:GetMetricStatistics` have no resource type, so they are allowed on `*` (Service
 * Authorization Reference). It can change nothing.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Validating.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html
 */
export class CutoverGate extends Construct {
  /** The function that reads the replication. */
  public readonly handler: lambda.Function;

  /** The custom resource: what must not change before the proof depends on it. */
  public readonly resource: CustomResource;

  /** The CDC latency the gate accepts; undefined for a full-load replication. */
  public readonly maxCdcLatency?: Duration;

  /** What the gate reads, without the share. */
  private readonly proof: { [key: string]: unknown };

  constructor(scope: Construct, id: string, props: CutoverGateProps) {
    super(scope, id);
    const problems = new Problems(this);
    const timeout = gateTimeout(problems, props.timeout);
    const replication = props.replication;
    const fullLoadOnly = replication.migrationType === DmsMigrationType.FULL_LOAD;
    if (props.maxCdcLatency !== undefined) {
      if (fullLoadOnly) {
        problems.prop('CdcLatencyBoundOnFullLoad', 'maxCdcLatency', `is ${props.maxCdcLatency.toHumanString()}, and the replication `
          + `${replication.node.path} is a full load, which has no CDC and no CDC latency`,
        'remove max_cdc_latency, or give the replication migration_type=DmsMigrationType.FULL_LOAD_AND_CDC');
      } else if (!props.maxCdcLatency.isUnresolved() && props.maxCdcLatency.toMilliseconds() < 1000) {
        problems.prop('CdcLatencyBoundInvalid', 'maxCdcLatency', `must be a positive duration of one second or more, got: ${props.maxCdcLatency.toHumanString()}`,
          `give the largest lag the cutover accepts, such as Duration.seconds(30); omit it for ${DEFAULT_MAX_CDC_LATENCY.toHumanString()}`);
      }
    }
    const regions = [Stack.of(this).region, Stack.of(replication).region];
    if (regions.every((region) => !Token.isUnresolved(region)) && regions[0] !== regions[1]) {
      problems.prop('CutoverRegionMismatch', 'replication', `is in ${regions[1]} and the records' stack in ${regions[0]}: the gate `
        + 'reads DMS and CloudWatch in its own region, where the task does not exist',
      'define the shift in a stack of the replication\'s region');
    }
    if (!replication.validationEnabled && !props.acceptUnvalidatedCutover) {
      problems.prop('UnvalidatedCutover', 'replication', `${replication.node.path} does not validate the rows it migrates, so no `
        + 'deploy could prove them before traffic moves', 'turn its validation back on (omit validation=False), or set '
        + 'accept_unvalidated_cutover=True to move traffic on an unproven copy');
    }
    problems.throwIfAny();
    if (!replication.validationEnabled) {
      warn(this, 'unvalidatedCutover', `${propName('acceptUnvalidatedCutover')} is true: traffic moves to the new side of `
        + `${replication.node.path} once its load and latency are proven, without any proof that its rows match the source`);
    }

    this.maxCdcLatency = fullLoadOnly ? undefined : props.maxCdcLatency ?? DEFAULT_MAX_CDC_LATENCY;
    this.proof = {
      ReplicationTaskArn: replication.task.ref,
      MigrationType: replication.migrationType,
      // CDCLatencyTarget's dimension values, as the replication's own alarms read them
      ...replication._taskMetricDimensions,
      Validation: replication.validationEnabled,
      MaxCdcLatencySeconds: this.maxCdcLatency?.toSeconds({ integral: false }),
      LatencyWindowMinutes: LATENCY_WINDOW_MINUTES,
    };
    const gate = deployGate(this, 'cutover.cutover_handler', 'Custom::DmsCutoverProof',
      'checks that a DMS replication is loaded, validated and caught up before traffic moves to its target', timeout, {
        ...this.proof,
        // The gate runs when the share changes; the handler compares it with the old value.
        PercentToNew: props.percentToNew,
      });
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dms:DescribeTableStatistics'], resources: [replication.task.ref],
    }));
    // No resource type for either action (Service Authorization Reference): "*" is the narrowest there is.
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dms:DescribeReplicationTasks', 'cloudwatch:GetMetricStatistics'], resources: ['*'],
    }));
    this.handler = gate.handler;
    this.resource = gate.resource;
  }

  /**
   * The payload that asks the gate directly, outside a deploy, whether a rise from 0 to
   * `percentToNew` would pass now (`aws lambda invoke --function-name <handler> --payload ...`): it
   * returns `{"Proven": ..., "Reasons": ...}` and answers nobody. Tokens resolve at deploy.
   */
  public verdictPayload(percentToNew: number): string {
    return Stack.of(this).toJsonString({ ResourceProperties: { ...this.proof, PercentToNew: percentToNew } });
  }

  /** Makes each construct wait for the proof: nothing in them changes before the gate passes. */
  public guard(...constructs: IConstruct[]): void {
    for (const construct of constructs) construct.node.addDependency(this.resource);
  }
}
