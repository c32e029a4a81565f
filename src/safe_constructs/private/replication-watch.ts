// What watches a replication: its alarms, the notification when its task or instance changes state,
// and the SNS topic they all go to. Private; PostgresReplication decides what to watch.
import {
  ArnFormat, Duration, Stack,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MetricFact } from './replication-metrics';

/** CloudWatch alarms publish to SNS as this service principal. */
const CLOUDWATCH = 'cloudwatch.amazonaws.com';

/**
 * What a service that publishes to an encrypted topic needs on its key: "To allow the AWS service to
 * have the kms:GenerateDataKey* and kms:Decrypt permissions, add the following statement to the KMS
 * policy" (SNS guide, "Enable compatibility between event sources from AWS services and encrypted
 * topics"); for CloudWatch alarms the same two ("How do I configure a CloudWatch alarm with an
 * encrypted SNS topic?", AWS Knowledge Center), which aws-cdk-lib's generated `TopicGrants.publish`
 * also grants. The AWS managed key (alias/aws/sns) cannot be given them: its policy is AWS's.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
 */
const PUBLISHER_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/** One alarm: its metric, the dimension values, where it fires and what it means. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: MetricFact;
  readonly statistic: 'Maximum' | 'Minimum';
  readonly dimensions: Record<string, string>;
  /** In the metric's unit. */
  readonly threshold: number;
  readonly above: boolean;
  readonly evaluationPeriods: number;
  readonly description: string;
}

/** Every alarm's period: RDS publishes its metrics each minute, and 5 minutes is the DMS console's. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * The topic the replication's alarms and notifications go to: an encrypted one (a key of its own, with
 * rotation; publishing only over TLS) whose key and policy let CloudWatch alarms of this account and
 * region publish, or the one given, to which the same is added where it can be (a topic of the app).
 * EventBridge's grant comes with its rule target (aws-cdk-lib's `SnsTopic` grants events.amazonaws.com
 * `sns:Publish` on the topic and the same two key actions).
 *
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 */
export function alarmTopicOf(scope: Construct, given: sns.ITopic | undefined, description: string): sns.ITopic {
  let topic = given;
  if (!topic) {
    const key = new kms.Key(scope, 'TopicKey', { enableKeyRotation: true, description: `${description}: its alarms' SNS topic` });
    topic = new sns.Topic(scope, 'Topic', { masterKey: key, enforceSSL: true, displayName: description.slice(0, 100) });
  }
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal(CLOUDWATCH)],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
  }));
  topic.masterKey?.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsPublishToTheTopic',
    principals: [new iam.ServicePrincipal(CLOUDWATCH)],
    actions: PUBLISHER_KEY_ACTIONS,
    resources: ['*'],
  }));
  return topic;
}

/**
 * An alarm that tells the topic when it fires, when it recovers, and when its data is insufficient.
 * Missing data counts as breaching: an alarm whose metric never arrives (a dimension value DMS does
 * not publish, a task that is not running) goes to ALARM rather than staying silent. A new alarm starts
 * in INSUFFICIENT_DATA and acts only on a change of state, so an INSUFFICIENT_DATA action alone would
 * never fire for a metric that never had data.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
export function addAlarm(scope: Construct, topic: sns.ITopic, spec: AlarmSpec): cloudwatch.Alarm {
  const metric = new cloudwatch.Metric({
    namespace: spec.metric.namespace,
    metricName: spec.metric.metricName,
    dimensionsMap: spec.dimensions,
    statistic: spec.statistic,
    period: ALARM_PERIOD,
  });
  const alarm = metric.createAlarm(scope, spec.id, {
    threshold: spec.threshold,
    comparisonOperator: spec.above ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.evaluationPeriods,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    alarmDescription: `${spec.description} No data counts as breaching: an alarm with no data means the metric is not `
      + `published under these dimensions (see README, "The alarms and the notifications"). Source: ${spec.metric.source}`,
  });
  const action = new cloudwatchActions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  alarm.addInsufficientDataAction(action);
  return alarm;
}

/**
 * A rule that sends every state change of the task and of its replication instance to the topic:
 * `source` `aws.dms`, `detail-type` "DMS Replication Task State Change" and "DMS Replication Instance
 * State Change", `resources` their ARNs (the fields DMS's sample event has). It does not filter on
 * `detail`: two versions of DMS's own page name its fields differently (`eventId`, `eventName`), and
 * DMS documents no value of `eventType` but REPLICATION_TASK_STARTED, so a filter there could miss a
 * failure. DMS: "we recommend that you use Amazon EventBridge to provide notifications" (3.4.6 and
 * later); delivery is best effort.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_EventBridge.html
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html
 */
