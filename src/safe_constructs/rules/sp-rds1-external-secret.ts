import { Finding, Rule, judgeResources } from './rule';
import { dynamicReferenceSecret, render } from '../private/cfn';

const OWNED_SECRET_TYPES = new Set(['AWS::SecretsManager::Secret', 'AWS::SecretsManager::SecretTargetAttachment']);

/** SP-RDS1: a database on a secret the stack does not own, read first in the middle of the deploy. */
export const rdsExternalSecret: Rule = {
  id: 'SP-RDS1',
  summary: 'An RDS database reads its master credentials from a secret created outside the stack, unchecked',
  explanation: 'CloudFormation reads such a secret only when it creates the database, deep into the deploy: a secret '
    + 'that is not JSON ("Could not parse SecretString JSON") or lacks a key fails the stack there, and the rollback '
    + 'can leave it in ROLLBACK_FAILED. Credentials.fromSecret also attaches the database to the secret, rewriting it.',
  fix: 'Use ExternalSecretRdsInstance (an instance) or ExternalSecretDatabaseCluster (an Aurora cluster), whose pre-flight '
    + 'check reads the secret before the database is created; or make the database depend on a SecretPreflightCheck of that '
    + 'secret, with RdsPasswordRules for the engine\'s password limits',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html',
  check: (templates) => judgeResources(templates.ofType('AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'),
    (database): Finding[] => {
      const references = ['MasterUsername', 'MasterUserPassword']
        .map((key) => ({ key, reference: dynamicReferenceSecret(database.properties[key]) }))
        .filter(({ reference }) => reference !== undefined);
      const external = references.filter(({ reference }) =>
        !OWNED_SECRET_TYPES.has(database.template.resources.get(reference!.secretLogicalId ?? '')?.type ?? ''));
      if (external.length === 0) return [];
      const secret = external[0].reference!.secret;
      const checked = database.dependsOn.some((id) => {
        const check = database.template.resources.get(id);
        return check?.type === 'Custom::SecretPreflightCheck' && render(check.properties.SecretId) === secret;
      });
      if (checked) return [];
      return [{
        resource: database,
        locations: external.map(({ key }) => `Properties/${key}`),
        detail: `its credentials are dynamic references to ${secret}, which the stack does not own, and no pre-flight check guards it`,
      }];
    }),
};
