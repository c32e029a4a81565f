// Helpers shared by the constructs. Not exported from index.ts: nothing here is public API.
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The prefix of every warning id this library adds, so they can be acknowledged by name. */
export const WARNING_PREFIX = 'safe-constructs';

/**
 * The characters a database password must never contain, because one of its consumers rejects them:
 * DMS rejects `{ }` for every engine and `; + %` for PostgreSQL, in endpoint passwords and in the
 * secrets it reads; RDS master passwords reject `/ ' " @` and space.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Endpoints.Creating.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
 */
export const CONSUMER_REJECTED_PASSWORD_CHARACTERS = '{};+%/\'"@ ';

/**
 * A prop's name as each language spells it: `automatically_after (automaticallyAfter)` when the
 * Python name differs, so a message names the prop the user actually wrote.
 */
export function propName(jsiiName: string): string {
  const python = jsiiName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return python === jsiiName ? jsiiName : `${python} (${jsiiName})`;
}

/**
 * Throws the library's one kind of error: what is wrong with which prop, the value received, what
 * is allowed and the fix, prefixed with the construct's path.
 */
export function fail(scope: IConstruct, prop: string, problem: string, fix: string): never {
  throw new Error(`${scope.node.path}: ${propName(prop)} ${problem}; ${fix}`);
}

/** A value as it appears in a message: strings quoted, tokens named as such. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? '(an unresolved token)' : JSON.stringify(value);
  }
  return String(value);
}

/** Fails unless `value` is a whole number in [min, max]; unresolved tokens pass (checked at deploy). */
export function requireIntegerInRange(
  scope: IConstruct, prop: string, value: number, min: number, max: number, fix: string,
): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, prop, `must be a whole number from ${min} to ${max}, got: ${value}`, fix);
  }
}

/** Fails unless the duration lies in [min, max]; a duration built from a token passes. */
export function requireDurationInRange(
  scope: IConstruct, prop: string, value: Duration, min: Duration, max: Duration, fix: string,
): void {
  if (value.isUnresolved()) return;
  const millis = value.toMilliseconds();
  if (millis < min.toMilliseconds() || millis > max.toMilliseconds()) {
    fail(scope, prop,
      `must be from ${min.toHumanString()} to ${max.toHumanString()}, got: ${value.toHumanString()}`, fix);
  }
}

/** The characters of `required` missing from `actual`, each once, in `required`'s order. */
export function missingCharacters(actual: string, required: string): string {
  return [...new Set(required)].filter((c) => !actual.includes(c)).join('');
}
