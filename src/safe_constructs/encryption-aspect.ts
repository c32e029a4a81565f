import {
  CfnResource, IAspect, Stack,
  aws_iam as iam,
  aws_kms as kms,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EncryptionCoverage } from './encryption-coverage';
import { Baseline, oldFormatHint } from './private/baseline';
import { CfnProperties, RenderedResource, renderedProperties } from './private/cfn';
import {
  ENCRYPTION_ROWS_BY_TYPE, ENCRYPTION_TABLE, EncryptionRow, RowSurroundings, coverageOf, encryptionFinding, fixRefusal, topProperty,
  undecidedProblem, unencryptedProblem,
} from './private/encryption-checks';
import { Problems, checkAtSynth, fail, inform, propName, show, warn } from './private/errors';
import { EncryptionVerdict, handVerdicts, packValidates } from './private/pack-handoff';

/** What {@link EncryptionAspect} does with a resource stored unencrypted. */
export enum EncryptionMode {
  /** Report it as an error, which fails `cdk synth`; change nothing. */
  REPORT = 'REPORT',
  /**
   * Turn encryption on where that is safe; report, and leave unchanged, a resource whose change
   * would replace it (losing its data) unless it is listed in `allowReplacementOf`.
   */
  FIX = 'FIX',
}

/**
 * Properties of an {@link EncryptionAspect}.
 */
export interface EncryptionAspectProps {
  /**
   * Whether to report unencrypted resources, or to encrypt those it safely can.
   *
   * @default EncryptionMode.REPORT
   */
  readonly mode?: EncryptionMode;

  /**
   * A customer-managed key to encrypt with in FIX mode. When given, a resource that AWS encrypts by
   * default with its own key (an S3 bucket, a DynamoDB table...) but not with a customer-managed
   * key gets a warning in REPORT mode, and this key in FIX mode.
   *
   * @default - each service's own encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Resource types to leave alone, each with the reason, which the synth output shows.
   *
   * @default - none
   */
  readonly exemptResourceTypes?: { [resourceType: string]: string };

  /**
   * Resources (or scopes holding them) whose encryption FIX mode may change even though the change
   * replaces them: list only resources that hold no data yet.
   *
   * @default - none
   */
  readonly allowReplacementOf?: IConstruct[];

  /**
   * A baseline file (JSON) of the aspect's error findings accepted when the library was adopted on an
   * existing app: each line accepts the one finding it records (a warning), and every other finding
   * stays an error. It may be the file `SafePatternsChecks` uses: each keeps its own lines. Where
   * `SafePatternsChecks` validates the app, it reports the aspect's findings (as SP-ENC1) and its
   * baseline accepts them, one line each. The path is relative to the directory `cdk synth` runs in; a
   * file that does not exist is an error, and so is a file that is not such a baseline.
   *
   * @default - no baseline: every unencrypted resource is an error
   */
  readonly baseline?: string;

  /**
   * Whether to write the baseline from this synth's findings (replacing the aspect's lines),
   * accepting them all: the first step of adoption.
   *
   * @default false
   */
  readonly writeBaseline?: boolean;
}

/**
 * What surrounds a resource, for a row that reads other resources (an EMR cluster's security
 * configuration): the resources of the types the row reads, in every stack of the app, as rendered,
 * built on first use. Only those are rendered: resolving a resource caches its lazy values, which
 * other aspects may still change.
 */
function surroundingsOf(node: CfnResource, row: EncryptionRow): () => RowSurroundings {
  let around: RowSurroundings | undefined;
  return () => {
    if (!around) {
      const stacks = new Map<Stack, Map<string, RenderedResource>>([[Stack.of(node), new Map()]]);
      for (const c of node.node.root.node.findAll()) {
        if (!(c instanceof CfnResource) || !(row.reads ?? []).includes(c.cfnResourceType)) continue;
        const stack = Stack.of(c);
        const logicalId = stack.resolve(c.logicalId) as string;
        const resources = stacks.get(stack) ?? new Map<string, RenderedResource>();
        resources.set(logicalId, { logicalId, type: c.cfnResourceType, properties: renderedProperties(c) ?? {} });
        stacks.set(stack, resources);
      }
      around = { stack: stacks.get(Stack.of(node))!, app: { stacks: [...stacks.values()], exported: () => undefined } };
    }
    return around;
  };
}

/** Exemptions made with `EncryptionAspect.exempt`, by construct. */
const EXEMPTIONS = new WeakMap<IConstruct, string>();

