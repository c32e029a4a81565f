import { Finding, Rule, judgeResources } from './rule';
import { isLiteral } from '../private/cfn';

const POSTGRES_ENGINES = new Set(['postgres', 'aurora-postgresql']);

/**
 * The MySQL family as DMS's SSL table names it ("MySQL/MariaDB/Amazon Aurora MySQL"; EngineName `mysql`,
 * `mariadb`, `aurora`): none is the default, require "Not supported", verify-ca and verify-full supported.
 */
const MYSQL_ENGINES = new Set(['mysql', 'mariadb', 'aurora']);

/** SP-DMS3: a DMS PostgreSQL or MySQL-family endpoint without TLS, or with a mode DMS does not support for its engine. */
export const dmsPostgresSsl: Rule = {
  id: 'SP-DMS3',
  summary: 'A DMS PostgreSQL or MySQL-family endpoint has SslMode absent or none, or a mode DMS does not support for its engine',
  explanation: 'SslMode defaults to none: DMS and the database then exchange credentials and data in clear text. For MySQL, '
    + 'MariaDB and Aurora MySQL DMS does not support require; verify-ca and verify-full, with a CA certificate, are the modes '
    + 'that encrypt there.',
  fix: 'Use SecureDmsPostgresEndpoint (require by default) or SecureDmsMySqlEndpoint (verify-full with a DmsCertificate); or set '
    + 'SslMode to verify-full with CertificateArn (PostgreSQL also takes require)',
  source: 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html',
  check: (templates) => judgeResources(templates.ofType('AWS::DMS::Endpoint'), (endpoint): Finding[] => {
    const { EngineName: engine, SslMode: mode } = endpoint.properties;
    if (isLiteral(mode) && mode !== undefined && mode !== 'none' && mode !== 'require') return [];
    if (!isLiteral(engine)) {
      return [{
        resource: endpoint,
        undecided: true,
        locations: ['Properties/EngineName'],
        detail: `its EngineName is an unresolved token and its SslMode ${mode === 'require' ? 'require (not supported for the MySQL '
          + 'family)' : 'absent or none'}, so whether a PostgreSQL or MySQL-family endpoint talks in clear text, or with a mode DMS '
          + 'does not support, cannot be told at synth time`,
      }];
    }
    if (!POSTGRES_ENGINES.has(engine) && !MYSQL_ENGINES.has(engine)) return [];
    if (!isLiteral(mode)) {
      return [{
        resource: endpoint,
        undecided: true,
        locations: ['Properties/SslMode'],
        detail: 'its SslMode is an unresolved token, so whether it encrypts cannot be told at synth time',
      }];
    }
    if (mode === 'require') {
      return POSTGRES_ENGINES.has(engine) ? [] : [{
        resource: endpoint,
        locations: ['Properties/SslMode'],
        detail: `SslMode is require, which DMS does not support for its engine (${engine})`,
      }];
    }
    return [{
      resource: endpoint,
      locations: ['Properties/SslMode'],
      detail: mode === undefined ? 'SslMode is absent, so DMS uses none' : 'SslMode is none',
    }];
  }),
};
