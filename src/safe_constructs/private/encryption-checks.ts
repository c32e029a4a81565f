// The encryption checks shared by EncryptionAspect (which reports and fixes constructs) and the
// SP-ENC1 rule of SafePatternsChecks (which reads templates): the readers of the coverage table,
// whose rows (the data) are in encryption-table.ts. Private.
import type { EncryptionCoverage } from '../encryption-coverage';
import { Props, present } from './cfn';
import { ENCRYPTION_RULES } from './encryption-table';

export { ENCRYPTION_RULES };

/** How one property of one resource type is checked and fixed. */
export interface EncryptionRule extends Omit<EncryptionCoverage, 'inTransit' | 'fixRefusedOnlyWhenSet'> {
  readonly inTransit?: boolean;
  readonly fixRefusedOnlyWhenSet?: boolean;
  /** Why the rule does not apply to this resource (its encryption is decided elsewhere), if so. */
  readonly notApplicable?: (p: Props) => string | undefined;
  /** Whether AWS encrypts this resource when the property is absent, where that depends on other properties. */
  readonly encryptedByDefaultFor?: (p: Props) => boolean;
  /** Whether the resource is encrypted by its properties; undefined when a token hides it. */
  readonly isEncrypted: (p: Props) => boolean | undefined;
  /** Whether the properties turn off the encryption AWS applies by default. */
  readonly turnsDefaultOff?: (p: Props) => boolean;
  /** What turning the default off means, when it is more than "stored unencrypted". */
  readonly turnedOffProblem?: string;
  /**
   * The property overrides that encrypt it, with the key's ARN when one is given; undefined when
   * the aspect cannot know what to write.
   */
  readonly fix: (p: Props, keyArn?: string) => Record<string, unknown> | undefined;
  /** The fix in words, for messages. */
  readonly fixText: string;
}

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
    encryptedByDefault: rule.encryptedByDefault,
    encryptedByDefaultWhen: rule.encryptedByDefaultWhen,
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
  const byDefault = (rule.encryptedByDefault || (rule.encryptedByDefaultFor?.(p) ?? false)) && !rule.turnsDefaultOff?.(p);
  if (byDefault) return keyAsked ? 'weaker-key' : undefined;
  return 'unencrypted';
}

/** What is wrong with an 'unencrypted' resource, in words: the property, and what its value means. */
export function unencryptedProblem(rule: EncryptionRule, p: Props): string {
  const where = `${rule.resourceType} ${rule.property}`;
  if (rule.turnedOffProblem && rule.turnsDefaultOff?.(p)) return `${rule.resourceType} ${rule.turnedOffProblem}`;
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