/**
 * One aspect that finds every resource stored unencrypted, reports it at synth time, and fixes
 * only what is safe to fix.
 *
 * It looks at the CloudFormation resources (L1), so it sees raw `Cfn*` code and every L2 alike.
 * In REPORT mode (the default) every unencrypted resource gets an error with its path, the
 * property and the fix, which fails `cdk synth`. In FIX mode it turns encryption on where the
 * change is made in place; a change that would replace a stateful resource (RDS, DocumentDB and
 * Neptune storage, EFS, ElastiCache, EBS, an OpenSearch domain whose encryption options are already
 * set...) or migrate it for hours (Redshift) is never made silently: it stays an error, unless the
 * resource is listed in `allowReplacementOf`.
 *
 * Add it with a late priority, so that it sees the resources other aspects add:
 * `Aspects.of(app).add(EncryptionAspect(), priority=AspectPriority.READONLY)`. Where
 * `SafePatternsChecks` validates the app too, the aspect's errors are reported in the pack's report,
 * as SP-ENC1 findings (once per problem, with the pack's baseline and acknowledgments), so that the
 * synth goes on to the pack's other rules instead of stopping at the first unencrypted resource.
 *
 * @example
 * Aspects.of(this).add(new EncryptionAspect({ mode: EncryptionMode.FIX }), { priority: AspectPriority.READONLY });
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */
export class EncryptionAspect implements IAspect {
  /** The resource types and properties the aspect checks, with what AWS does by default. */
  public static coverage(): EncryptionCoverage[] {
    return ENCRYPTION_TABLE.map(coverageOf);
  }

  /**
   * Exempts a resource, or every resource under a scope, with the reason, which the synth output
   * shows as an info message on each exempted resource.
   */
  public static exempt(scope: IConstruct, reason: string): void {
    if (reason.trim().length === 0) {
      fail(scope, 'ExemptionWithoutReason', `reason must say why the resource may stay unencrypted, got: ${show(reason)}`,
        'give the reason a reviewer would accept');
    }
    EXEMPTIONS.set(scope, reason);
  }

  private readonly mode: EncryptionMode;
  private readonly encryptionKey?: kms.IKey;
  private readonly exemptTypes: { [resourceType: string]: string };
  private readonly replaceable: Set<IConstruct>;
  private readonly visited = new WeakSet<IConstruct>();
  private readonly baseline?: Baseline;
  private baselineClosed = false;

