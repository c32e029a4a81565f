import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation,
} from 'aws-cdk-lib';
import { errorMessage } from './internal';
import { ALL_RULES, Templates } from './rules';
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
   * A baseline file (JSON) of findings accepted when the pack was adopted on an existing app: they
   * are reported as warnings, and every other finding stays an error, so new code still fails.
   * The path is relative to the directory `cdk synth` runs in.
   *
   * @default - no baseline: every finding is an error (undecided ones are warnings)
   */
  readonly baseline?: string;

  /**
   * Whether to write the baseline from this synth's findings (replacing the file), accepting them
   * all: the first step of adoption, for example wired to a context value
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
 * decide at synth time (an unresolved token), it reports a warning saying so instead of guessing.
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

  private readonly baseline?: string;
  private readonly writeBaseline: boolean;

  constructor(props: SafePatternsChecksProps = {}) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require(path.join(__dirname, '..', 'package.json')).version;
    if (props.writeBaseline && !props.baseline) {
      throw new Error(errorMessage('BaselineWithoutFile', 'SafePatternsChecks',
        'write_baseline (writeBaseline) is true, and baseline names no file to write', 'give baseline a path, such as "safe-patterns-baseline.json"'));
    }
    this.baseline = props.baseline;
    this.writeBaseline = props.writeBaseline ?? false;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = Templates.load(context.stackTemplates.map((stack) => ({
      templatePath: stack.templatePath, stackConstructPath: stack.stackConstructPath,
    })));
    const findings = ALL_RULES.flatMap((rule) => rule.check(templates).map((finding) => ({ rule, finding })));
    const accepted = this.acceptedFindings(findings.filter(({ finding }) => !finding.undecided)
      .map(({ rule, finding }) => baselineKey(rule, finding)));
    const violations = findings.map(({ rule, finding }) =>
      violation(rule, finding, accepted.has(baselineKey(rule, finding)) ? this.baseline : undefined));
    return {
      success: violations.every((v) => v.severity !== 'error'),
      violations,
      pluginVersion: this.version,
    };
  }

  /** The findings the baseline accepts; writing the baseline first when asked to (it then accepts them all). */
  private acceptedFindings(current: string[]): Set<string> {
    if (!this.baseline) return new Set();
    if (this.writeBaseline) {
      fs.writeFileSync(this.baseline, JSON.stringify({
        description: 'SafePatternsChecks findings accepted when the pack was adopted: warnings, not errors. '
          + 'Fix each, then remove its line; a finding not listed here fails the synth.',
        findings: [...new Set(current)].sort(),
      }, undefined, 2) + '\n');
    }
    if (!fs.existsSync(this.baseline)) return new Set();
    return new Set<string>(JSON.parse(fs.readFileSync(this.baseline, 'utf-8')).findings ?? []);
  }
}

/** A finding's identity in a baseline: rule, stack and logical id, which stay put while the code does. */
function baselineKey(rule: Rule, finding: Finding): string {
  return `${rule.id} ${finding.resource.template.stackPath} ${finding.resource.logicalId}`;
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
