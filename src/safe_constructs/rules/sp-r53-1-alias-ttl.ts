import { Rule, judgeResources } from './rule';

/** SP-R53-1: a TTL on an alias record. */
export const route53AliasTtl: Rule = {
  id: 'SP-R53-1',
  summary: 'A Route 53 alias record sets a TTL',
  explanation: 'Route 53 rejects TTL on an alias record: an alias takes the TTL of its target. aws-cdk-lib only warns '
    + '(ttlIgnored) for its L2 records; a raw record set fails at deploy.',
  fix: 'Use WeightedAliasRecord (which has no TTL prop); or remove TTL from the record set',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53-recordset.html',
  check: (templates) => judgeResources(templates.ofType('AWS::Route53::RecordSet'), (record) =>
    record.properties.AliasTarget !== undefined && record.properties.TTL !== undefined
      ? [{ resource: record, locations: ['Properties/TTL'], detail: 'it has both AliasTarget and TTL' }] : []),
};
