// The start of a weighted shift from a simple record: one Route 53 change batch replaces the simple
// record with a weighted copy (the bridge), the shift's records are created beside it, and the bridge
// goes. Read by WeightedTrafficShift. Private.
import { CustomResource, Duration, Stack, Token, aws_iam as iam, aws_route53 as route53 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { deployGate } from './functions';

/** What {@link startFromSimpleRecord} needs. */
export interface SimpleRecordStartOptions {
  readonly zone: route53.IHostedZone;
  /** The records' fully qualified name, with the final dot. */
  readonly recordName: string;
  readonly recordType: string;
  /** The set identifier of the bridge: a weighted copy of the simple record, unique in the group. */
  readonly bridgeSetIdentifier: string;
  /** The old target: the simple record must point to it, and a rollback puts it back. */
  readonly oldTarget: route53.CfnRecordSet.AliasTargetProperty;
  /** The shift's records, created between the two steps. */
  readonly records: IConstruct[];
}

/** The two custom resources of the start, and the function that runs them. */
export interface SimpleRecordStart {
  /** Replaces the simple record with the bridge, in one change batch; the records wait for it. */
  readonly start: CustomResource;
  /** Deletes the bridge once the records exist; it waits for them. */
  readonly finish: CustomResource;
  readonly role: iam.IRole;
}

/** How long a step waits for Route 53 to apply its change (INSYNC) and CloudFormation to answer. */
const START_TIMEOUT = Duration.minutes(10);

/**
 * The two steps around the shift's records. Each step's role may change only this name and type in
 * this zone, by CREATE and DELETE (Route 53's condition keys), list the zone's records, read its
 * changes, and read its own stack's status (a step undoes itself only while the stack rolls back).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
 */
export function startFromSimpleRecord(scope: Construct, id: string, options: SimpleRecordStartOptions): SimpleRecordStart {
  const construct = new Construct(scope, id);
  const properties = {
    HostedZoneId: options.zone.hostedZoneId,
    RecordName: options.recordName,
    RecordType: options.recordType,
    BridgeSetIdentifier: options.bridgeSetIdentifier,
    OldTarget: {
      DNSName: options.oldTarget.dnsName,
      HostedZoneId: options.oldTarget.hostedZoneId,
      EvaluateTargetHealth: options.oldTarget.evaluateTargetHealth,
    },
  };
  const gate = deployGate(construct, 'shift_start.start_handler', 'Custom::WeightedShiftStart',
    'replaces a simple Route 53 record with weighted records, leaving no moment unanswered', START_TIMEOUT,
    { ...properties, Step: 'switch' });
  const finish = new CustomResource(construct, 'Finish', {
    serviceToken: gate.handler.functionArn,
    resourceType: 'Custom::WeightedShiftStart',
    properties: { ...properties, Step: 'finish', TimeoutSeconds: START_TIMEOUT.toSeconds() },
  });
  finish.node.addDependency(gate.role);
  for (const record of options.records) {
    record.node.addDependency(gate.resource);
    finish.node.addDependency(record);
  }
  const stack = Stack.of(construct);
  const zoneArn = stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: options.zone.hostedZoneId });
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['route53:ChangeResourceRecordSets'],
    resources: [zoneArn],
    conditions: {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
        'route53:ChangeResourceRecordSetsRecordTypes': [options.recordType],
        // "All letters must be lowercase. The DNS name must be without the trailing dot."
        ...(Token.isUnresolved(options.recordName) ? {}
          : { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [options.recordName.toLowerCase().replace(/\.$/, '')] }),
      },
    },
  }));
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [zoneArn] }));
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['route53:GetChange'],
    resources: [stack.formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' })],
  }));
  gate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
  return { start: gate.resource, finish, role: gate.role };
}
