// The encryption checks shared by EncryptionAspect (which reports and fixes constructs) and the
// SP-ENC1 rule of SafePatternsChecks (which reads templates): the readers of the coverage table,
// whose rows (the data) are in encryption-table.ts. Private.
import type { EncryptionCoverage } from '../encryption-coverage';
import { CfnProperties, present } from './cfn';
import type { EncryptionRow, RowSurroundings } from './encryption-row';
import { ENCRYPTION_TABLE } from './encryption-table';

export { ENCRYPTION_TABLE, EncryptionRow, RowSurroundings };

/** The top-level CloudFormation property a row reads (`BlockDeviceMappings` of `BlockDeviceMappings[].Ebs...`). */
export function topProperty(row: EncryptionRow): string {
  return row.property.split(/[\[ .]/)[0];
}

/** The rows by resource type (ElastiCache replication groups have two). */
export const ENCRYPTION_ROWS_BY_TYPE = new Map<string, EncryptionRow[]>();
for (const row of ENCRYPTION_TABLE) {
  ENCRYPTION_ROWS_BY_TYPE.set(row.resourceType, [...(ENCRYPTION_ROWS_BY_TYPE.get(row.resourceType) ?? []), row]);
}

/** The public row (`EncryptionAspect.coverage()`) of a row of the table. */
export function coverageOf(row: EncryptionRow): EncryptionCoverage {
  return {
    resourceType: row.resourceType,
    property: row.property,
    encryptedByDefault: row.encryptedByDefault === true,
    encryptedByDefaultWhen: typeof row.encryptedByDefault === 'object' ? row.encryptedByDefault.when : undefined,
    defaultTurnedOffBy: row.defaultTurnedOff?.by,
    inTransit: row.inTransit ?? false,
    updateBehavior: row.updateBehavior,
    updateNote: row.updateNote,
    fixRefusedBecause: row.fixRefusedBecause,
    fixNotWrittenBecause: row.fixNotWrittenBecause,
    fixRefusedOnlyWhenSet: row.fixRefusedOnlyWhenSet ?? false,
    source: row.source,
  };
}

/** What a resource's encryption is, for one row. */
export type EncryptionFinding = 'unencrypted' | 'weaker-key' | 'undecided' | undefined;

/**
 * Whether a resource's encryption is a finding: 'unencrypted' (stored, or sent, in clear),
 * 'weaker-key' (encrypted by AWS's own key where a customer-managed key is asked for), 'undecided'
 * (a token hides it), or undefined (fine, or not applicable).
 */
export function encryptionFinding(row: EncryptionRow, p: CfnProperties, keyAsked: boolean,
  around: () => RowSurroundings): EncryptionFinding {
  if (row.notApplicable?.(p)) return undefined;
  const encrypted = row.isEncrypted(p, around);
  if (encrypted === undefined) return 'undecided';
  if (encrypted) return undefined;
  const byDefault = typeof row.encryptedByDefault === 'object' ? row.encryptedByDefault.test(p) : row.encryptedByDefault;
  if (byDefault && !row.defaultTurnedOff?.test(p)) return keyAsked ? 'weaker-key' : undefined;
  return 'unencrypted';
}

/**
 * Why an 'undecided' resource cannot be judged, in words: `AWS::EMR::Cluster SecurityConfiguration is an
 * unresolved token`, or the row's own reason.
 */
export function undecidedProblem(row: EncryptionRow, p: CfnProperties, around: () => RowSurroundings): string {
  const because = row.undecidedBecause?.(p, around) ?? `${row.property} is an unresolved token`;
  return `${row.resourceType} ${because}`;
}

/** What is wrong with an 'unencrypted' resource, in words: the property, and what its value means. */
export function unencryptedProblem(row: EncryptionRow, p: CfnProperties): string {
  const where = `${row.resourceType} ${row.property}`;
  if (row.problem) return `${row.resourceType} ${row.problem}`;
  if (row.defaultTurnedOff?.problem && row.defaultTurnedOff.test(p)) return `${row.resourceType} ${row.defaultTurnedOff.problem}`;
  const consequence = row.inTransit ? 'its traffic is not encrypted in transit' : 'the resource is stored unencrypted';
  if (!present(p[topProperty(row)])) {
    return `${where} is absent, and AWS does not encrypt this by default: ${consequence}`;
  }
  if (row.problemWhenSet) return `${where} ${row.problemWhenSet}`;
  return `${where} does not turn encryption on: ${consequence}`;
}

/** Why FIX mode may not change this resource unless it is listed, or undefined when it may. */
export function fixRefusal(row: EncryptionRow, p: CfnProperties): string | undefined {
  if (row.fixRefusedOnlyWhenSet && !present(p[topProperty(row)])) return undefined;
  return row.fixRefusedBecause;
}

