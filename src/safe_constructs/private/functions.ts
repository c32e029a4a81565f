// The library's own Lambda functions: a role that writes only its log group, and the deploy-time gates. Private.
import * as path from 'path';
import {
  CustomResource, Duration, aws_iam as iam, aws_lambda as lambda, aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DurationBound, Problems } from './errors';

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

/** How long a deploy-time gate may wait: at most 14 minutes, so that it answers within its function's 15. */
const GATE_TIMEOUT: DurationBound = { min: Duration.minutes(1), max: Duration.minutes(14) };
const DEFAULT_GATE_TIMEOUT = Duration.minutes(10);

/** A gate's `timeout`, defaulted, and a problem when it is outside what the gate can answer within. */
export function gateTimeout(problems: Problems, timeout: Duration | undefined): Duration {
  const chosen = timeout ?? DEFAULT_GATE_TIMEOUT;
  problems.durationInRange('GateTimeoutOutOfRange', 'timeout', chosen, GATE_TIMEOUT,
    `give ${GATE_TIMEOUT.min.toMinutes()} to ${GATE_TIMEOUT.max.toMinutes()} minutes: the gate answers CloudFormation within its function's 15`);
  return chosen;
}

/**
 * A deploy-time gate: a custom resource whose function (the library's `deploy-gates` asset, boto3
 * only) waits up to `timeout` for what it checks and fails the deploy with the service's message.
 * Its role may write its own logs; the caller grants what it reads. `handler` is a function of
 * `index.py`, or `module.function` for another module of the asset.
 */
export function deployGate(scope: Construct, handler: 'connection_handler' | 'rotation_handler' | `${string}.${string}`, resourceType: string,
  description: string, timeout: Duration, properties: { [key: string]: unknown },
): { role: iam.Role; handler: lambda.Function; resource: CustomResource } {
  const { role, logGroup } = functionRoleWithLogs(scope, '', description);
  const fn = new lambda.Function(scope, 'Function', {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: handler.includes('.') ? handler : `index.${handler}`,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'deploy-gates')),
    timeout: Duration.minutes(15),
    role,
    logGroup,
    description: `safe-constructs: ${description}`,
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
