import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation,
} from 'aws-cdk-lib';
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

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require(path.join(__dirname, '..', 'package.json')).version;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = Templates.load(context.stackTemplates.map((stack) => ({
      templatePath: stack.templatePath, stackConstructPath: stack.stackConstructPath, region: stack.region,
    })));
    const violations = ALL_RULES.flatMap((rule) => rule.check(templates).map((finding) => violation(rule, finding)));
    return {
      success: violations.every((v) => v.severity !== 'error'),
      violations,
      pluginVersion: this.version,
    };
  }
}

function violation(rule: Rule, finding: Finding): PolicyViolation {
  return {
    ruleName: rule.id,
    description: `${finding.undecided ? 'cannot decide at synth time' : rule.summary}: ${finding.detail}`,
    fix: `${rule.fix} (${rule.source})`,
    severity: finding.undecided ? 'warning' : 'error',
    violatingResources: [{
      resourceLogicalId: finding.resource.logicalId,
      templatePath: finding.resource.template.templatePath,
      locations: finding.locations ?? [],
    }],
  };
}
