import { Rule, judgeResources } from './rule';
import { dynamicReferenceSecret } from '../private/cfn';

const SERVER_SETTINGS = ['Username', 'Password', 'ServerName', 'Port'];

/** SP-DMS1: credentials or server settings written on a DMS endpoint. */
export const dmsEndpointCredentials: Rule = {
  id: 'SP-DMS1',
  summary: 'A DMS endpoint carries a user name or password, or server settings beside its secret',
  explanation: 'DMS takes either clear-text Username/Password/ServerName/Port or a Secrets Manager secret '
    + '(SecretsManagerSecretId with SecretsManagerAccessRoleArn), not both: with both it may ignore the secret. '
    + 'Credentials on the endpoint are visible to anyone who can describe it.',
  fix: 'Use SecureDmsPostgresEndpoint (PostgreSQL, Aurora PostgreSQL) or SecureDmsMySqlEndpoint (MySQL, MariaDB, Aurora '
    + 'MySQL), which read everything from the secret; or drop Username, Password, ServerName and Port and put username, '
    + 'password, host and port in the secret',
  source: 'https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html',
  check: (templates) => judgeResources(templates.ofType('AWS::DMS::Endpoint'), (endpoint) => {
    const present = SERVER_SETTINGS.filter((key) => endpoint.properties[key] !== undefined);
    if (present.length === 0) return [];
    const usesSecret = Object.values(endpoint.properties)
      .some((settings) => settings && typeof settings === 'object' && 'SecretsManagerSecretId' in settings);
    const copied = ['Username', 'Password'].filter((key) => dynamicReferenceSecret(endpoint.properties[key]) !== undefined);
    const detail = usesSecret
      ? `it reads a secret and also sets ${present.join(', ')}, which DMS accepts only instead of the secret`
      : copied.length > 0
        ? `its ${copied.join(' and ')} ${copied.length > 1 ? 'are copies' : 'is a copy'} of a secret taken at deploy (a dynamic `
          + 'reference): the endpoint keeps that copy, which goes stale at the secret\'s next rotation'
        : `it sets ${present.join(', ')} on the endpoint instead of reading them from a secret`;
    return [{ resource: endpoint, detail, locations: present.map((key) => `Properties/${key}`) }];
  }),
};
