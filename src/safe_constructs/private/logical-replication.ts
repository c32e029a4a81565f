// Whether a PostgreSQL CDC source has logical replication on, judged on CloudFormation JSON: by the
// SP-DMS4 rule (from templates) and by PostgresReplication (from its own stack at synth). Private.
import { CfnProperties, RenderedResource, StackResources, ofType, referencedId, resourceOf } from './cfn';

/** A PostgreSQL CDC source of the stack and what it lacks, for one DMS task. */
export interface CdcSourceFinding {
  readonly task: RenderedResource;
  /** The database (instance or cluster) the source endpoint reads; undefined when it is not in the stack. */
  readonly database?: RenderedResource;
  /**
   * 'missing': no parameter group sets rds.logical_replication to 1; 'undecided': the group is not
   * in the stack; 'outside': the database itself is not (imported, or in another stack).
   */
  readonly problem: 'missing' | 'undecided' | 'outside';
  /**
   * For an Aurora cluster that misses it: its instances whose (instance) parameter group sets
   * rds.logical_replication to 1, where Aurora does not read it.
   */
  readonly setOnInstances?: RenderedResource[];
}

/**
 * Aurora PostgreSQL reads rds.logical_replication from the DB cluster parameter group: "Your Aurora
 * PostgreSQL DB cluster must be configured to use a custom DB cluster parameter group" (Aurora
 * User Guide, setting up logical replication).
 */
export const AURORA_LOGICAL_REPLICATION_SOURCE =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Replication.Logical.Configure.html';

const CDC_MIGRATION_TYPES = new Set(['cdc', 'full-load-and-cdc']);
const POSTGRES_DMS_ENGINES = new Set(['postgres', 'aurora-postgresql']);

/** The database a DMS endpoint reads: through its server name, or its secret's target attachment. */
function endpointDatabase(stack: StackResources, endpoint: RenderedResource): RenderedResource | undefined {
  const byServer = endpoint.properties.ServerName?.['Fn::GetAtt'];
  if (Array.isArray(byServer)) return stack.get(byServer[0]);
  const secretId = Object.values(endpoint.properties).map((s) => (s as CfnProperties)?.SecretsManagerSecretId).find((s) => s !== undefined);
  const secret = stack.get(referencedId(secretId) ?? '');
  if (!secret) return undefined;
  const attachment = secret.type === 'AWS::SecretsManager::SecretTargetAttachment' ? secret
    : ofType(stack, 'AWS::SecretsManager::SecretTargetAttachment').find((a) => referencedId(a.properties.SecretId) === secret.logicalId);
  return attachment && stack.get(referencedId(attachment.properties.TargetId) ?? '');
}

/**
 * Whether a parameter group of the stack sets rds.logical_replication to 1; undefined when it is not in
 * the stack. None, or a default group by name (`default.aurora-postgresql17`, which aws-cdk-lib writes for
 * a cluster without one), is the engine's default: rds.logical_replication 0, and a default group cannot
 * be modified.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html
 */
function setsLogicalReplication(stack: StackResources, group: unknown, type: string): boolean | undefined {
  if (group === undefined || (typeof group === 'string' && group.startsWith('default.'))) return false;
  const resource = resourceOf(stack, group, type);
  if (!resource) return undefined;
  const value = resource.properties.Parameters?.['rds.logical_replication'];
  return value === 1 || value === '1';
}

/**
 * Every CDC task of the stack whose source is an RDS PostgreSQL instance or Aurora PostgreSQL
 * cluster of the stack without `rds.logical_replication` set to 1 (or with a group it cannot see).
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export function cdcSourceFindings(stack: StackResources): CdcSourceFinding[] {
  return ofType(stack, 'AWS::DMS::ReplicationTask').flatMap((task) => cdcSourceFinding(stack, task) ?? []);
}

/** What keeps one task of the stack from CDC, if anything (see {@link cdcSourceFindings}). */
export function cdcSourceFinding(stack: StackResources, task: RenderedResource): CdcSourceFinding | undefined {
  if (!CDC_MIGRATION_TYPES.has(task.properties.MigrationType)) return undefined;
  const endpoint = resourceOf(stack, task.properties.SourceEndpointArn, 'AWS::DMS::Endpoint');
  if (!endpoint || !POSTGRES_DMS_ENGINES.has(endpoint.properties.EngineName)) return undefined;
  let database = endpointDatabase(stack, endpoint);
  if (database?.type === 'AWS::RDS::DBInstance' && database.properties.DBClusterIdentifier !== undefined) {
    database = resourceOf(stack, database.properties.DBClusterIdentifier, 'AWS::RDS::DBCluster') ?? database;
  }
  if (!database) return { task, problem: 'outside' };
  let sets: boolean | undefined;
  if (database.type === 'AWS::RDS::DBInstance') {
    sets = setsLogicalReplication(stack, database.properties.DBParameterGroupName, 'AWS::RDS::DBParameterGroup');
  } else if (database.type === 'AWS::RDS::DBCluster') {
    sets = setsLogicalReplication(stack, database.properties.DBClusterParameterGroupName, 'AWS::RDS::DBClusterParameterGroup');
  } else {
    return undefined;
  }
  if (sets === true) return undefined;
  const setOnInstances = database.type === 'AWS::RDS::DBCluster' && sets === false
    ? ofType(stack, 'AWS::RDS::DBInstance').filter((instance) => referencedId(instance.properties.DBClusterIdentifier) === database!.logicalId
      && setsLogicalReplication(stack, instance.properties.DBParameterGroupName, 'AWS::RDS::DBParameterGroup') === true)
    : [];
  return { task, database, problem: sets === undefined ? 'undecided' : 'missing', ...(setOnInstances.length > 0 ? { setOnInstances } : {}) };
}

/** What a 'missing' finding lacks, in words: no group sets it, or (Aurora) only an instance's group does. */
export function missingLogicalReplication(finding: CdcSourceFinding): string {
  const database = finding.database!.logicalId;
  if (finding.setOnInstances) {
    return `the source database ${database} is an Aurora cluster whose cluster parameter group does not set rds.logical_replication to 1: `
      + `it is set on the parameter group of its instance ${finding.setOnInstances.map((i) => i.logicalId).join(', ')}, and Aurora reads it `
      + `only from the DB cluster parameter group (${AURORA_LOGICAL_REPLICATION_SOURCE})`;
  }
  return `the source database ${database} has no parameter group that sets rds.logical_replication to 1`;
}

/** The fix for a 'missing' finding, in Python. */
export function missingLogicalReplicationFix(finding: CdcSourceFinding): string {
  if (finding.setOnInstances) {
    return 'move {"rds.logical_replication": "1"} from the instance\'s parameter group (ClusterInstance.provisioned(parameter_group=...)) '
      + 'to the cluster\'s: rds.DatabaseCluster(parameter_group=rds.ParameterGroup(..., parameters={"rds.logical_replication": "1"})) '
      + '(the parameter is static: an existing cluster applies it after its writer reboots)';
  }
  return 'give the source database a parameter group with {"rds.logical_replication": "1"} while it is new (the parameter '
    + 'is static: an existing instance applies it after a reboot; for Aurora, the cluster parameter group)';
}
