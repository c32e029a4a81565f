import { Finding, Rule, judgeResources } from './rule';
import { CfnProperties, referencedId, render } from '../private/cfn';
import { grants, roleStatements, trustedServices } from '../private/iam-policies';

const REGIONAL_DMS = /^dms\.([a-z0-9-]+|\$\{AWS::Region\})\.amazonaws\.com$/;

/** SP-DMS2: the role DMS assumes to read an endpoint's secret cannot do it. */
export const dmsSecretAccessRole: Rule = {
  id: 'SP-DMS2',
  summary: 'The role a DMS endpoint reads its secret with lacks the regional trust or the grants',
  explanation: 'DMS assumes SecretsManagerAccessRoleArn through its regional principal dms.<region>.amazonaws.com '
    + '(a role trusting only dms.amazonaws.com is rejected), and needs secretsmanager:GetSecretValue on the secret '
    + 'and kms:Decrypt on its customer-managed key.',
  fix: 'Use SecureDmsPostgresEndpoint, which creates the role; or trust dms.<region>.amazonaws.com and grant '
    + 'GetSecretValue on the secret ARN and Decrypt on its key ARN',
  source: 'https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html',
  check: (templates) => judgeResources(templates.ofType('AWS::DMS::Endpoint'), (endpoint) => {
    const findings: Finding[] = [];
    for (const [settingsKey, settings] of Object.entries<CfnProperties>(endpoint.properties)) {
      if (!settings || typeof settings !== 'object' || !settings.SecretsManagerAccessRoleArn) continue;
      const location = `Properties/${settingsKey}/SecretsManagerAccessRoleArn`;
      const roleId = referencedId(settings.SecretsManagerAccessRoleArn);
      const role = roleId ? endpoint.template.resources.get(roleId) : undefined;
      if (!role || role.type !== 'AWS::IAM::Role') {
        findings.push({
          resource: endpoint,
          undecided: true,
          locations: [location],
          detail: 'its access role is not created in this template, so its trust and grants cannot be checked at synth time',
        });
        continue;
      }
      const problems: string[] = [];
      const principals = trustedServices(role);
      if (!principals.some((p) => REGIONAL_DMS.test(p))) {
        problems.push(`its role trusts ${principals.join(', ') || 'no service'}, not the regional dms.<region>.amazonaws.com`);
      }
      const statements = roleStatements(role.template.resources, role.logicalId);
      const secretId = settings.SecretsManagerSecretId;
      if (secretId !== undefined && !grants(statements, 'secretsmanager:GetSecretValue', secretId)) {
        problems.push(`its role has no secretsmanager:GetSecretValue on ${render(secretId)}`);
      }
      const secret = endpoint.template.resources.get(referencedId(secretId) ?? '');
      const keyId = secret?.type === 'AWS::SecretsManager::Secret' ? secret.properties.KmsKeyId : undefined;
      if (keyId !== undefined && !grants(statements, 'kms:Decrypt', keyId)) {
        problems.push(`its role has no kms:Decrypt on the secret's key ${render(keyId)}`);
      }
      if (problems.length > 0) findings.push({ resource: endpoint, detail: problems.join('; '), locations: [location] });
    }
    return findings;
  }),
};
