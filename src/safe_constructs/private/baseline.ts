// The baseline an app adopting the library writes once and then keeps: the findings it accepted on
// day one, by what they said. SafePatternsChecks and EncryptionAspect share one file, each owning its
// own lines. Private.
import * as fs from 'fs';
import * as path from 'path';
import { Problems } from './errors';

const DESCRIPTION = 'Findings accepted when safe-constructs was adopted (SafePatternsChecks lines start with the rule id, '
  + 'EncryptionAspect lines with its error id): reported as warnings, not errors. Fix each, then remove its line. '
  + 'A line accepts only the finding it records; any other finding fails the synth, and a line no finding matches any more is reported.';

/** The baseline of one owner (the pack, or the aspect) in a file both may share. */
export class Baseline {
  /**
   * Opens the baseline `file` for `owner`, whose lines `owns` recognizes. A file that does not exist
   * is an error, unless it is being written: a mistyped path would otherwise turn every accepted
   * finding into an error without saying why. `adviceSince` is where lines of an earlier version began
   * the advice they recorded after what was found (`; fix: `): such a line still accepts its finding.
   */
  public static open(owner: string, file: string | undefined, writing: boolean, owns: (line: string) => boolean,
    adviceSince?: string): Baseline | undefined {
    const problems = new Problems(owner);
    if (file === undefined && writing) {
      problems.add('BaselineWithoutFile', 'write_baseline (writeBaseline) is true, and baseline names no file to write',
        'give baseline a path, such as "safe-patterns-baseline.json"');
    }
    if (file !== undefined && !writing && !fs.existsSync(file)) {
      problems.add('BaselineNotFound', `baseline names ${JSON.stringify(file)}, which does not exist (looked for ${path.resolve(file)})`,
        'give the path of the baseline file relative to the directory cdk synth runs in, or write it first with write_baseline=True');
    }
    const lines = file === undefined ? [] : readLines(problems, file);
    problems.throwIfAny();
    if (file === undefined) return undefined;
    return new Baseline(file, writing, owns, lines, adviceSince);
  }

  private readonly lines: Set<string>;
  /** The lines an earlier version wrote with the advice after what was found, by what was found. */
  private readonly withAdvice = new Map<string, string[]>();
  private readonly matched = new Set<string>();
  private readonly recorded = new Set<string>();

  private constructor(public readonly file: string, private readonly writing: boolean, private readonly owns: (line: string) => boolean,
    lines: string[], adviceSince?: string) {
    this.lines = new Set(lines.filter(owns));
    for (const line of adviceSince === undefined ? [] : this.lines) {
      const at = line.indexOf(adviceSince!);
      if (at > 0) this.withAdvice.set(line.slice(0, at), [...this.withAdvice.get(line.slice(0, at)) ?? [], line]);
    }
  }

  /**
   * Whether the baseline accepts a finding, recorded as `line`; when writing, it accepts every finding
   * and records it. A line an earlier version wrote with the advice after what was found (`...; fix: ...`)
   * accepts the finding it found, whatever the advice says now.
   */
  public accepts(line: string): boolean {
    if (this.writing) {
      this.recorded.add(line);
      return true;
    }
    const accepting = [...this.lines.has(line) ? [line] : [], ...this.withAdvice.get(line) ?? []];
    for (const accepted of accepting) this.matched.add(accepted);
    return accepting.length > 0;
  }

  /**
   * The owner's lines that no finding of this synth matched: fixed findings whose lines can go. Where
   * the findings come in several passes (aws-cdk-lib runs a plugin once per environment of the app),
   * `judged` keeps the lines of what this pass judged.
   */
  public stale(judged: (line: string) => boolean = () => true): string[] {
    return this.writing ? [] : [...this.lines].filter((line) => !this.matched.has(line) && judged(line)).sort();
  }

  /** When writing: replaces the owner's lines with those recorded, keeping the other owner's. */
  public save(): void {
    if (!this.writing) return;
    const others = fs.existsSync(this.file) ? readLines(new Problems(undefined), this.file).filter((line) => !this.owns(line)) : [];
    fs.writeFileSync(this.file, JSON.stringify({ description: DESCRIPTION, findings: [...others, ...this.recorded].sort() }, undefined, 2) + '\n');
  }
}

/**
 * What to say of stale lines written before a line recorded what its finding said (`rule stack
 * logicalId`, no `: ...`): such a line accepted any finding of its rule on its resource, and now none.
 */
export function oldFormatHint(stale: string[]): string {
  const old = stale.filter((line) => !line.includes(': ')).length;
  return old === 0 ? '' : `; ${old} of them ${old === 1 ? 'is' : 'are'} in the old format, which named no finding: `
    + 'write the baseline again (write_baseline=True) to record today\'s findings';
}

/**
 * The lines of a baseline file: `{"description": ..., "findings": ["line", ...]}`. A file that is no
 * JSON, or holds anything else, is a problem naming it: read as empty, it would turn every accepted
 * finding into an error without saying why.
 */
function readLines(problems: Problems, file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const fix = 'make it the JSON object safe-constructs writes ({"findings": ["<line>", ...]}), or delete it and write it '
    + 'again with write_baseline=True';
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (error) {
    problems.add('BaselineNotJson', `baseline names ${JSON.stringify(file)}, which is not JSON (${(error as Error).message})`, fix);
    return [];
  }
  const findings = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(findings) || findings.some((line) => typeof line !== 'string')) {
    const got = Array.isArray(body) ? 'a list' : body === null || typeof body !== 'object' ? `${JSON.stringify(body)}`
      : findings === undefined ? 'an object without "findings"' : '"findings" that is not a list of strings';
    problems.add('BaselineWrongShape', `baseline names ${JSON.stringify(file)}, which holds ${got}, not an object whose `
      + '"findings" is a list of lines (strings)', fix);
    return [];
  }
  return findings as string[];
}
