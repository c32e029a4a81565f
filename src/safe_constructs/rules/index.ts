// Every rule of SafePatternsChecks, sorted by id (numbers in order: SP-DMS2 before SP-DMS10), as RULES.md
// lists them; a test holds the order. Each rule's file is named for its id. Private.
import { Rule } from './rule';
import { dmsEndpointCredentials } from './sp-dms1-endpoint-credentials';
import { dmsSecretAccessRole } from './sp-dms2-secret-access-role';
import { dmsPostgresSsl } from './sp-dms3-postgres-ssl';
import { dmsCdcLogicalReplication } from './sp-dms4-cdc-logical-replication';
import { dmsReplicationPublic } from './sp-dms5-replication-public';
import { unencryptedStore } from './sp-enc1-unencrypted-store';
import { secretReaderWithoutPath } from './sp-net1-no-path-to-secrets-manager';
import { secretReaderWithout443 } from './sp-net2-closed-on-443';
import { route53AliasTtl } from './sp-r53-1-alias-ttl';
import { route53WeightWithoutIdentifier } from './sp-r53-2-weight-without-identifier';
import { route53DuplicateIdentifier } from './sp-r53-3-duplicate-identifier';
import { route53MixedRouting } from './sp-r53-4-mixed-routing';
import { rdsExternalSecret } from './sp-rds1-external-secret';
import { secretWithoutRotation } from './sp-sec1-secret-without-rotation';

export const ALL_RULES: Rule[] = [
  dmsEndpointCredentials, dmsSecretAccessRole, dmsPostgresSsl, dmsCdcLogicalReplication, dmsReplicationPublic,
  unencryptedStore,
  secretReaderWithoutPath, secretReaderWithout443,
  route53AliasTtl, route53WeightWithoutIdentifier, route53DuplicateIdentifier, route53MixedRouting,
  rdsExternalSecret,
  secretWithoutRotation,
];
