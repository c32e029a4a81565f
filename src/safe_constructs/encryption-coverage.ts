/** One row of {@link EncryptionAspect.coverage}: a property the aspect checks. */
export interface EncryptionCoverage {
  /** The CloudFormation resource type. */
  readonly resourceType: string;
  /** The property that turns encryption on. */
  readonly property: string;
  /** Whether AWS encrypts the resource when the property is absent, for every configuration. */
  readonly encryptedByDefault: boolean;
  /** The configurations AWS encrypts by default although `encryptedByDefault` is false; undefined when none. */
  readonly encryptedByDefaultWhen?: string;
  /** Whether the property protects data in transit (its traffic) rather than at rest. */
  readonly inTransit: boolean;
  /** What a change of the property does to an existing resource (from its CloudFormation schema and docs). */
  readonly updateBehavior: string;
  /** Why FIX mode does not change it unless told to; undefined where it fixes it. */
  readonly fixRefusedBecause?: string;
  /** Whether FIX mode refuses only when the property is already set (it may add an absent one). */
  readonly fixRefusedOnlyWhenSet: boolean;
  /** The AWS documentation the row rests on. */
  readonly source: string;
}
