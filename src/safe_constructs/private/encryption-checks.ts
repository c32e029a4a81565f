// The encryption checks shared by EncryptionAspect (which reports and fixes constructs) and the
// SP-ENC1 rule of SafePatternsChecks (which reads templates): the readers of the coverage table,
// whose rows (the data) are in encryption-table.ts. Private.
import type { EncryptionCoverage } from '../encryption-coverage';
import { Props, present } from './cfn';
import type { EncryptionRule } from './encryption-row';
import { ENCRYPTION_RULES } from './encryption-table';

export { ENCRYPTION_RULES, EncryptionRule };

/** The top-level CloudFormation property a rule reads (`BlockDeviceMappings` of `BlockDeviceMappings[].Ebs...`). */
export function topProperty(rule: EncryptionRule): string {
  return rule.property.split(/[\[ .]/)[0];
}

/** The rules by resource type (ElastiCache replication groups have two). */
export const ENCRYPTION_RULES_BY_TYPE = new Map<string, EncryptionRule[]>();
for (const rule of ENCRYPTION_RULES) {
  ENCRYPTION_RULES_BY_TYPE.set(rule.resourceType, [...(ENCRYPTION_RULES_BY_TYPE.get(rule.resourceType) ?? []), rule]);
}

/** The public row of a rule. */
export function coverageOf(rule: EncryptionRule): EncryptionCoverage {
  return {
    resourceType: rule.resourceType,
    property: rule.property,
    encryptedByDefault: rule.encryptedByDefault === true,
    encryptedByDefaultWhen: typeof rule.encryptedByDefault === 'object' ? rule.encryptedByDefault.when : undefined,
    defaultTurnedOffBy: rule.defaultTurnedOff?.by,
    inTransit: rule.inTransit ?? false,
    updateBehavior: rule.updateBehavior,
    updateNote: rule.updateNote,
    fixRefusedBecause: rule.fixRefusedBecause,
    fixNotWrittenBecause: rule.fixNotWrittenBecause,
    fixRefusedOnlyWhenSet: rule.fixRefusedOnlyWhenSet ?? false,
    source: rule.source,
  };
}

/** What a resource's encryption is, for one rule. */
export type EncryptionFinding = 'unencrypted' | 'weaker-key' | 'undecided' | undefined;

/**
 * Whether a resource's encryption is a finding: 'unencrypted' (stored, or sent, in clear),
 * 'weaker-key' (encrypted by AWS's own key where a customer-managed key is asked for), 'undecided'
 * (a token hides it), or undefined (fine, or not applicable).
 */
export function encryptionFinding(rule: EncryptionRule, p: Props, keyAsked: boolean): EncryptionFinding {
  if (rule.notApplicable?.(p)) return undefined;
  const encrypted = rule.isEncrypted(p);
  if (encrypted === undefined) return 'undecided';
  if (encrypted) return undefined;
  const byDefault = typeof rule.encryptedByDefault === 'object' ? rule.encryptedByDefault.test(p) : rule.encryptedByDefault;
  if (byDefault && !rule.defaultTurnedOff?.test(p)) return keyAsked ? 'weaker-key' : undefined;
  return 'unencrypted';
}

/** What is wrong with an 'unencrypted' resource, in words: the property, and what its value means. */
export function unencryptedProblem(rule: EncryptionRule, p: Props): string {
  const where = `${rule.resourceType} ${rule.property}`;
  if (rule.problem) return `${rule.resourceType} ${rule.problem}`;
  if (rule.defaultTurnedOff?.problem && rule.defaultTurnedOff.test(p)) return `${rule.resourceType} ${rule.defaultTurnedOff.problem}`;
  const consequence = rule.inTransit ? 'its traffic is not encrypted in transit' : 'the resource is stored unencrypted';
  if (!present(p[topProperty(rule)])) {
    return `${where} is absent, and AWS does not encrypt this by default: ${consequence}`;
  }
  return `${where} does not turn encryption on: ${consequence}`;
}

/** Why FIX mode may not change this resource unless it is listed, or undefined when it may. */
export function fixRefusal(rule: EncryptionRule, p: Props): string | undefined {
  if (rule.fixRefusedOnlyWhenSet && !present(p[topProperty(rule)])) return undefined;
  return rule.fixRefusedBecause;
}

