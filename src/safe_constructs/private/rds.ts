// What RDS accepts of a database's settings, each limit written once. Private.
import { RemovalPolicy, Token, aws_kms as kms } from 'aws-cdk-lib';
import { ErrorId, Problems, WarningId, range, show } from './errors';
import { RDS_IDENTIFIER_MAX, RDS_PORT } from './limits';

/** The fix for a port out of range, naming the API whose limit it is. */
export function rdsPortFix(api: 'CreateDBInstance' | 'CreateDBCluster'): string {
  return `use a port ${range(RDS_PORT)} (${api}), or omit it for the engine's default`;
}

/** An identifier RDS accepts: letters, digits or hyphens, a letter first, no hyphen at the end or twice in a row. */
export function checkRdsIdentifier(problems: Problems, id: ErrorId, prop: string, identifier: string | undefined, what: string): void {
  if (identifier === undefined || Token.isUnresolved(identifier)) return;
  if (/^[A-Za-z](?:-?[A-Za-z0-9])*$/.test(identifier) && identifier.length <= RDS_IDENTIFIER_MAX) return;
  problems.prop(id, prop, `is not a ${what} identifier RDS accepts, got: ${show(identifier)}`,
    `use 1 to ${RDS_IDENTIFIER_MAX} letters, digits or hyphens, starting with a letter, without two hyphens in a row or one at the end; `
    + 'or omit it for a generated one');
}

/** The storage choices every database of the library defaults to the safe side (`K`: the key type its L2 takes). */
export interface StorageChoices<K = kms.IKey> {
  readonly storageEncrypted?: boolean;
  readonly storageEncryptionKey?: K;
  readonly deletionProtection?: boolean;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Encrypted storage (with the given key, else `defaultKey`), deletion protection, and a snapshot on
 * removal: each turned off only by an explicit prop.
 */
export function safeStorage<K>(props: StorageChoices<K>, defaultKey: K | undefined): StorageChoices<K> {
  const storageEncrypted = props.storageEncrypted ?? true;
  return {
    storageEncrypted,
    storageEncryptionKey: storageEncrypted ? props.storageEncryptionKey ?? defaultKey : undefined,
    deletionProtection: props.deletionProtection ?? true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
  };
}

/** The warnings for each safe storage default turned off, for `what` ("instance", "cluster"). */
export function storageChoiceWarnings(props: StorageChoices<unknown>, what: string): Array<[boolean, WarningId, string]> {
  return [
    [props.storageEncrypted === false, 'storageUnencrypted',
      `storage is not encrypted (storage_encrypted is False); encrypting it later replaces the ${what}`],
    [props.deletionProtection === false, 'deletionProtectionOff', 'deletion protection is off (deletion_protection is False)'],
    [props.removalPolicy === RemovalPolicy.DESTROY, 'destroyOnRemoval',
      `the ${what} and its data are deleted, without a snapshot, when it leaves the stack (removal_policy is DESTROY)`],
  ];
}
