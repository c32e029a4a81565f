import {
  CustomResource, Duration, Stack,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems } from './private/errors';
import { deployGate, gateTimeout } from './private/functions';
import { secretArnForPolicy } from './private/secrets';

/**
 * Properties of a {@link FirstRotationGate}.
 */
export interface FirstRotationGateProps {
  /** The secret whose first rotation must finish. */
  readonly secret: secretsmanager.ISecret;

  /** The secret's rotation schedule, which starts the rotation when it is created. */
  readonly rotationSchedule: secretsmanager.RotationSchedule;

  /**
   * How long the gate waits for the rotation to finish before it fails the deploy (1 to 14 minutes).
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * A deploy-time gate that fails the deploy unless a secret's first rotation finished.
 *
 * A new rotation schedule starts a rotation at once, and RotateSecret only starts it ("Configures
 * and starts the asynchronous process of rotating the secret"): nothing in CloudFormation's
 * documentation of `AWS::SecretsManager::RotationSchedule` says it waits for the result, so a
 * rotation that fails shows only later, as an `AWSPENDING` version that makes every later
 * rotation fail. This gate waits, after the schedule, until Secrets Manager reports a completed
 * rotation (DescribeSecret's `LastRotatedDate`, which only a rotation that completed sets) and no
 * version is `AWSPENDING` apart from `AWSCURRENT`. A moved `AWSCURRENT` would prove nothing: a secret
 * attached to its database has an `AWSPREVIOUS` version before any rotation, since the attachment
 * writes a new version. At `timeout` it fails the deploy
 * with the secret's state, the rotation function's log group, and the troubleshooting guide's
 * usual causes. It runs on create and when the schedule changes (which rotates again by
 * default), not on other updates.
 *
 * Its role may call `DescribeSecret` and `ListSecretVersionIds` on that one secret: it never reads
 * the value.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html
 */
export class FirstRotationGate extends Construct {
  /** The function that waits for the rotation. */
  public readonly handler: lambda.Function;

  /** The custom resource, created after the rotation schedule. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: FirstRotationGateProps) {
    super(scope, id);
    const problems = new Problems(this);
    const timeout = gateTimeout(problems, props.timeout);
    problems.throwIfAny();

    const schedule = props.rotationSchedule.node.defaultChild as secretsmanager.CfnRotationSchedule;
    const gate = deployGate(this, 'rotation_handler', 'Custom::FirstRotationCheck',
      'waits for the first rotation of a secret to finish', timeout, {
        SecretId: props.secret.secretFullArn ?? props.secret.secretArn,
        // A change of the schedule rotates again (RotateImmediatelyOnUpdate defaults to true): check again then.
        Schedule: Stack.of(this).toJsonString({ rules: schedule.rotationRules, hosted: schedule.hostedRotationLambda }),
      });
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
      resources: [secretArnForPolicy(props.secret)],
    }));
    gate.resource.node.addDependency(props.rotationSchedule);
    this.handler = gate.handler;
    this.resource = gate.resource;
  }
}