export function stateChangeRule(scope: Construct, id: string, topic: sns.ITopic, taskArn: string, instanceArn: string): events.Rule {
  return new events.Rule(scope, id, {
    description: 'DMS: every state change of the replication task and its instance (started, stopped, failed, reading paused)',
    eventPattern: {
      source: ['aws.dms'],
      detailType: ['DMS Replication Task State Change', 'DMS Replication Instance State Change'],
      resources: [taskArn, instanceArn],
    },
    targets: [new targets.SnsTopic(topic)],
  });
}

/** The alarms a replication may have, by construct id. */
export type WatchedAlarm = 'CdcLatencySource' | 'CdcLatencyTarget' | 'SourceSlotLag' | 'SourceTransactionLogs' | 'SourceFreeStorage'
| 'InstanceFreeStorage' | 'InstanceFreeableMemory';

/** What watches a replication: its topic, its alarms by id, and the rule of its state changes. */
export interface Watch {
  readonly topic: sns.ITopic;
  readonly rule: events.Rule;
  readonly alarms: Partial<Record<WatchedAlarm, cloudwatch.Alarm>>;
}

/** The thresholds, by the name of their field in `ReplicationAlarmThresholds` (seconds, or MB). */
export type AlarmThresholds = Record<'cdcLatencySeconds' | 'sourceSlotLagMb' | 'sourceTransactionLogsMb' | 'sourceFreeStorageMb'
| 'instanceFreeStorageMb' | 'instanceFreeableMemoryMb', number>;

/**
 * The thresholds given, and the library's defaults for the others (README, "The alarms and the
 * notifications", says why each): no AWS document gives a number for any of them.
 */
export function defaultThresholds(inputs: {
  /** The source's allocated storage in MB, when known. */
  readonly sourceStorageMb?: number;
  /** The bound set on the source's max_slot_wal_keep_size, in MB. */
  readonly slotWalBoundMb?: number;
  readonly aurora: boolean;
  /** The replication instance's allocated storage, in GB. */
  readonly instanceStorageGb: number;
  readonly given: Partial<AlarmThresholds>;
}): AlarmThresholds {
  const storage = inputs.sourceStorageMb;
  const defaults: AlarmThresholds = {
    cdcLatencySeconds: 600,
    sourceSlotLagMb: inputs.slotWalBoundMb !== undefined ? Math.floor(inputs.slotWalBoundMb / 2)
      : storage !== undefined ? Math.floor(storage / 10) : 10240,
    sourceTransactionLogsMb: storage !== undefined ? Math.floor(storage / 5) : 20480,
    sourceFreeStorageMb: inputs.aurora ? 2048 : storage !== undefined ? Math.floor(storage / 10) : 10240,
    // DMS-EVENT-0007 (LowStorage): "The replication instance has consumed more than 90% of its allocated storage"
    instanceFreeStorageMb: Math.floor(inputs.instanceStorageGb * 1024 / 10),
    instanceFreeableMemoryMb: 256,
  };
  const given = Object.fromEntries(Object.entries(inputs.given).filter(([, value]) => value !== undefined));
  return { ...defaults, ...given };
}
