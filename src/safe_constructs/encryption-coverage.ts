/**
 * What changing a property does to an existing resource, in the words of CloudFormation's "Update
 * requires", with two cases its schemas do not show.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */
export enum UpdateBehavior {
  /** Changed in place, without disrupting the resource. */
  NO_INTERRUPTION = 'NO_INTERRUPTION',
  /** Changed in place, with an interruption (a reboot, a failover). */
  SOME_INTERRUPTION = 'SOME_INTERRUPTION',
  /** The resource is replaced: a create-only property of its schema. A new resource starts empty. */
  REPLACEMENT = 'REPLACEMENT',
  /** The schema lets the property change, but AWS's documentation says the change replaces the resource. */
  REPLACEMENT_BY_THE_SERVICE = 'REPLACEMENT_BY_THE_SERVICE',
  /** The schema lets the property change, but the service rejects the change: the update fails. */
  UPDATE_FAILS = 'UPDATE_FAILS',
}

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
  /**
   * The property values that turn off the encryption AWS applies by default (which the aspect then
   * reports); undefined where none can.
   */
  readonly defaultTurnedOffBy?: string;
  /** Whether the property protects data in transit (its traffic) rather than at rest. */
  readonly inTransit: boolean;
  /**
   * What a change of the property does to an existing resource. `REPLACEMENT` exactly where the
   * resource's CloudFormation schema lists the property as create-only (checked by the tests).
   */
  readonly updateBehavior: UpdateBehavior;
  /** What more AWS says of such a change (a condition, what it costs); undefined when nothing. */
  readonly updateNote?: string;
  /** Why FIX mode does not change it unless told to; undefined where it fixes it. */
  readonly fixRefusedBecause?: string;
  /** Why FIX mode cannot write the property itself (it reports the resource instead); undefined where it can. */
  readonly fixNotWrittenBecause?: string;
  /** Whether FIX mode refuses only when the property is already set (it may add an absent one). */
  readonly fixRefusedOnlyWhenSet: boolean;
  /** The AWS documentation the row rests on. */
  readonly source: string;
}
