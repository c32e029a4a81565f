import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation,
} from 'aws-cdk-lib';
import { Baseline, oldFormatHint } from './private/baseline';
import { Templates } from './private/templates';
import { ALL_RULES } from './rules';
import { Finding, Rule } from './rules/rule';

/** One rule of {@link SafePatternsChecks}, as RULES.md lists it. */
export interface SafePatternsRuleInfo {
  /** The rule's id, acknowledged as `SafePatterns::<id>`. */
  readonly id: string;
  /** What the rule finds, in one line. */
  readonly summary: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix it, naming the safe construct that replaces the pattern. */
  readonly fix: string;
  /** The AWS documentation the rule rests on. */
  readonly source: string;
}

/**
 * Properties of {@link SafePatternsChecks}.
 */
export interface SafePatternsChecksProps {
  /**
   * A baseline file (JSON) of findings accepted when the pack was adopted on an existing app: each
   * line accepts the one finding it records (rule, stack, logical id and what it found), reported as
   * a warning; every other finding stays an error, so new code still fails, and a line that no
   * finding matches any more is reported. It may be the file `EncryptionAspect` uses: each keeps its
   * own lines. The path is relative to the directory `cdk synth` runs in; a file that does not exist
   * is an error (unless `writeBaseline`).
   *
   * @default - no baseline: every finding is an error (undecided ones are warnings)
   */
  readonly baseline?: string;

  /**
   * Whether to write the baseline from this synth's findings (replacing the pack's lines), accepting
   * them all: the first step of adoption, for example wired to a context value
   * (`write_baseline=app.node.try_get_context("safe-patterns:write-baseline") == "true"`).
   *
   * @default false
   */
  readonly writeBaseline?: boolean;
}

/**
 * A rule pack that finds the documented mistakes (RULES.md lists each, with its AWS source) in CDK code that does not use
 * this library's constructs, and names the construct that replaces each.
 *
 * A policy validation plugin, run on the synthesized templates of the whole app:
 * `Validations.of(app).addPlugins(new SafePatternsChecks())`. Its findings land in the synth
 * report (`validation-report.json`) beside aws-cdk-lib's and cdk-nag's, with the construct path and
 * the rule id; errors fail `cdk synth`. Acknowledge a finding with
 * `Validations.of(scope).acknowledge({ id: 'SafePatterns::SP-DMS3', reason })`. Where a rule cannot
 * decide at synth time (an unresolved token), it reports a warning saying so instead of guessing; a
 * rule that fails on a resource reports a warning naming it, and the other rules still run.
 *
 * @example
 * Validations.of(this).addPlugins(new SafePatternsChecks());
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
export class SafePatternsChecks implements IPolicyValidationPlugin {
  /** The rules of the pack, in the order of RULES.md. */
  public static rules(): SafePatternsRuleInfo[] {
    return ALL_RULES.map(({ id, summary, explanation, fix, source }) => ({ id, summary, explanation, fix, source }));
  }

  public readonly name = 'SafePatterns';
  public readonly version?: string;
  public readonly ruleIds?: string[] = ALL_RULES.map((rule) => rule.id);

  private readonly baseline?: Baseline;

  constructor(props: SafePatternsChecksProps = {}) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require(path.join(__dirname, '..', 'package.json')).version;
    this.baseline = Baseline.open('SafePatternsChecks', props.baseline, props.writeBaseline ?? false, (line) => line.startsWith('SP-'));
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = Templates.load(context.stackTemplates.map((stack) => ({
      templatePath: stack.templatePath, stackConstructPath: stack.stackConstructPath,
    })));
    const violations: PolicyViolation[] = [];
    for (const rule of ALL_RULES) {
      let findings: Finding[];
      try {
        findings = rule.check(templates);
      } catch (error) {
        // A rule that throws outside a single resource's judgement: reported, and the other rules still run.
        violations.push(ruleFailure(rule, error, templates));
        continue;
      }
      for (const finding of findings) {
        const accepted = !finding.undecided && this.baseline?.accepts(baselineLine(rule, finding));
        violations.push(violation(rule, finding, accepted ? this.baseline!.file : undefined));
      }
    }
    this.baseline?.save();
    const stale = this.baseline?.stale() ?? [];
    if (stale.length > 0) violations.push(staleLines(this.baseline!.file, stale, templates));
    return {
      success: violations.every((v) => v.severity !== 'error'),
      violations,
      pluginVersion: this.version,
    };
  }
}

/**
 * A finding's line in a baseline: rule, stack, logical id and what it found. The line accepts that
 * finding and no other: a new problem of the same rule on the same resource says something else.
 */
function baselineLine(rule: Rule, finding: Finding): string {
  return `${rule.id} ${finding.resource.template.stackPath} ${finding.resource.logicalId}: ${finding.detail}`;
}

function violation(rule: Rule, finding: Finding, baselinedIn?: string): PolicyViolation {
  const accepted = baselinedIn ? `accepted in the baseline ${baselinedIn} (fix it, then remove its line): ` : '';
  return {
    ruleName: rule.id,
    description: `${accepted}${finding.undecided ? 'cannot decide at synth time' : rule.summary}: ${finding.detail}`,
    fix: `${rule.fix} (${rule.source})`,
    severity: finding.undecided || baselinedIn ? 'warning' : 'error',
    violatingResources: [{
      resourceLogicalId: finding.resource.logicalId,
      templatePath: finding.resource.template.templatePath,
      locations: finding.locations ?? [],
    }],
  };
}

/** The first resource of the app, where a finding about the whole app is shown. */
function anyResource(templates: Templates): Array<{ resourceLogicalId: string; templatePath: string; locations: string[] }> {
  const stack = templates.stacks.find((s) => s.resources.size > 0);
  const first = stack && [...stack.resources.values()][0];
  return first ? [{ resourceLogicalId: first.logicalId, templatePath: stack.templatePath, locations: [] }] : [];
}

function ruleFailure(rule: Rule, error: unknown, templates: Templates): PolicyViolation {
  return {
    ruleName: rule.id,
    description: `cannot decide at synth time: the rule failed (${error instanceof Error ? error.message : String(error)}) and judged `
      + 'nothing; the other rules ran',
    fix: 'report it to safe-constructs with the template; meanwhile check what the rule finds by hand (RULES.md)',
    severity: 'warning',
    violatingResources: anyResource(templates),
  };
}

function staleLines(file: string, stale: string[], templates: Templates): PolicyViolation {
  return {
    ruleName: 'baseline',
    description: `${stale.length} line(s) of the baseline ${file} match no finding any more (fixed, or the resource is gone): `
      + `${stale.join(' | ')}${oldFormatHint(stale)}`,
    fix: 'remove those lines from the baseline, so that they cannot hide a finding',
    severity: 'warning',
    violatingResources: anyResource(templates),
  };
}
