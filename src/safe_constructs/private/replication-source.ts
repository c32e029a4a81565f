// What PostgresReplication can know of its source database: its engine (RDS or Aurora), the DB
// instance whose metrics the alarms read, its storage, and the parameter group that bounds the WAL a
// replication slot may hold. Private.
import { Stack, Token, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { referencedId, renderedProperties } from './cfn';

/** The parameter that bounds the WAL a replication slot may hold (PostgreSQL 13 and later), in MB. */
export const MAX_SLOT_WAL_KEEP_SIZE = 'max_slot_wal_keep_size';

/**
 * The first PostgreSQL major with `max_slot_wal_keep_size` ("Allow replication slots to be limited in
 * the amount of WAL they retain", PostgreSQL 13 release notes).
 *
 * @see https://www.postgresql.org/docs/13/release-13.html
 */
export const SLOT_WAL_BOUND_SINCE_MAJOR = 13;

/** The source as the construct sees it. */
export interface ReplicationSource {
  /** `rds`: RDS for PostgreSQL; `aurora`: Aurora PostgreSQL; `unknown`: only its connections are known. */
  readonly engine: 'rds' | 'aurora' | 'unknown';
  /** Whether this app creates it (its CloudFormation resource is in the app). */
  readonly inApp: boolean;
  /**
   * The DB instance whose CloudWatch metrics describe the source (`DBInstanceIdentifier`): the RDS
   * instance, or Aurora's writer, taken as the cluster's first instance (the one aws-cdk-lib creates
   * first, as `writer`). Undefined when not known.
   */
  readonly metricsInstance?: string;
  /** The RDS instance's resource, when this app creates it. */
  readonly instance?: rds.CfnDBInstance;
  /** Its allocated storage in GiB ("The amount of storage in gibibytes (GiB)", AWS::RDS::DBInstance), when known at synth. */
  readonly allocatedStorageGib?: number;
}

/** The source database as far as the construct can tell from what it was given. */
export function replicationSourceOf(database: ec2.IConnectable): ReplicationSource {
  const child = Construct.isConstruct(database) ? database.node.defaultChild : undefined;
  if (child instanceof rds.CfnDBInstance) {
    const inCluster = child.dbClusterIdentifier !== undefined;
    return {
      engine: inCluster ? 'aurora' : 'rds',
      inApp: true,
      metricsInstance: child.ref,
      instance: inCluster ? undefined : child,
      allocatedStorageGib: inCluster ? undefined : wholeNumber(Stack.of(child).resolve(child.allocatedStorage)),
    };
  }
  if (child instanceof rds.CfnDBCluster) {
    return { engine: 'aurora', inApp: true, metricsInstance: (database as rds.IDatabaseCluster).instanceIdentifiers?.[0] };
  }
  const imported = database as Partial<rds.IDatabaseInstance & rds.IDatabaseCluster>;
  if (typeof imported.instanceIdentifier === 'string' && imported.dbInstanceEndpointAddress !== undefined) {
    return { engine: 'rds', inApp: false, metricsInstance: imported.instanceIdentifier };
  }
  if (typeof imported.clusterIdentifier === 'string') {
    return { engine: 'aurora', inApp: false, metricsInstance: imported.instanceIdentifiers?.[0] };
  }
  return { engine: 'unknown', inApp: false };
}

/** The RDS instance's parameter group resource when this app defines it; `outside` when the instance names one it does not. */
export function parameterGroupOf(instance: rds.CfnDBInstance): { group?: rds.CfnDBParameterGroup; outside: boolean } {
  const stack = Stack.of(instance);
  const name = stack.resolve(instance.dbParameterGroupName);
  if (name === undefined || (typeof name === 'string' && name.startsWith('default.'))) return { outside: false };
  const logicalId = referencedId(name);
  const group = logicalId === undefined ? undefined : stack.node.findAll()
    .find((c): c is rds.CfnDBParameterGroup => c instanceof rds.CfnDBParameterGroup && stack.resolve(c.logicalId) === logicalId);
  return { group, outside: group === undefined };
}

/** The PostgreSQL major of a parameter group's family (`postgres17`: 17), when it is a literal. */
export function majorOfFamily(group: rds.CfnDBParameterGroup): number | undefined {
  const family = Stack.of(group).resolve(group.family);
  const match = typeof family === 'string' ? /^postgres(\d+)$/.exec(family) : null;
  return match ? Number(match[1]) : undefined;
}

/** The group's value of a parameter, as it will be synthesized (overrides and what other code added included). */
export function parameterValue(group: rds.CfnDBParameterGroup, name: string): unknown {
  const parameters = renderedProperties(group)?.Parameters;
  return parameters && typeof parameters === 'object' ? (parameters as Record<string, unknown>)[name] : undefined;
}

/**
 * Sets a parameter on the group unless it holds one already: through aws-cdk-lib's `ParameterGroup`
 * when the group is one (its parameters are rendered from it), or as an override of the resource.
 * Returns the value the group held before, if any.
 */
export function setParameter(group: rds.CfnDBParameterGroup, name: string, value: string): unknown {
  const before = parameterValue(group, name);
  if (before !== undefined) return before;
  const l2 = group.node.scope;
  if (l2 instanceof rds.ParameterGroup) {
    l2.addParameter(name, value);
  } else {
    group.addPropertyOverride(`Parameters.${name}`, value);
  }
  return undefined;
}

/** A whole number from a literal (`100` or `"100"`); undefined for a token or anything else. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'string' && Token.isUnresolved(value)) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number > 0 ? number : undefined;
}
