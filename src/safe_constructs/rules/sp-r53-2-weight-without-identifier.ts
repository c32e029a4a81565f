import { Rule, judgeResources } from './rule';

/** SP-R53-2: a weight without a set identifier. */
export const route53WeightWithoutIdentifier: Rule = {
  id: 'SP-R53-2',
  summary: 'A weighted Route 53 record has no SetIdentifier',
  explanation: 'A weighted record needs a SetIdentifier of 1 to 128 characters, unique among the records of its name '
    + 'and type; Route 53 rejects a weight without one.',
  fix: 'Use WeightedAliasRecord, whose set_identifier is required and validated; or give the record a SetIdentifier',
  source: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html',
  check: (templates) => judgeResources(templates.ofType('AWS::Route53::RecordSet'), (record) =>
    record.properties.Weight !== undefined && (record.properties.SetIdentifier === undefined || record.properties.SetIdentifier === '')
      ? [{ resource: record, locations: ['Properties/SetIdentifier'], detail: 'it has a Weight and no (or an empty) SetIdentifier' }]
      : []),
};
