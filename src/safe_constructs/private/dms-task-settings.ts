// A DMS task's settings, whatever its engines: the user's settings merged over a construct's, and the
// merged settings checked against the shape DMS documents (dms-task-settings-shape.ts; the bounds DMS
// puts on values are in limits.ts). Private.
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TASK_SETTINGS_SHAPE, TASK_SETTINGS_SOURCE, SettingShape } from './dms-task-settings-shape';
import { Problems, propName, show, warn } from './errors';

/** `override` merged over `base`: objects key by key, any other value replaced. */
export function mergeSettings(base: { [key: string]: any }, override: { [key: string]: any }): { [key: string]: any } {
  const merged: { [key: string]: any } = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = isObject(value) && isObject(base[key]) ? mergeSettings(base[key], value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The number of single-character edits between two names, case ignored (Levenshtein). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/_/g, '');
  const y = b.toLowerCase().replace(/_/g, '');
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[y.length];
}

/** The documented name a misspelt one is nearest to: a few edits away (case and underscores ignored), if any. */
export function nearName(name: string, names: readonly string[]): string | undefined {
  const scored = names.map((candidate) => ({ candidate, edits: distance(name, candidate) }))
    .filter(({ edits }) => edits <= Math.max(2, Math.floor(name.length / 5)))
    .sort((a, b) => a.edits - b.edits);
  return scored[0]?.candidate;
}

/** A value's kind in the table's terms, as it reads in a message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a fractional number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const KIND_WORDS: Record<SettingShape['kind'], string> = {
  boolean: 'true or false', integer: 'a whole number', string: 'a string', object: 'an object', array: 'a list',
};

function fits(value: unknown, shape: SettingShape): boolean {
  if (value === null) return shape.nullable === true;
  switch (shape.kind) {
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'string': return typeof value === 'string';
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
  }
}

/** A value as a message shows it: JSON, so that "yes" and true differ. */
function shown(value: unknown): string {
  return typeof value === 'string' ? show(value) : JSON.stringify(value);
}

/**
 * Checks the merged task settings against the shape DMS documents. Certainly wrong, refused: a
 * top-level key DMS does not document (with the near name), a documented key holding a value of
 * another type (`"EnableValidation": "yes"`), a key DMS refuses on create. Possibly newer than the
 * guide, warned: a nested key it does not document, a string outside the values it names.
 * A token is left alone (its value is known at deploy).
 */
export function checkTaskSettings(problems: Problems, scope: IConstruct, settings: { [key: string]: unknown }): void {
  const sections = Object.keys(TASK_SETTINGS_SHAPE);
  for (const [key, value] of Object.entries(settings)) {
    const shape = TASK_SETTINGS_SHAPE[key];
    if (!shape) {
      const near = nearName(key, sections);
      const home = sections.find((section) => Object.keys(TASK_SETTINGS_SHAPE[section].keys ?? {}).includes(key));
      problems.prop('TaskSettingsKeyUnknown', 'taskSettings', `has the top-level key ${show(key)}, which DMS's task settings do not `
        + `have (${TASK_SETTINGS_SOURCE}): DMS would ignore it or refuse the task`,
      near ? `write ${show(near)}` : home ? `put ${show(key)} inside ${show(home)}: {"${home}": {"${key}": ...}}`
        : `use the top-level keys DMS documents: ${sections.join(', ')}`);
      continue;
    }
    checkValue(problems, scope, [key], value, shape, shape.source);
  }
}

function checkValue(problems: Problems, scope: IConstruct, path: string[], value: unknown, shape: SettingShape, source: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const where = path.join('.');
  if (shape.refusedOnCreate) {
    problems.prop('TaskSettingsRefusedOnCreate', 'taskSettings', `sets ${where}, which ${shape.refusedOnCreate}`, `remove ${where}`);
    return;
  }
  if (!fits(value, shape)) {
    problems.prop('TaskSettingsTypeWrong', 'taskSettings', `sets ${where} to ${shown(value)} (${kindOf(value)}), and DMS takes `
      + `${KIND_WORDS[shape.kind]}${shape.nullable ? ' or null' : ''} there (${source})`,
    `give ${where} ${shape.kind === 'boolean' ? 'true or false (True or False in Python), not a string' : KIND_WORDS[shape.kind]}`);
    return;
  }
  if (shape.values && typeof value === 'string' && !shape.values.includes(value)) {
    warn(scope, 'taskSettingsUndocumented', `${propName('taskSettings')} sets ${where} to ${show(value)}, which DMS's guide does not `
      + `name (${shape.values.join(', ')}; ${source}): check the value, which DMS may refuse or ignore`);
  }
  if (shape.items && Array.isArray(value)) {
    value.forEach((item, i) => checkValue(problems, scope, [...path.slice(0, -1), `${path[path.length - 1]}[${i}]`], item, shape.items!, source));
  }
  if (shape.keys && isObject(value)) {
    const known = Object.keys(shape.keys);
    for (const [key, inner] of Object.entries(value)) {
      const innerShape = shape.keys[key];
      if (innerShape) {
        checkValue(problems, scope, [...path, key], inner, innerShape, source);
        continue;
      }
      const near = nearName(key, known);
      warn(scope, 'taskSettingsUndocumented', `${propName('taskSettings')} sets ${[...path, key].join('.')}, a key DMS's guide does not `
        + `document (${source}), so DMS may ignore it: ${near ? `did you mean ${show(near)}?` : 'check its name against the guide'}`);
    }
  }
}
