// A DMS task's life through deploys and rotations: its name, the resources that start, stop and resume
// it around CloudFormation's updates (assets/deploy-gates/task_life.py), and the function that has it
// log in again after a rotation (rotation_restart.py). Private.
import { createHash } from 'crypto';
import * as path from 'path';
import {
  ArnFormat, CustomResource, Duration, Lazy, Stack, Tags,
  aws_dms as dms, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_lambda as lambda,
  aws_secretsmanager as secretsmanager, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { renderedProperties } from './cfn';
import { dmsIdentifier } from './dms-identifiers';
import { functionRoleWithLogs, waitingProvider } from './functions';

/**
 * The tag every task of one replication carries (its name without `restartFullLoadAs`), so that the
 * handlers may start and stop the replication's tasks, the one being replaced too, and no other:
 * the task's ARN cannot be named, since the guard runs before the task exists or is replaced.
 * `aws:ResourceTag/${TagKey}` is a condition key of DMS's ReplicationTask resource type (Service
 * Authorization Reference).
 */
export const TASK_TAG_KEY = 'safe-constructs:replication';

/** The longest task identifier DMS takes (CreateReplicationTask, ReplicationTaskIdentifier: 1 to 255 characters). */
export const TASK_IDENTIFIER_MAX = 255;
/** What a `restartFullLoadAs` suffix may be: lower-case letters, digits and single hyphens, inside the identifier's room. */
export const RESTART_LABEL = /^[a-z0-9](?:-?[a-z0-9]){0,29}$/;
const BASE_MAX = TASK_IDENTIFIER_MAX - 31;

/**
 * The task's identifier without its `-<label>` (for a task that loads everything again): the one
 * identifier the library derives for DMS ({@link dmsIdentifier}: the stack's name and the construct's
 * path with their hash, lower case, within DMS's rule), leaving room for the label. Stable across deploys.
 */
export function taskIdentifier(scope: Construct): string {
  return dmsIdentifier(scope, BASE_MAX);
}

/** A digest of values as they will be synthesized (tokens as their CloudFormation), computed at synth. */
export function digestOf(scope: IConstruct, values: () => unknown): string {
  return Lazy.string({
    produce: () => createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(values()))).digest('hex').slice(0, 40),
  });
}

/** The properties a task is modified with (ModifyReplicationTask), as synthesized. */
const MODIFIABLE = ['ReplicationTaskIdentifier', 'ReplicationTaskSettings', 'TableMappings', 'CdcStartPosition',
  'CdcStartTime', 'CdcStopPosition', 'TaskData'];

/** A digest of what a change would modify the task with: the guard stops a running task when it changes. */
export function modifiableDigest(task: dms.CfnReplicationTask): string {
  return digestOf(task, () => {
    const properties = renderedProperties(task) ?? {};
    return MODIFIABLE.map((key) => properties[key] ?? null);
  });
}

/** What {@link taskLife} builds the resources from. */
export interface TaskLifeOptions {
  readonly task: dms.CfnReplicationTask;
  readonly identifier: string;
  /** The tag value of the replication's tasks ({@link TASK_TAG_KEY}). */
  readonly tagValue: string;
  readonly startTask: boolean;
  readonly stopForUpdates: boolean;
  /** The longest a start, a stop or a resume is waited for. */
  readonly timeout: Duration;
  /** What the first start waits for besides the task (the assessment gate). */
  readonly startAfter: IConstruct[];
}

/** The guard the task waits for, and the resource that starts the task and stops it before deletion. */
export interface TaskLife {
  readonly guard: CustomResource;
  readonly run: CustomResource;
  readonly role: iam.Role;
  /** What holds the handlers, their roles and the provider framework's functions and state machine. */
  readonly provider: IConstruct;
}

/**
 * The task's life through deploys (assets/deploy-gates/task_life.py): a guard the task depends on
 * (it refuses a replacement and stops a running task before CloudFormation modifies it), and a
 * resource that depends on the task (it starts a task that never ran, resumes the one the guard
 * stopped, and stops the task before CloudFormation deletes it). Their role may describe tasks (no
 * resource type), start and stop only the replication's tasks (by their tag), and read its own stack's
 * status (for rollbacks).
 */
