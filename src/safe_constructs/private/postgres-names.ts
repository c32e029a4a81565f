// What PostgreSQL accepts as a name, written once for every construct that passes one on. Private.

/**
 * The longest PostgreSQL name: NAMEDATALEN - 1 bytes, 63 by default (RDS does not change it).
 *
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 */
export const POSTGRES_NAME_MAX = 63;

/** A plain (unquoted) PostgreSQL name: a letter or underscore, then letters, digits or underscores. */
export const POSTGRES_NAME = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${POSTGRES_NAME_MAX - 1}}$`);

/** The fix for a name that is not one. */
export const POSTGRES_NAME_FIX = `use 1 to ${POSTGRES_NAME_MAX} letters, digits or underscores, starting with a letter or underscore`;