  constructor(props: EncryptionAspectProps = {}) {
    this.mode = props.mode ?? EncryptionMode.REPORT;
    this.encryptionKey = props.encryptionKey;
    this.exemptTypes = props.exemptResourceTypes ?? {};
    const problems = new Problems('EncryptionAspect');
    for (const [type, reason] of Object.entries(this.exemptTypes)) {
      if (!ENCRYPTION_ROWS_BY_TYPE.has(type)) {
        problems.prop('ExemptTypeUnknown', 'exemptResourceTypes', `names ${show(type)}, which EncryptionAspect does not check`,
          `use one of ${[...ENCRYPTION_ROWS_BY_TYPE.keys()].join(', ')}`);
      }
      if (reason.trim().length === 0) {
        problems.prop('ExemptionWithoutReason', 'exemptResourceTypes', `gives ${type} no reason, got: ${show(reason)}`,
          'say why it may stay unencrypted');
      }
    }
    problems.throwIfAny();
    this.replaceable = new Set(props.allowReplacementOf ?? []);
    // Lines written before a line stopped recording why FIX left a resource (`...; EncryptionAspect did not change it: ...`)
    // still accept their finding.
    this.baseline = Baseline.open('EncryptionAspect', props.baseline, props.writeBaseline ?? false,
      (line) => line.startsWith('Unencrypted'), '; EncryptionAspect ');
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || this.visited.has(node)) return;
    if (this.baseline && !this.baselineClosed) this.closeBaselineAtSynth(Stack.of(node));
    this.visited.add(node);
    const rules = ENCRYPTION_ROWS_BY_TYPE.get(node.cfnResourceType);
    if (!rules) return;
    // With SafePatternsChecks on the app, the pack reports what the aspect finds (as SP-ENC1), once.
    const toPack = packValidates(node);
    const exemption = this.exemptionOf(node);
    if (exemption !== undefined) {
      inform(node, `exempt from EncryptionAspect: ${exemption}`);
      if (toPack) handVerdicts(node, []);
      return;
    }
    const properties = renderedProperties(node);
    if (properties === undefined) {
      warn(node, 'encryptionUndecided',
        'EncryptionAspect cannot read this resource\'s properties at synth time; check its encryption by hand');
      return;
    }
    const verdicts = rules.flatMap((rule) => this.check(node, rule, properties, toPack) ?? []);
    if (toPack) handVerdicts(node, verdicts);
  }

  /** Reports what one rule finds on a resource, or, for the pack, returns it. */
  private check(node: CfnResource, rule: EncryptionRow, p: CfnProperties, toPack: boolean): EncryptionVerdict | undefined {
    const around = surroundingsOf(node, rule);
    const finding = encryptionFinding(rule, p, this.encryptionKey !== undefined, around);
    const where = `${node.cfnResourceType} ${rule.property}`;
    if (finding === undefined) return undefined;
    if (finding === 'undecided') {
      warn(node, 'encryptionUndecided',
        `${undecidedProblem(rule, p, around)}, so EncryptionAspect cannot tell whether it is encrypted; check it by hand`);
      return undefined;
    }

    const keyArn = this.encryptionKey?.keyArn;
    const refusal = fixRefusal(rule, p);
    const allowed = this.mode === EncryptionMode.FIX && (refusal === undefined || this.isReplaceable(node));
    const overrides = allowed ? rule.fix(p, keyArn) : undefined;
    if (overrides) {
      for (const [property, value] of Object.entries(overrides)) {
        if (value !== undefined) node.addPropertyOverride(property, value);
      }
      if (keyArn && rule.keyPolicy) this.letServiceUseTheKey(node, rule.keyPolicy);
      inform(node, `EncryptionAspect encrypted it: ${rule.property} set${keyArn ? ' with the given key' : ''}`);
      return undefined;
    }
    // Why FIX left it, beside the problem (never in a baseline line); the fix slot holds only actions.
    const left = this.mode !== EncryptionMode.FIX ? undefined
      : allowed ? `EncryptionAspect cannot change it: ${rule.fixNotWrittenBecause ?? 'it does not know what to write'}`
        : `EncryptionAspect did not change it: ${refusal}`;
    const fix = allowed || this.mode !== EncryptionMode.FIX ? rule.fixText
      : `${rule.fixText}; or list it in ${propName('allowReplacementOf')} if it holds no data yet`;
    const note = left === undefined ? '' : `; ${left}`;
    if (finding === 'weaker-key') {
      warn(node, 'encryptionKeyWeaker',
        `${where} is absent, so AWS encrypts it with its own key, not the customer-managed key asked for${note}; fix: ${fix}`);
      return undefined;
    }
    const problem = unencryptedProblem(rule, p);
    if (toPack) return { problem, location: `Properties/${topProperty(rule)}`, note: left, fix };
    const id = rule.inTransit ? 'UnencryptedInTransit' : 'UnencryptedAtRest';
    if (this.baseline?.accepts(`${id} ${node.node.path}: ${problem}`)) {
      warn(node, 'acceptedInBaseline', `accepted in the baseline ${this.baseline.file} (fix it, then remove its line): `
        + `[${id}] ${problem}${note}; fix: ${fix}`);
      return undefined;
    }
    // A validation, not an error annotation: it fails `app.synth()` (a `python app.py`) as well as `cdk synth`.
    checkAtSynth(node, (problems) => problems.add(id, `${problem}${note}`, fix));
    return undefined;
  }

  /** Once every resource is visited: writes the baseline when asked to, and reports its lines no finding matched. */
  private closeBaselineAtSynth(stack: Stack): void {
    this.baselineClosed = true;
    const baseline = this.baseline!;
    // In the validation pass, after every aspect: what the baseline accepted is known, and nothing is an error.
    checkAtSynth(stack, () => {
      baseline.save();
      const stale = baseline.stale();
      if (stale.length > 0) {
        const pack = packValidates(stack) ? '; SafePatternsChecks validates this app and accepts the aspect\'s findings in '
          + 'its own lines (SP-ENC1), one per finding: write the baseline again (write_baseline=True) to drop these' : '';
        warn(stack, 'staleBaselineLines', `${stale.length} line(s) of the baseline ${baseline.file} match no finding of EncryptionAspect `
          + `any more (fixed, or the resource is gone): ${stale.join(' | ')}${oldFormatHint(stale)}${pack}; remove them, so that they `
          + 'cannot hide a finding');
      }
    });
  }

  private exemptionOf(node: CfnResource): string | undefined {
    for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
      const reason = EXEMPTIONS.get(scope);
      if (reason !== undefined) return reason;
    }
    return this.exemptTypes[node.cfnResourceType];
  }

  private isReplaceable(node: CfnResource): boolean {
    for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
      if (this.replaceable.has(scope)) return true;
    }
    return false;
  }

  /** A service that uses a customer-managed key only when the key's policy lets it (CloudWatch Logs), let. */
  private letServiceUseTheKey(node: CfnResource, keyPolicy: { service: string; actions: string[] }): void {
    const region = Stack.of(node).region;
    this.encryptionKey!.addToResourcePolicy(new iam.PolicyStatement({
      actions: keyPolicy.actions,
      principals: [new iam.ServicePrincipal(`${keyPolicy.service}.${region}.amazonaws.com`)],
      resources: ['*'], // in a key policy, "*" is the key itself
    }), true);
  }
}
