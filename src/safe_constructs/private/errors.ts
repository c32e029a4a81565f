// The library's one error contract: ids, messages, and the collector every check reports through.
// Private: nothing here is exported from the package.
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorId, WarningId } from './error-ids';
import { Bound, DurationBound, durationRange, range } from './limits';
import { handProblems, packValidates } from './pack-handoff';

export { Bound, DurationBound, ErrorId, WarningId, range };

/**
 * The prefix of every error and warning id this library gives (`safe-constructs:allWeightsZero`),
 * so warnings can be acknowledged and errors searched by name (docs/ERRORS.md lists them).
 */
const ID_PREFIX = 'safe-constructs';

/**
 * A prop's name as each language spells it: `automatically_after (automaticallyAfter)` when the
 * Python name differs, so a message names the prop the user actually wrote.
 */
export function propName(jsiiName: string): string {
  const python = jsiiName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return python === jsiiName ? jsiiName : `${python} (${jsiiName})`;
}

/** Where a message is about: the construct's path, or a name for the app's root, whose path is empty. */
function pathOf(scope: IConstruct): string {
  return scope.node.path || '(the app)';
}

/**
 * One error of the contract: a stable id, where (a construct path; omitted where the CDK adds it, as
 * in validations), what is wrong with the value received, and the action that fixes it:
 * `[safe-constructs:WeightOutOfRange] Pay/Blue: weight must be ...; fix: ...`.
 */
function errorMessage(id: ErrorId, where: string | undefined, problem: string, fix: string): string {
  return `[${ID_PREFIX}:${id}] ${where === undefined ? '' : `${where}: `}${problem}; fix: ${fix}`;
}

/**
 * The one way the library reports a problem. A construct declares its checks on one collector and
 * every problem comes out at once, one line each: from its constructor (`throwIfAny`), or at synth
 * for what only the built app shows ({@link checkAtSynth}), which fails `app.synth()` and
 * `cdk synth` alike. Ids are typed by the table in error-ids.ts.
 */
export class Problems {
  private readonly found: string[] = [];

  /** `where` is the construct, its path when the construct does not exist yet, or undefined at synth (the CDK prints the path). */
  constructor(private readonly where: IConstruct | string | undefined) {}

  /** A problem with a prop, named by its jsii name and shown in both spellings. */
  public prop(id: ErrorId, prop: string, problem: string, fix: string): void {
    this.add(id, `${propName(prop)} ${problem}`, fix);
  }

  /** A problem not tied to a single prop. */
  public add(id: ErrorId, problem: string, fix: string): void {
    const where = this.where === undefined || typeof this.where === 'string' ? this.where : pathOf(this.where);
    this.found.push(errorMessage(id, where, problem, fix));
  }

  /** Adds a problem unless `value` is a whole number within `bound`; an unresolved token passes (checked at deploy). */
  public integerInRange(id: ErrorId, prop: string, value: number, bound: Bound, fix: string): void {
    if (Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < bound.min || value > bound.max) {
      this.prop(id, prop, `must be a whole number ${range(bound)}, got: ${value}`, fix);
    }
  }

  /** Adds a problem unless the duration lies within `bound`; a duration built from a token passes. */
  public durationInRange(id: ErrorId, prop: string, value: Duration, bound: DurationBound, fix: string): void {
    if (value.isUnresolved()) return;
    const millis = value.toMilliseconds();
    if (millis < bound.min.toMilliseconds() || millis > bound.max.toMilliseconds()) {
      this.prop(id, prop, `must be ${durationRange(bound)}, got: ${value.toHumanString()}`, fix);
    }
  }

  /** The problems found, one message each. */
  public messages(): string[] {
    return [...this.found];
  }

  /** Throws every problem found, one per line; does nothing when there is none. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw contractError(this.found.join('\n'));
  }
}

/**
 * Whether the library runs in jsii's process for an app in another language (Python, Java, Go...):
 * jsii's runtime names its directory under this symbol while it serves a call (aws-cdk-lib's
 * stack-trace.ts reads it too).
 */
function underJsii(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('jsii.context.hostDirName')] !== undefined;
}

/**
 * An Error carrying the contract's message. For an app in another language its stack is the message
 * alone: every frame would be the library's, aws-cdk-lib's or jsii's runtime, none the user's code
 * (which runs in another process), and Python prints the stack above its own traceback. A TypeScript
 * app keeps the whole stack, which leads to its code.
 */
function contractError(message: string): Error {
  const error = new Error(message);
  if (underJsii()) error.stack = `Error: ${message}`;
  return error;
}

/**
 * Declares checks that need the built app (what surrounds the construct, what an aspect settled):
 * they run in the synth's validation pass and report through a {@link Problems}, so their errors
 * fail `app.synth()` (a `python app.py`) as well as `cdk synth`.
 */
export function checkAtSynth(scope: IConstruct, check: (problems: Problems) => void): void {
  scope.node.addValidation({
    validate: () => {
      const problems = new Problems(undefined);
      check(problems);
      const messages = problems.messages();
      // With SafePatternsChecks on the app, its report shows them beside its findings: the tree validation
      // would stop the synth before the pack runs (private/pack-handoff.ts).
      if (messages.length > 0 && packValidates(scope)) {
        handProblems(scope, messages);
        return [];
      }
      return messages;
    },
  });
}

/** Throws one error of the contract, for a problem found where nothing else is checked (a static factory). */
export function fail(scope: IConstruct | undefined, id: ErrorId, problem: string, fix: string): never {
  const problems = new Problems(scope);
  problems.add(id, problem, fix);
  problems.throwIfAny();
  throw new Error('unreachable: a problem was added');
}

/** A warning of the contract on a construct, acknowledged by `safe-constructs:<id>`. */
export function warn(scope: IConstruct, id: WarningId, message: string): void {
  Annotations.of(scope).addWarningV2(`${ID_PREFIX}:${id}`, message);
  untraced(scope, `${message} [ack: ${ID_PREFIX}:${id}]`);
}

/** An info message on a construct (what the library did, or left alone and why). */
export function inform(scope: IConstruct, message: string): void {
  Annotations.of(scope).addInfo(message);
  untraced(scope, message);
}

/**
 * Drops the stack trace Annotations records with a message, for an app in another language: every
 * frame is the library's, aws-cdk-lib's or jsii's runtime, and `cdk synth` prints the first that is in
 * no node_modules (`.../lib/program.js:1:5591`, jsii's runtime) above the message. A TypeScript app
 * keeps its trace, which leads to its code.
 */
function untraced(scope: IConstruct, data: string): void {
  if (!underJsii()) return;
  for (const entry of scope.node.metadata) {
    if (entry.data === data) delete (entry as { trace?: string[] }).trace;
  }
}

/** A value as it appears in a message: strings quoted, tokens named as such. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? '(an unresolved token)' : JSON.stringify(value);
  }
  return String(value);
}

/** The characters of `required` missing from `actual`, each once, in `required`'s order. */
/** Adds a warning for each unsafe choice made: `[chosen, id, message]`. */
export function warnAboutChoices(scope: IConstruct, choices: Array<[boolean, WarningId, string]>): void {
  for (const [chosen, id, message] of choices) {
    if (chosen) warn(scope, id, message);
  }
}
