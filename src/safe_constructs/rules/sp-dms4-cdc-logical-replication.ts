import { Finding, Rule, judgeEach } from './rule';
import { cdcSourceFinding, missingLogicalReplication } from '../private/logical-replication';

/** SP-DMS4: change data capture from an RDS PostgreSQL source without logical replication. */
export const dmsCdcLogicalReplication: Rule = {
  id: 'SP-DMS4',
  summary: 'A DMS CDC task reads an RDS or Aurora PostgreSQL source whose parameter group does not turn on logical replication',
  explanation: 'CDC (MigrationType cdc or full-load-and-cdc) from RDS or Aurora PostgreSQL needs rds.logical_replication '
    + 'set to 1 in a custom parameter group; the default group has it off, so the task fails when CDC starts. The '
    + 'parameter is static: the database applies it after a reboot. The database is found through the endpoint\'s '
    + 'server name or its secret\'s target attachment; a database or parameter group created elsewhere cannot be read (a warning).',
  fix: 'Use PostgresReplication, which refuses such a source at synth (an instance or an Aurora cluster); and give the source '
    + 'database (for Aurora, its cluster parameter group) a parameter group with rds.logical_replication: "1" '
    + '(rds.ParameterGroup(..., parameters={"rds.logical_replication": "1"})) while it is new, and reboot it if it exists',
  source: 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html',
  check: (templates) => judgeEach(templates.ofType('AWS::DMS::ReplicationTask'), (task) => task, (task): Finding[] => {
    const found = cdcSourceFinding(task.template.resources, task);
    if (!found) return [];
    const { database, problem } = found;
    return [{
      resource: task,
      locations: ['Properties/SourceEndpointArn'],
      undecided: problem !== 'missing',
      detail: problem === 'outside'
        ? 'its source database is not in this template (imported, or in another stack), so whether its parameter group sets '
          + 'rds.logical_replication to 1 cannot be told: check it before starting the task'
        : problem === 'undecided'
          ? `its source database ${database!.logicalId} uses a parameter group this template does not define, so whether it sets rds.logical_replication cannot be told`
          : missingLogicalReplication(found).replace(/^the source database/, 'its source database'),
    }];
  }),
};
