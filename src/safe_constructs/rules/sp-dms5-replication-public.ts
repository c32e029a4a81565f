import { Finding, Rule, judgeResources } from './rule';
import { isLiteral } from '../private/cfn';

/** SP-DMS5: a DMS replication instance reachable from the internet. */
export const dmsReplicationPublic: Rule = {
  id: 'SP-DMS5',
  summary: 'A DMS replication instance is publicly accessible (PubliclyAccessible true, or absent: the API defaults to true)',
  explanation: 'A public replication instance gets a public IP address; it holds the migrated data in transit and the '
    + 'endpoints\' credentials. AWS Config\'s managed rule dms-replication-not-public reports it; CreateReplicationInstance '
    + 'gives PubliclyAccessible true when it is not set. The property is create-only: changing it replaces the instance. '
    + 'A DMS Serverless replication (AWS::DMS::ReplicationConfig) is never public: its ComputeConfig has no such property '
    + '(CloudFormation schema, DMS API ComputeConfig), and AWS documents that it has no public IP address '
    + '(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Serverless.Limitations.html); what it needs instead, an '
    + 'interface endpoint to Secrets Manager, is SP-NET1\'s.',
  fix: 'Use PostgresReplication (never public); or set PubliclyAccessible to false while the instance is new, in private '
    + 'subnets with a path to the databases and to Secrets Manager',
  source: 'https://docs.aws.amazon.com/config/latest/developerguide/dms-replication-not-public.html',
  check: (templates) => judgeResources(templates.ofType('AWS::DMS::ReplicationInstance'), (instance): Finding[] => {
    const value = instance.properties.PubliclyAccessible;
    if (!isLiteral(value)) {
      return [{
        resource: instance,
        undecided: true,
        locations: ['Properties/PubliclyAccessible'],
        detail: 'its PubliclyAccessible is an unresolved token, so whether it is public cannot be told at synth time',
      }];
    }
    if (value === false || value === 'false') return [];
    return [{
      resource: instance,
      locations: ['Properties/PubliclyAccessible'],
      detail: value === undefined ? 'PubliclyAccessible is absent, and DMS then makes the instance public'
        : 'PubliclyAccessible is true: the instance gets a public IP address',
    }];
  }),
};
