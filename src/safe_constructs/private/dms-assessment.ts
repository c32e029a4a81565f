// DMS's pre-migration assessment as a deploy gate: the results bucket, the service role DMS writes
// them with, and the custom resource that runs the assessment and waits for its verdict
// (assets/deploy-gates/assessment.py). Private.
import {
  ArnFormat, CfnOutput, CustomResource, Duration, RemovalPolicy, Stack,
  aws_dms as dms, aws_iam as iam, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { renderedProperties } from './cfn';
import { digestOf } from './dms-task-life';
import { waitingProvider } from './functions';

/** How long the assessment's results are kept: a year, the library's log retention. */
export const ASSESSMENT_RESULTS_KEPT = Duration.days(365);

/** What {@link premigrationAssessment} needs. */
export interface AssessmentOptions {
  readonly task: dms.CfnReplicationTask;
  readonly identifier: string;
  readonly endpoints: dms.CfnEndpoint[];
  readonly timeout: Duration;
  /** Individual assessments left out of the run (by name). */
  readonly skipped: string[];
}

/** What {@link premigrationAssessment} made. */
export interface Assessment {
  readonly resource: CustomResource;
  readonly bucket: s3.Bucket;
  readonly serviceRole: iam.Role;
  readonly role: iam.Role;
  /** What holds the handlers, their roles and the provider framework's functions and state machine. */
  readonly provider: IConstruct;
}

/**
 * The assessment gate. The results bucket is encrypted (SSE-S3), blocked from the public, refuses
 * requests without TLS and expires results after {@link ASSESSMENT_RESULTS_KEPT}; it is retained with
 * the stack (results are evidence). The service role DMS writes them with trusts `dms.amazonaws.com`
 * and has exactly the policy DMS documents (CHAP_Tasks.AssessmentReport.Prerequisites): object
 * writes, reads, deletes and tagging in that bucket, listing and locating it. The handlers' role may
 * start an assessment run of that task only (passing only that service role, to DMS only), read the
 * runs and the results, and its own stack's status. The run's verdict is the `Result` attribute,
 * shown as a stack output.
 */
export function premigrationAssessment(scope: Construct, options: AssessmentOptions): Assessment {
  const stack = Stack.of(scope);
  const bucket = new s3.Bucket(scope, 'AssessmentResults', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ expiration: ASSESSMENT_RESULTS_KEPT }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const serviceRole = new iam.Role(scope, 'AssessmentServiceRole', {
    assumedBy: new iam.ServicePrincipal('dms.amazonaws.com'),
    description: `DMS writes the pre-migration assessment results of task ${options.identifier} with it`,
  });
  serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:GetObject', 's3:PutObjectTagging'], resources: [bucket.arnForObjects('*')],
  }));
  serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket.bucketArn],
  }));

  const waiter = waitingProvider(scope, 'AssessmentWait', {
    module: 'assessment',
    description: `runs DMS's pre-migration assessment of task ${options.identifier}`,
    totalTimeout: options.timeout,
  });
  const role = waiter.role;
  const runs = stack.formatArn({ service: 'dms', resource: 'assessment-run', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dms:StartReplicationTaskAssessmentRun', 'dms:DescribeApplicableIndividualAssessments'], resources: [options.task.ref],
  }));
  // Their resource types are optional and AWS does not say which one a filtered list is authorized on:
  // the task, and the task's assessment runs (whose ARNs DMS generates).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dms:DescribeReplicationTaskAssessmentRuns', 'dms:DescribeReplicationTaskIndividualAssessments'],
    resources: [options.task.ref, runs],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:DescribeReplicationTasks'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'], resources: [serviceRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'dms.amazonaws.com' } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));

  const task = options.task;
  const resource = new CustomResource(scope, 'Assessment', {
    serviceToken: waiter.provider.serviceToken,
    resourceType: 'Custom::DmsPremigrationAssessment',
    properties: {
      TaskArn: task.ref,
      TaskIdentifier: options.identifier,
      Bucket: bucket.bucketName,
      RoleArn: serviceRole.roleArn,
      SkippedAssessments: options.skipped,
      // what it assesses: a change runs it again
      AssessedHash: digestOf(task, () => {
        const properties = renderedProperties(task) ?? {};
        return [properties.ReplicationTaskSettings, properties.TableMappings, properties.MigrationType,
          ...options.endpoints.map((endpoint) => renderedProperties(endpoint) ?? {})];
      }),
      TimeoutSeconds: options.timeout.toSeconds(),
    },
  });
  // DMS writes with the service role as soon as the run starts
  resource.node.addDependency(serviceRole, bucket);
  new CfnOutput(scope, 'AssessmentResult', {
    description: `DMS's pre-migration assessment of task ${options.identifier}: passed, or the assessments that warned`,
    value: resource.getAttString('Result'),
  });
  return { resource, bucket, serviceRole, role, provider: waiter.provider.node.scope! };
}
