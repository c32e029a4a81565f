// The shape of a row of the encryption coverage table: what the table (encryption-table.ts) holds and
// its readers (encryption-checks.ts) read, apart from both so that neither imports the other's. Private.
import type { EncryptionCoverage } from '../encryption-coverage';
import type { AppResources, CfnProperties, StackResources } from './cfn';

/**
 * What a row may read beside the resource's own properties: the resources around it, as far as the
 * reader sees them (EncryptionAspect: the app's stacks as rendered; SP-ENC1: every template of the
 * app, with its exports). Built only when a row asks for it.
 */
export interface RowSurroundings {
  /** The stack that holds the resource. */
  readonly stack: StackResources;
  /** Every stack the reader sees. */
  readonly app: AppResources;
}

/**
 * How one property of one resource type is checked and fixed: a row of the coverage table (named a
 * row, not a rule, so that it is not taken for a rule of SafePatternsChecks).
 */
export interface EncryptionRow extends Omit<EncryptionCoverage,
  'inTransit' | 'fixRefusedOnlyWhenSet' | 'encryptedByDefault' | 'encryptedByDefaultWhen' | 'defaultTurnedOffBy'> {
  readonly inTransit?: boolean;
  readonly fixRefusedOnlyWhenSet?: boolean;
  /**
   * Whether AWS encrypts the resource when the property is absent: for every configuration, for none,
   * or for the configurations named (in words, and their test).
   */
  readonly encryptedByDefault: boolean | { readonly when: string; readonly test: (p: CfnProperties) => boolean };
  /**
   * How the properties turn off the encryption AWS applies by default, where they can: the values in
   * words, their test, and what it means when more than "stored unencrypted".
   */
  readonly defaultTurnedOff?: { readonly by: string; readonly test: (p: CfnProperties) => boolean; readonly problem?: string };
  /** What an unencrypted resource's problem is, when it is more than the property being absent or off. */
  readonly problem?: string;
  /** What the problem is when the property is set and still does not encrypt, where more than "does not turn encryption on". */
  readonly problemWhenSet?: string;
  /**
   * The service a customer-managed key's policy must let use the key (principal
   * `<service>.<region>.amazonaws.com`), with the actions, where the service needs it.
   */
  readonly keyPolicy?: { readonly service: string; readonly actions: string[] };
  /** Why the row does not apply to this resource (its encryption is decided elsewhere), if so. */
  readonly notApplicable?: (p: CfnProperties) => string | undefined;
  /** The resource types `isEncrypted` reads through `around`, beside the resource itself (a reader may give it only these). */
  readonly reads?: string[];
  /**
   * Whether the resource is encrypted by its properties (and the resources of `reads` they name, read
   * through `around`); undefined when it cannot be told at synth time.
   */
  readonly isEncrypted: (p: CfnProperties, around: () => RowSurroundings) => boolean | undefined;
  /**
   * Why it cannot be told, where `isEncrypted` says so, in words that follow the resource type
   * (`ComputeResources.Type is an unresolved token`); by default, the row's property is an unresolved token.
   */
  readonly undecidedBecause?: (p: CfnProperties, around: () => RowSurroundings) => string | undefined;
  /**
   * The property overrides that encrypt it, with the key's ARN when one is given; undefined when
   * the aspect cannot know what to write.
   */
  readonly fix: (p: CfnProperties, keyArn?: string) => Record<string, unknown> | undefined;
  /** The fix in words, for messages. */
  readonly fixText: string;
}
