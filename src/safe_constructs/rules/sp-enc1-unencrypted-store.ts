import { Finding, Rule, judgeResources } from './rule';
import {
  ENCRYPTION_ROWS_BY_TYPE, RowSurroundings, encryptionFinding, topProperty, undecidedProblem, unencryptedProblem,
} from '../private/encryption-checks';

/** SP-ENC1: a resource stored unencrypted, by EncryptionAspect's own coverage table. */
export const unencryptedStore: Rule = {
  id: 'SP-ENC1',
  summary: 'A resource stores its data, or sends its traffic, unencrypted',
  explanation: 'The resource types of EncryptionAspect\'s coverage table, checked the same way: a property that leaves '
    + 'the resource unencrypted where AWS does not encrypt by default. aws-cdk-lib\'s built-in validation warns for some '
    + '(W9008 for RDS), and fails synth on them only with the feature flag @aws-cdk/core:validateAgainstDefaultRules. '
    + 'Turning encryption on later replaces several of them (RDS, EFS, ElastiCache): the new resource starts empty. '
    + 'Where EncryptionAspect runs beside the pack, a resource it judged is reported as it judged it (its exemptions '
    + 'and FIX mode\'s changes included), once.',
  fix: 'Add EncryptionAspect to the app (FIX mode encrypts what changes in place, and refuses replacements); or set the '
    + 'property named in the finding while the resource is new',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html',
  check: (templates) => judgeResources(templates.ofType(...ENCRYPTION_ROWS_BY_TYPE.keys()), (resource) => {
    const verdicts = templates.encryptionVerdicts(resource);
    if (verdicts) {
      return verdicts.map((verdict): Finding => ({
        resource, locations: [verdict.location], detail: verdict.problem, note: verdict.note, fix: verdict.fix,
      }));
    }
    const around = (): RowSurroundings => ({ stack: resource.template.resources, app: templates.app });
    return ENCRYPTION_ROWS_BY_TYPE.get(resource.type)!.flatMap((rule): Finding[] => {
      const finding = encryptionFinding(rule, resource.properties, false, around);
      const location = `Properties/${topProperty(rule)}`;
      if (finding === 'unencrypted') {
        return [{ resource, locations: [location], detail: unencryptedProblem(rule, resource.properties), fix: rule.fixText }];
      }
      if (finding === 'undecided') {
        return [{
          resource,
          undecided: true,
          locations: [location],
          detail: `${undecidedProblem(rule, resource.properties, around)}, so its encryption cannot be told at synth time`,
        }];
      }
      return [];
    });
  }),
};
