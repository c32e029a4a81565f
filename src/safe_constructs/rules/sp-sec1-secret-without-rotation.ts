import { Finding, Rule } from './rule';
import { dynamicReferenceSecret, referencedId } from '../private/cfn';
import { Templates } from '../private/templates';

/** SP-SEC1: database credentials that never rotate. */
export const secretWithoutRotation: Rule = {
  id: 'SP-SEC1',
  summary: 'A secret holding database credentials (a DMS endpoint\'s, a database\'s master) has no rotation schedule',
  explanation: 'Credentials that never rotate stay valid for whoever copied them. A rotation schedule needs a rotation '
    + 'mechanism (a hosted rotation or a Lambda): add_rotation_schedule without one fails, and commenting it out leaves '
    + 'the credentials unrotated for good. Only secrets a database or DMS uses are judged (attached to a database, read '
    + 'by a DMS endpoint, or a database\'s master credentials): hosted rotation exists for those engines, and not for '
    + 'others (an OpenSearch master user, a MemoryDB user).',
  fix: 'Use RotatingSecret, which cannot exist without rotation; or add a RotationSchedule with HostedRotationLambda',
  source: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html',
  check: (templates: Templates): Finding[] => templates.stacks.flatMap((stack) => {
    const resources = [...stack.resources.values()];
    const secretOf = (id: string | undefined): string | undefined => {
      const resource = id === undefined ? undefined : stack.resources.get(id);
      if (resource?.type === 'AWS::SecretsManager::SecretTargetAttachment') return referencedId(resource.properties.SecretId);
      return resource?.type === 'AWS::SecretsManager::Secret' ? resource.logicalId : undefined;
    };
    const holdsCredentials = new Set<string>();
    for (const resource of resources) {
      if (resource.type === 'AWS::SecretsManager::SecretTargetAttachment') {
        const secret = secretOf(resource.logicalId);
        if (secret) holdsCredentials.add(secret);
      }
      if (resource.type === 'AWS::DMS::Endpoint') {
        for (const settings of Object.values<any>(resource.properties)) {
          const secret = secretOf(referencedId(settings?.SecretsManagerSecretId));
          if (secret) holdsCredentials.add(secret);
        }
      }
      if (resource.type === 'AWS::RDS::DBInstance' || resource.type === 'AWS::RDS::DBCluster') {
        const secret = secretOf(dynamicReferenceSecret(resource.properties.MasterUserPassword)?.secretLogicalId);
        if (secret) holdsCredentials.add(secret);
      }
    }
    const rotated = new Set(resources.filter((r) => r.type === 'AWS::SecretsManager::RotationSchedule')
      .map((r) => secretOf(referencedId(r.properties.SecretId))));
    return [...holdsCredentials].filter((id) => !rotated.has(id)).map((id) => ({
      resource: stack.resources.get(id)!,
      detail: 'it holds database credentials and no RotationSchedule rotates it',
    }));
  }),
};
