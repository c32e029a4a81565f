import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack,
} from 'aws-cdk-lib';
import { AppAcknowledgments, acknowledgmentsAreAppWide } from './private/acknowledgments';
import { Baseline, oldFormatHint } from './private/baseline';
import { HandedProblem, handedTo, registerPack, templateKey } from './private/pack-handoff';
import { Templates } from './private/templates';
import { ALL_RULES } from './rules';
import { Finding, Rule } from './rules/rule';
import { SafePatternsRuleInfo } from './safe-patterns-rule-info';

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
   * is an error (unless `writeBaseline`), and so is a file that is not such a baseline.
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
 * `Validations.of(scope).acknowledge({ id: 'SafePatterns::SP-DMS3', reason })`: it covers the findings
 * on that scope and below, on every aws-cdk-lib the library supports. Where a rule cannot
 * decide at synth time (an unresolved token), it reports a warning saying so instead of guessing; a
 * rule that fails on a resource reports a warning naming it, and the other rules still run. With the
 * pack on the app, the library's own synth-time errors and `EncryptionAspect`'s findings are reported
 * in its report too, so that one synth shows every problem.
 *
 * @example
 * Validations.of(this).addPlugins(new SafePatternsChecks());
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
export class SafePatternsChecks implements IPolicyValidationPlugin {
  /** The rules of the pack, sorted by id, as RULES.md lists them. */
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
    // Lines written before a line stopped recording the fix (`...: <what was found>; fix: <advice>`) still accept their finding.
    this.baseline = Baseline.open('SafePatternsChecks', props.baseline, props.writeBaseline ?? false,
      (line) => line.startsWith('SP-'), '; fix: ');
    registerPack(this);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const handed = handedTo(context.appConstruct);
    const templates = Templates.load(context.stackTemplates.map((stack) => ({
      templatePath: stack.templatePath, stackConstructPath: stack.stackConstructPath,
    })), handed.verdicts);
    const scope = new AcknowledgmentScope(AppAcknowledgments.of(context.appConstruct));
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
        violations.push(scope.scoped(rule, finding, violation(rule, finding, accepted ? this.baseline!.file : undefined)));
      }
    }
    violations.push(...handedProblems(handed.problems, templates));
    this.baseline?.save();
    const stale = this.baseline?.stale(judgedIn(context, templates)) ?? [];
    if (stale.length > 0) violations.push(staleLines(this.baseline!.file, stale, templates));
    return {
      success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'),
      violations,
      pluginVersion: this.version,
    };
  }
}

/**
 * A finding's line in a baseline: rule, stack, logical id and what it found (never the advice, which
 * may be reworded). The line accepts that finding and no other: a new problem of the same rule on the
 * same resource says something else.
 */
function baselineLine(rule: Rule, finding: Finding): string {
  return `${rule.id} ${finding.resource.template.stackPath} ${finding.resource.logicalId}: ${finding.detail}`;
}

function violation(rule: Rule, finding: Finding, baselinedIn?: string): PolicyViolation {
  const accepted = baselinedIn ? `accepted in the baseline ${baselinedIn} (fix it, then remove its line): ` : '';
  return {
    ruleName: rule.id,
    description: `${accepted}${finding.undecided ? 'cannot decide at synth time' : rule.summary}: ${finding.detail}`
      + `${finding.note ? ` (${finding.note})` : ''}`,
    fix: `${finding.fix ?? rule.fix} (${rule.source})`,
    severity: finding.undecided || baselinedIn ? 'warning' : 'error',
    violatingResources: [{
      resourceLogicalId: finding.resource.logicalId,
      templatePath: finding.resource.template.templatePath,
      locations: finding.locations ?? [],
    }],
  };
}

/**
 * Keeps an acknowledgment to its scope. aws-cdk-lib 2.263.0 to 2.270.x suppress every violation of an
 * acknowledged rule id in the app, wherever the acknowledgment was made (aws/aws-cdk#38495, fixed in
 * 2.271.0 by #38789); there, a finding outside every acknowledgment of its rule is reported under a
 * name no acknowledgment holds, so that it is not silenced. A finding under one keeps its rule id:
 * aws-cdk-lib suppresses it, with the reason, on every version.
 */
class AcknowledgmentScope {
  private readonly appWide = acknowledgmentsAreAppWide();

  constructor(private readonly acknowledgments: AppAcknowledgments) {}

  public scoped(rule: Rule, finding: Finding, reported: PolicyViolation): PolicyViolation {
    if (!this.appWide) return reported;
    const id = `SafePatterns::${rule.id}`;
    const at = this.acknowledgments.pathOf(templateKey(finding.resource.template.templatePath, finding.resource.logicalId));
    const elsewhere = this.acknowledgments.scopesOf(id);
    if (elsewhere.length === 0 || this.acknowledgments.covers(id, at)) return reported;
    return {
      ...reported,
      ruleName: `${rule.id} (not acknowledged here)`,
      description: `${reported.description}; ${id} is acknowledged at ${elsewhere.map((p) => p || '(the app)').join(', ')} only, `
        + 'which this aws-cdk-lib would apply to the whole app (aws/aws-cdk#38495, fixed in 2.271.0): the finding is '
        + 'reported under another name so that it is not silenced',
    };
  }
}

/**
 * Whether a baseline line is about a stack this pass judged: aws-cdk-lib runs the pack once per environment
 * (account and region) of the app, each time on its stacks alone. A line of a stack the app no longer has
 * is every pass's.
 */
function judgedIn(context: IPolicyValidationContext, templates: Templates): (line: string) => boolean {
  const within = (stack: string, paths: string[]): boolean => paths.some((p) => stack === p || stack.startsWith(`${p}/`));
  const here = templates.stacks.map((stack) => stack.stackPath);
  const app = context.appConstruct.node.findAll().filter(Stack.isStack).map((stack) => stack.node.path);
  return (line) => {
    const stack = line.split(' ')[1] ?? '';
    return within(stack, here) || !within(stack, app);
  };
}

/** The problems the library's synth-time checks handed to the pack, each an error no acknowledgment silences. */
function handedProblems(problems: HandedProblem[], templates: Templates): PolicyViolation[] {
  const here = new Set(templates.stacks.map((stack) => path.resolve(stack.templatePath)));
  return problems.filter((problem) => problem.templatePath === undefined || here.has(problem.templatePath)).map((problem) => {
    const id = /^\[safe-constructs:(\w+)\]/.exec(problem.message)?.[1];
    const fixAt = problem.message.lastIndexOf('; fix: ');
    return {
      ruleName: `safe-constructs:${id ?? 'error'}`,
      description: `${problem.path}: ${fixAt > 0 ? problem.message.slice(0, fixAt) : problem.message}`,
      fix: fixAt > 0 ? problem.message.slice(fixAt + '; fix: '.length) : 'see docs/ERRORS.md',
      // The library's errors are no findings to accept: as they fail the tree validation without the pack, fatal
      // (aws-cdk-lib suppresses no fatal violation).
      severity: 'fatal',
      violatingResources: problem.templatePath !== undefined && problem.logicalId !== undefined
        ? [{ resourceLogicalId: problem.logicalId, templatePath: problem.templatePath, locations: [] }] : anyResource(templates),
    };
  });
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
