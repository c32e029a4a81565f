// The encryption checks shared by EncryptionAspect (which reports and fixes constructs) and the
// SP-ENC1 rule of SafePatternsChecks (which reads templates): the readers of the coverage table,
// whose rows (the data) are in encryption-table.ts. Private.
import type { EncryptionCoverage } from '../encryption-coverage';
import { Props, present } from './cfn';
import { ENCRYPTION_RULES } from './encryption-table';

export { ENCRYPTION_RULES };

/** How one property of one resource type is checked and fixed. */
export interface EncryptionRule extends Omit<EncryptionCoverage,
  'inTransit' | 'fixRefusedOnlyWhenSet' | 'encryptedByDefault' | 'encryptedByDefaultWhen' | 'defaultTurnedOffBy'> {
  readonly inTransit?: boolean;
  readonly fixRefusedOnlyWhenSet?: boolean;
  /**
   * Whether AWS encrypts the resource when the property is absent: for every configuration, for none,
   * or for the configurations named (in words, and their test).
   */
  readonly encryptedByDefault: boolean | { readonly when: string; readonly test: (p: Props) => boolean };
  /**
   * How the properties turn off the encryption AWS applies by default, where they can: the values in
   * words, their test, and what it means when more than "stored unencrypted".
   */
  readonly defaultTurnedOff?: { readonly by: string; readonly test: (p: Props) => boolean; readonly problem?: string };
  /** What an unencrypted resource's problem is, when it is more than the property being absent or off. */
  readonly problem?: string;
  /**
   * The service a customer-managed key's policy must let use the key (principal
   * `<service>.<region>.amazonaws.com`), with the actions, where the service needs it.
   */
  readonly keyPolicy?: { readonly service: string; readonly actions: string[] };
  /** Why the rule does not apply to this resource (its encryption is decided elsewhere), if so. */
  readonly notApplicable?: (p: Props) => string | undefined;
  /** Whether the resource is encrypted by its properties; undefined when a token hides it. */
  readonly isEncrypted: (p: Props) => boolean | undefined;
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