export function taskLife(scope: Construct, options: TaskLifeOptions): TaskLife {
  const { task, identifier } = options;
  Tags.of(task).add(TASK_TAG_KEY, options.tagValue);
  const stack = Stack.of(scope);
  const waiter = waitingProvider(scope, 'TaskLifeWait', {
    module: 'task_life',
    description: `starts DMS task ${identifier} once, stops and resumes it around updates`,
    totalTimeout: options.timeout,
  });
  waiter.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:DescribeReplicationTasks'], resources: ['*'] }));
  waiter.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dms:StartReplicationTask', 'dms:StopReplicationTask'],
    // the stack's partition, as every other ARN the library writes
    resources: [stack.formatArn({ service: 'dms', resource: 'task', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    conditions: { StringEquals: { [`aws:ResourceTag/${TASK_TAG_KEY}`]: options.tagValue } },
  }));
  waiter.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
  const timeoutSeconds = options.timeout.toSeconds();
  const modifiable = modifiableDigest(task);
  const guard = new CustomResource(scope, 'TaskUpdateGuard', {
    serviceToken: waiter.provider.serviceToken,
    resourceType: 'Custom::DmsTaskUpdateGuard',
    properties: {
      TaskIdentifier: identifier,
      ModifiableHash: modifiable,
      MigrationType: task.migrationType,
      ReplicationInstanceArn: task.replicationInstanceArn,
      SourceEndpointArn: task.sourceEndpointArn,
      TargetEndpointArn: task.targetEndpointArn,
      ResourceIdentifier: Lazy.string({ produce: () => task.resourceIdentifier ?? '' }),
      StopForUpdates: String(options.stopForUpdates),
      TimeoutSeconds: timeoutSeconds,
    },
  });
  task.node.addDependency(guard);
  const run = new CustomResource(scope, 'TaskRun', {
    serviceToken: waiter.provider.serviceToken,
    resourceType: 'Custom::DmsTaskRun',
    properties: {
      TaskIdentifier: identifier,
      TaskArn: task.ref,
      MigrationType: task.migrationType,
      StartTask: String(options.startTask),
      StoppedBy: guard.ref,
      ModifiableHash: modifiable,
      TimeoutSeconds: timeoutSeconds,
    },
  });
  run.node.addDependency(task, ...options.startAfter);
  return { guard, run, role: waiter.role, provider: waiter.provider.node.scope! };
}

/** What {@link rotationRestart} needs. */
export interface RotationRestartOptions {
  readonly task: dms.CfnReplicationTask;
  /** The secrets the task's endpoints read. */
  readonly secrets: secretsmanager.ISecret[];
}

/**
 * After a rotation of an endpoint's secret (Secrets Manager's RotationSucceeded, through CloudTrail
 * to EventBridge), a function stops and resumes the task if it is running
 * (assets/deploy-gates/rotation_restart.py). Its role may describe tasks and start and stop that one
 * task; Lambda does not retry it (a retry would find the task stopped and leave it).
 */
export function rotationRestart(scope: Construct, options: RotationRestartOptions): { handler: lambda.Function; rule: events.Rule } {
  const { role, logGroup } = functionRoleWithLogs(scope, 'RotationRestart',
    'stops and resumes a DMS task after a rotation of its endpoints\' secrets');
  const handler = new lambda.Function(scope, 'RotationRestartFunction', {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: 'rotation_restart.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'deploy-gates')),
    timeout: Duration.minutes(15),
    role,
    logGroup,
    retryAttempts: 0,
    environment: { TASK_ARN: options.task.ref },
    description: 'safe-constructs: stops and resumes the DMS task after a rotation of its endpoints\' secrets',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:DescribeReplicationTasks'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dms:StartReplicationTask', 'dms:StopReplicationTask'], resources: [options.task.ref],
  }));
  // The event carries the secret's full ARN (with its random suffix): an imported secret known by a
  // partial ARN matches by prefix.
  const secretIds = options.secrets.map((secret) => secret.secretFullArn ?? { prefix: `${secret.secretArn}-` });
  const rule = new events.Rule(scope, 'RotationRestartRule', {
    description: 'safe-constructs: a rotation of a DMS endpoint\'s secret succeeded: the task logs in again',
    eventPattern: {
      source: ['aws.secretsmanager'],
      // CloudTrail delivers RotationSucceeded; the guides name both detail types for it (see README)
      detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['RotationSucceeded'],
        additionalEventData: { SecretId: secretIds },
      },
    },
    targets: [new targets.LambdaFunction(handler)],
  });
  return { handler, rule };
}

/**
 * Has the rotation's function publish a task it could not resume to the replication's topic (the
 * `TOPIC_ARN` of rotation_restart.py): `sns:Publish` on that topic, and `kms:Decrypt` and
 * `kms:GenerateDataKey*` on its key, the two a publisher to an encrypted topic needs (SNS guide,
 * "Enable compatibility between event sources from AWS services and encrypted topics"), as
 * CloudWatch and EventBridge get them (replication-watch.ts): aws-cdk-lib's `grantPublish` grants
 * exactly these, each on one ARN.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function publishFailedResumes(handler: lambda.Function, topic: sns.ITopic): void {
  handler.addEnvironment('TOPIC_ARN', topic.topicArn);
  topic.grantPublish(handler);
}
