import { Finding, Rule, judgeResources } from './rule';
import { isLiteral } from '../private/cfn';

const POSTGRES_ENGINES = new Set(['postgres', 'aurora-postgresql']);

/** SP-DMS3: a DMS PostgreSQL endpoint without TLS. */
export const dmsPostgresSsl: Rule = {
  id: 'SP-DMS3',
  summary: 'A DMS PostgreSQL endpoint has SslMode absent or none',
  explanation: 'SslMode defaults to none: DMS and the database then exchange credentials and data in clear text.',
  fix: 'Use SecureDmsPostgresEndpoint (require by default); or set SslMode to require, or verify-full with CertificateArn',
  source: 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html',
  check: (templates) => judgeResources(templates.ofType('AWS::DMS::Endpoint'), (endpoint): Finding[] => {
    const { EngineName: engine, SslMode: mode } = endpoint.properties;
    if (isLiteral(mode) && mode !== undefined && mode !== 'none') return [];
    if (!isLiteral(engine)) {
      return [{
        resource: endpoint,
        undecided: true,
        locations: ['Properties/EngineName'],
        detail: 'its EngineName is an unresolved token and its SslMode absent or none, so whether a PostgreSQL endpoint '
          + 'talks in clear text cannot be told at synth time',
      }];
    }
    if (!POSTGRES_ENGINES.has(engine)) return [];
    if (!isLiteral(mode)) {
      return [{
        resource: endpoint,
        undecided: true,
        locations: ['Properties/SslMode'],
        detail: 'its SslMode is an unresolved token, so whether it encrypts cannot be told at synth time',
      }];
    }
    if (mode !== undefined && mode !== 'none') return [];
    return [{
      resource: endpoint,
      locations: ['Properties/SslMode'],
      detail: mode === undefined ? 'SslMode is absent, so DMS uses none' : 'SslMode is none',
    }];
  }),
};
