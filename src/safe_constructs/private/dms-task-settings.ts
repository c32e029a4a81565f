// A DMS task's settings, whatever its engines: the user's settings merged over a construct's (the
// bounds DMS puts on them are in limits.ts). Private.
/** `override` merged over `base`: objects key by key, any other value replaced. */
export function mergeSettings(base: { [key: string]: any }, override: { [key: string]: any }): { [key: string]: any } {
  const merged: { [key: string]: any } = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    merged[key] = isObject(value) && isObject(base[key]) ? mergeSettings(base[key], value) : value;
  }
  return merged;
}
