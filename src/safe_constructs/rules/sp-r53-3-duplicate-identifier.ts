import { Finding, Rule, judgeEach } from './rule';
import { groupRecords, judgeGroup, recordViews } from '../private/weighted-groups';

/** SP-R53-3: two records of one weighted group with the same set identifier. */
export const route53DuplicateIdentifier: Rule = {
  id: 'SP-R53-3',
  summary: 'Records of one weighted group share a SetIdentifier',
  explanation: 'Route 53 requires SetIdentifier to be unique among the records of the same zone, name and type; the '
    + 'second record fails at deploy. The records may be in different stacks, where no template shows the clash.',
  fix: 'Use WeightedAliasRecord, which checks every group of the app at synth; or give each record its own SetIdentifier',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53-recordset.html',
  check: (templates) => judgeEach(groupRecords(recordViews(templates)), (members) => members[0].ref, (members) =>
    judgeGroup(members).duplicateIdentifiers.flatMap(({ identifier, records: [first, ...again] }) =>
      // Reported once per clash, on every record after the first that took the identifier.
      again.map((record): Finding => ({
        resource: record,
        locations: ['Properties/SetIdentifier'],
        detail: `SetIdentifier "${identifier}" of ${record.properties.Name} (${record.properties.Type}) is already used by `
          + `${first.template.stackPath}/${first.logicalId}`,
      })))),
};
