// The DMS replication engine's versions: the one pinned by default, the oldest each source engine
// needs, and how two compare. Facts with their sources, for any replication whatever its engines. Private.

/**
 * The replication engine pinned by default: the oldest DMS version documented for PostgreSQL 17
 * sources (3.5.4, DMS's default, is too old for 17). When new instances stop using it: the English
 * release notes say "TBD"; the Chinese copy says 30 April 2027, the date taken (the earlier), and
 * test_postgres_replication.py fails once it has passed. An older revision (default engine 3.5.3)
 * said 15 September 2026; later revisions moved every such date later, so it is withdrawn.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
 * @see https://docs.amazonaws.cn/dms/latest/userguide/CHAP_ReleaseNotes.md
 */
export const DEFAULT_DMS_ENGINE_VERSION = '3.6.1';

/**
 * The oldest DMS version each PostgreSQL major needs as a source ("PostgreSQL source version"
 * table). The target page documents fewer majors; the same floor is applied to targets, the safe side.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export const DMS_VERSION_FOR_POSTGRES: Record<number, string> = { 13: '3.4.3', 14: '3.4.7', 15: '3.5.1', 16: '3.5.3', 17: '3.6.1' };

/** The newest PostgreSQL major the DMS guide names a version for. */
export const NEWEST_POSTGRES_MAJOR_NAMED = Math.max(...Object.keys(DMS_VERSION_FOR_POSTGRES).map(Number));

/** The table in words, newest first: `PostgreSQL 17 needs DMS 3.6.1 or later, 16 needs 3.5.3, ...`. */
export function dmsVersionsForPostgresInWords(): string {
  const majors = Object.keys(DMS_VERSION_FOR_POSTGRES).map(Number).sort((a, b) => b - a);
  return majors.map((major, i) => i === 0 ? `PostgreSQL ${major} needs DMS ${DMS_VERSION_FOR_POSTGRES[major]} or later`
    : `${major} needs ${DMS_VERSION_FOR_POSTGRES[major]}`).join(', ');
}

/** -1, 0 or 1 as version `a` is older than, the same as, or newer than `b` ("3.5.4" < "3.6.1"). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  }
  return 0;
}
