// A DMS task's settings, whatever its engines: the bounds DMS puts on them, and the user's settings
// merged over a construct's. Private.
import { Bound } from './errors';

/**
 * The largest LOB migrated whole in LIMITED mode, in KB: "The maximum value for this parameter is
 * 102400 KB (100 MB)".
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.LOBSupport.html
 */
export const LOB_MAX_SIZE_KB: Bound = { min: 1, max: 102400 };

/** `override` merged over `base`: objects key by key, any other value replaced. */
export function mergeSettings(base: { [key: string]: any }, override: { [key: string]: any }): { [key: string]: any } {
  const merged: { [key: string]: any } = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    merged[key] = isObject(value) && isObject(base[key]) ? mergeSettings(base[key], value) : value;
  }
  return merged;
}
