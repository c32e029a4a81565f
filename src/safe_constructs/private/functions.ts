// The library's own Lambda functions: a role that writes only its log group, and the deploy-time gates. Private.
import * as path from 'path';
import {
  CustomResource, Duration, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems } from './errors';
import { GATE_TIMEOUT, LAMBDA_TIMEOUT_MAX } from './limits';

/**
 * A Lambda execution role and log group of the library's own (`<prefix>Role`, `<prefix>Logs`), the
 * role allowed to write only that group: no basic-execution managed policy, every statement on one
 * resource.
 */
export function functionRoleWithLogs(scope: Construct, prefix: string, description: string): { role: iam.Role; logGroup: logs.LogGroup } {
  const role = new iam.Role(scope, `${prefix}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  const logGroup = new logs.LogGroup(scope, `${prefix}Logs`, { retention: logs.RetentionDays.ONE_YEAR });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

const DEFAULT_GATE_TIMEOUT = Duration.minutes(10);

/** A gate's `timeout`, defaulted, and a problem when it is outside what the gate can answer within. */
export function gateTimeout(problems: Problems, timeout: Duration | undefined): Duration {
  const chosen = timeout ?? DEFAULT_GATE_TIMEOUT;
  problems.durationInRange('GateTimeoutOutOfRange', 'timeout', chosen, GATE_TIMEOUT,
    `give ${GATE_TIMEOUT.min.toMinutes()} to ${GATE_TIMEOUT.max.toMinutes()} minutes: the gate answers CloudFormation within its function's ${LAMBDA_TIMEOUT_MAX.toMinutes()}`);
  return chosen;
}

/**
 * A Lambda function's description, within Lambda's 256 characters (CreateFunction, `Description`:
 * "Length Constraints: Minimum length of 0. Maximum length of 256"): one naming a long DMS identifier
 * is cut, with an ellipsis.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export function functionDescription(text: string): string {
  return text.length <= 256 ? text : `${text.slice(0, 255)}\u2026`;
}

/**
 * A deploy-time gate: a custom resource whose function (the library's `deploy-gates` asset, boto3
 * only) waits up to `timeout` for what it checks and fails the deploy with the service's message.
 * Its role may write its own logs; the caller grants what it reads. `handler` is a function of
 * `index.py`, or `module.function` for another module of the asset.
 */
export function deployGate(scope: Construct, handler: 'connection_handler' | 'rotation_handler' | 'protection_handler' | `${string}.${string}`, resourceType: string,
  description: string, timeout: Duration, properties: { [key: string]: unknown },
): { role: iam.Role; handler: lambda.Function; resource: CustomResource } {
  const { role, logGroup } = functionRoleWithLogs(scope, '', description);
  const fn = new lambda.Function(scope, 'Function', {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: handler.includes('.') ? handler : `index.${handler}`,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'deploy-gates')),
    timeout: LAMBDA_TIMEOUT_MAX,
    role,
    logGroup,
    description: functionDescription(`safe-constructs: ${description}`),
  });
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: fn.functionArn,
    resourceType,
    properties: { ...properties, TimeoutSeconds: timeout.toSeconds() },
  });
  // The function must be allowed to read before CloudFormation invokes it.
  resource.node.addDependency(role);
  return { role, handler: fn, resource };
}

/** How often the framework asks whether the wait is over (the framework's default is 5 seconds). */
const DEFAULT_QUERY_INTERVAL = Duration.seconds(30);

/** What {@link waitingProvider} needs. */
export interface WaitingProviderOptions {
  /** The handlers' Python module in the `deploy-gates` asset; its `on_event` and `is_complete` are the entry points. */
  readonly module: string;
  /** What the handlers do, for their role's and functions' descriptions. */
  readonly description: string;
  /** The longest the deploy waits for one resource (at most an hour), a whole number of query intervals. */
  readonly totalTimeout: Duration;
  /** How often `is_complete` is asked. @default 30 seconds */
  readonly queryInterval?: Duration;
}

/** What {@link waitingProvider} made: the caller grants the handlers' role what they call. */
export interface WaitingProvider {
  readonly provider: cr.Provider;
  /** The role both handlers run with: it may write their log group and nothing else until the caller grants more. */
  readonly role: iam.Role;
  readonly onEvent: lambda.Function;
  readonly isComplete: lambda.Function;
}

/**
 * A custom resource provider for waits longer than one function may run: aws-cdk-lib's Provider
 * framework (`on_event` starts the work, `is_complete` is asked every `queryInterval` until it says
 * so or `totalTimeout` passes, run by a Step Functions waiter), as aws-cdk-lib's own EKS cluster
 * resource does. Every role is the library's own, with no managed policy, and may write only its
 * own log group: the handlers' (`Handler`), the framework's on-event function's
 * (`frameworkOnEventRole`) and the waiter functions' (`frameworkCompleteAndTimeoutRole`, a
 * different role, as the framework requires). The waiter state machine's own logging stays off
 * (the framework's default), so its role gets no `logs:*` on `*`.
 *
 * A handler that raises fails the deploy with its message; `is_complete` must return
 * `{"IsComplete": false}` (no Data) to be asked again, `{"IsComplete": true, "Data": {...}}` when done.
 * The caller checks `totalTimeout` against PROVIDER_WAIT (limits.ts).
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources-readme.html#provider-framework
 */
export function waitingProvider(scope: Construct, id: string, options: WaitingProviderOptions): WaitingProvider {
  const construct = new Construct(scope, id);
  const { role, logGroup } = functionRoleWithLogs(construct, 'Handler', options.description);
  const handler = (name: 'on_event' | 'is_complete', fnId: string) => new lambda.Function(construct, fnId, {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: `${options.module}.${name}`,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'deploy-gates')),
    // each call is a few API requests; the wait itself is the framework's
    timeout: Duration.minutes(2),
    role,
    logGroup,
    description: functionDescription(`safe-constructs: ${options.description} (${name})`),
  });
  const onEvent = handler('on_event', 'OnEvent');
  const isComplete = handler('is_complete', 'IsComplete');
  const framework = functionRoleWithLogs(construct, 'FrameworkOnEvent',
    `safe-constructs: the provider framework's on-event function (${options.description})`);
  const waiter = functionRoleWithLogs(construct, 'FrameworkWaiter',
    `safe-constructs: the provider framework's is-complete and timeout functions (${options.description})`);
  const provider = new cr.Provider(construct, 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: options.queryInterval ?? DEFAULT_QUERY_INTERVAL,
    totalTimeout: options.totalTimeout,
    frameworkOnEventRole: framework.role,
    frameworkCompleteAndTimeoutRole: waiter.role,
    logGroup: waiter.logGroup,
    disableWaiterStateMachineLogging: true,
  });
  // The framework gives its three functions one log group; the on-event function writes its own, so
  // that each role writes only its own group.
  const frameworkOnEvent = provider.node.tryFindChild('framework-onEvent');
  if (!(frameworkOnEvent instanceof lambda.Function)) {
    throw new Error(`aws-cdk-lib's Provider has no framework-onEvent function at ${provider.node.path}: safe-constructs must be updated for this aws-cdk-lib`);
  }
  (frameworkOnEvent.node.defaultChild as lambda.CfnFunction).addPropertyOverride('LoggingConfig.LogGroup', framework.logGroup.logGroupName);
  return { provider, role, onEvent, isComplete };
}
