import { Finding, Rule, judgeEach, judgeResources, together } from './rule';
import { CfnProperties, dynamicReferenceSecret, referencedId } from '../private/cfn';
import { TemplateResource } from '../private/templates';

/** Why a secret holds database credentials, as the finding says it. */
type Holder = 'an endpoint' | 'a database';

/**
 * The fix for a DMS endpoint's secret: DMS reads `host` and `port` from it, which the secret RDS manages
 * for a master user (ManageMasterUserPassword) does not hold, and rejects `{ } ; . : + %` in passwords
 * (DMS guide, "Using secrets to access AWS Database Migration Service endpoints").
 */
const DMS_SECRET_FIX = 'Use RotatingSecret with a single-user hosted rotation (hosted_rotation=HostedRotation.postgre_sql_single_user() '
  + 'or mysql_single_user()), which keeps username, password, host and port in the secret and generates no character DMS rejects; '
  + 'not RDS\'s managed master password (manage_master_user_password): the secret RDS manages holds no host or port, which DMS '
  + 'reads from it';

/** SP-SEC1: database credentials that never rotate. */
export const secretWithoutRotation: Rule = {
  id: 'SP-SEC1',
  summary: 'A secret holding database credentials (a DMS endpoint\'s, a database\'s master) has no rotation schedule',
  explanation: 'Credentials that never rotate stay valid for whoever copied them. A rotation schedule needs a rotation '
    + 'mechanism (a hosted rotation or a Lambda): add_rotation_schedule without one fails, and commenting it out leaves '
    + 'the credentials unrotated for good. Only secrets a database or DMS uses are judged (attached to a database, read '
    + 'by a DMS endpoint, or a database\'s master credentials): hosted rotation exists for those engines, and not for '
    + 'others (an OpenSearch master user, a MemoryDB user). A DMS endpoint\'s secret cannot be the one RDS manages '
    + '(manage_master_user_password): DMS reads host and port from the secret, which that one lacks.',
  fix: 'Use RotatingSecret, which cannot exist without rotation; or add a RotationSchedule with HostedRotationLambda; for '
    + 'a database\'s master credentials that DMS does not read, RDS can manage and rotate them itself (manage_master_user_password)',
  source: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html',
  check: (templates) => {
    // The secrets that hold database credentials, by the resource that says so (each judged on its own).
    const holds = new Map<TemplateResource, Holder>();
    const hold = (secret: TemplateResource | undefined, holder: Holder): void => {
      if (secret && holds.get(secret) !== 'an endpoint') holds.set(secret, holder);
    };
    const secretOf = (resource: TemplateResource, id: string | undefined): TemplateResource | undefined => {
      const referenced = id === undefined ? undefined : resource.template.resources.get(id);
      if (referenced?.type === 'AWS::SecretsManager::SecretTargetAttachment') {
        return secretOf(referenced, referencedId(referenced.properties.SecretId));
      }
      return referenced?.type === 'AWS::SecretsManager::Secret' ? referenced : undefined;
    };
    const holders = judgeResources(templates.ofType('AWS::SecretsManager::SecretTargetAttachment', 'AWS::DMS::Endpoint',
      'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'), (resource) => {
      if (resource.type === 'AWS::SecretsManager::SecretTargetAttachment') hold(secretOf(resource, resource.logicalId), 'a database');
      if (resource.type === 'AWS::DMS::Endpoint') {
        for (const settings of Object.values<CfnProperties>(resource.properties)) {
          hold(secretOf(resource, referencedId(settings?.SecretsManagerSecretId)), 'an endpoint');
        }
      }
      if (resource.type === 'AWS::RDS::DBInstance' || resource.type === 'AWS::RDS::DBCluster') {
        hold(secretOf(resource, dynamicReferenceSecret(resource.properties.MasterUserPassword)?.secretLogicalId), 'a database');
      }
      return [];
    });
    const rotated = new Set(templates.ofType('AWS::SecretsManager::RotationSchedule')
      .map((schedule) => secretOf(schedule, referencedId(schedule.properties.SecretId))));
    return together(holders, judgeEach([...holds.entries()], ([secret]) => secret, ([secret, holder]): Finding[] =>
      rotated.has(secret) ? [] : [{
        resource: secret,
        detail: 'it holds database credentials and no RotationSchedule rotates it',
        fix: holder === 'an endpoint' ? DMS_SECRET_FIX : undefined,
      }]));
  },
};
