// Every rule of SafePatternsChecks, in the order of RULES.md. Internal: not exported from the package.
import { dmsCdcLogicalReplication } from './dms-cdc-logical-replication';
import { dmsEndpointCredentials } from './dms-endpoint-credentials';
import { dmsPostgresSsl } from './dms-postgres-ssl';
import { dmsReplicationPublic } from './dms-replication-public';
import { dmsSecretAccessRole } from './dms-secret-access-role';
import { rdsExternalSecret } from './rds-external-secret';
import { route53AliasTtl } from './route53-alias-ttl';
import { route53DuplicateIdentifier } from './route53-duplicate-identifier';
import { route53MixedRouting } from './route53-mixed-routing';
import { route53WeightWithoutIdentifier } from './route53-weight-without-identifier';
import { Rule } from './rule';
import { secretReaderWithout443, secretReaderWithoutPath } from './secret-reader-network';
import { secretWithoutRotation } from './secret-without-rotation';
import { unencryptedStore } from './unencrypted-store';

export { Templates } from './rule';

export const ALL_RULES: Rule[] = [
  dmsEndpointCredentials, dmsSecretAccessRole, dmsPostgresSsl, dmsCdcLogicalReplication, dmsReplicationPublic, rdsExternalSecret,
  secretWithoutRotation, secretReaderWithoutPath, secretReaderWithout443,
  route53AliasTtl, route53WeightWithoutIdentifier, route53DuplicateIdentifier, route53MixedRouting, unencryptedStore,
];
