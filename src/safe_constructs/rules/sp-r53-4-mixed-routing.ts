import { Finding, Rule, judgeEach } from './rule';
import { groupRecords, isWeighted, judgeGroup, recordViews } from '../private/weighted-groups';

/** SP-R53-4: a plain record beside weighted records of the same name and type. */
export const route53MixedRouting: Rule = {
  id: 'SP-R53-4',
  summary: 'A weighted and a non-weighted record share a zone, name and type',
  explanation: 'Route 53 rejects a record without a routing policy beside weighted records of the same name and type. '
    + 'It often comes from a weighted-routing "fix" that gave up on weights for one of the records.',
  fix: 'Make every record of the name a WeightedAliasRecord (WeightedTrafficShift for two targets); or rename the plain record',
  source: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy.html',
  check: (templates) => judgeEach(groupRecords(recordViews(templates)), (members) => members[0].ref, (members) => {
    const weighted = members.filter(isWeighted).length;
    return judgeGroup(members).plainBesideWeighted.map((record): Finding => ({
      resource: record,
      detail: `it has no SetIdentifier, while ${weighted} weighted record(s) of ${record.properties.Name} `
        + `(${record.properties.Type}) exist`,
    }));
  }),
};
