import {
  CustomResource, Duration,
  aws_dms as dms,
  aws_iam as iam,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems } from './private/errors';
import { deployGate, gateTimeout } from './private/functions';

/**
 * Properties of a {@link DmsConnectionGate}.
 */
export interface DmsConnectionGateProps {
  /** The replication instance the connections are tested from. */
  readonly replicationInstance: dms.CfnReplicationInstance;

  /**
   * The endpoints to test, each from the replication instance: of any engine (`TestConnection` is the
   * same for all), such as a `SecureDmsPostgresEndpoint`'s or a `SecureDmsMySqlEndpoint`'s `endpoint`.
   */
  readonly endpoints: dms.CfnEndpoint[];

  /**
   * How long the gate waits for DMS's verdict before it fails the deploy (1 to 14 minutes).
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * A deploy-time gate that fails the deploy unless DMS can connect to each endpoint.
 *
 * Its custom resource calls DMS `TestConnection` for each endpoint from the replication instance,
 * then follows `DescribeConnections` until each is `successful` or `failed`. A failure fails the
 * deploy with DMS's own `LastFailureMessage`, the endpoint's name, and what to check; a test that
 * has not finished at `timeout` fails it too. It runs on create and whenever the instance or an
 * endpoint changes (a new ARN), not on every deploy. Make what needs a working connection (the
 * task) depend on it.
 *
 * Its role may call `dms:TestConnection` on that instance and those endpoints only;
 * `dms:DescribeConnections` has no resource type, so it is allowed on `*` (Service Authorization
 * Reference).
 *
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_TestConnection.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsdatabasemigrationservice.html
 */
export class DmsConnectionGate extends Construct {
  /** The function that runs the tests. */
  public readonly handler: lambda.Function;

  /** The custom resource: make the task depend on it. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DmsConnectionGateProps) {
    super(scope, id);
    const problems = new Problems(this);
    const timeout = gateTimeout(problems, props.timeout);
    if (props.endpoints.length === 0) {
      problems.prop('GateWithoutEndpoints', 'endpoints', 'is empty', 'give the endpoints DMS must be able to connect to');
    }
    problems.throwIfAny();

    const gate = deployGate(this, 'connection_handler', 'Custom::DmsConnectionTest',
      'tests that DMS can connect to each endpoint before the task is created', timeout, {
        ReplicationInstanceArn: props.replicationInstance.ref,
        EndpointArns: props.endpoints.map((endpoint) => endpoint.ref),
      });
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dms:TestConnection'],
      resources: [props.replicationInstance.ref, ...props.endpoints.map((endpoint) => endpoint.ref)],
    }));
    gate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:DescribeConnections'], resources: ['*'] }));
    this.handler = gate.handler;
    this.resource = gate.resource;
  }
}
