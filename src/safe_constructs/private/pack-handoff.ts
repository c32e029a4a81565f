// What the library's synth-time checks hand to SafePatternsChecks when the pack validates the app. The
// tree validation (node.addValidation) runs before the validation plugins and stops app.synth() at its
// first error, so that the pack would report nothing; with the pack on the app, the checks' problems and
// EncryptionAspect's verdicts go into its report instead, and one synth shows every problem. Private.
import * as path from 'path';
import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The packs in use (SafePatternsChecks registers itself here when it is made). */
const PACKS = new WeakSet<object>();

/** Marks an object as a SafePatternsChecks, so that checks know the pack when they meet it among a stage's plugins. */
export function registerPack(pack: object): void {
  PACKS.add(pack);
}

/**
 * Whether a SafePatternsChecks validates the stacks of `scope`: one registered on its stage or a stage
 * above it. aws-cdk-lib has no public reader of a stage's plugins (`policyValidationBeta1` is deprecated,
 * and warns or throws when read under JSII_DEPRECATED); `_validationPlugins` is the list
 * `Validations.of(stage).addPlugins()` fills (aws-cdk-lib 2.263 to 2.275 alike). Where it is missing,
 * the checks report by themselves, as they do without the pack.
 */
export function packValidates(scope: IConstruct): boolean {
  for (let stage = Stage.of(scope); stage; stage = stage.parentStage) {
    const plugins: unknown = (stage as unknown as { _validationPlugins?: unknown })._validationPlugins;
    if (Array.isArray(plugins) && plugins.some((plugin) => typeof plugin === 'object' && plugin !== null && PACKS.has(plugin))) {
      return true;
    }
  }
  return false;
}

/**
 * Where a resource's template is, and its logical id: the same key for a CfnResource of the tree and for
 * the resource the pack reads in the cloud assembly (nested stacks' templates included).
 */
export function templateKey(templatePath: string, logicalId: string): string {
  return `${path.resolve(templatePath)}#${logicalId}`;
}

/** {@link templateKey} of a CfnResource, or undefined when its stack is in no stage. */
export function templateKeyOf(resource: CfnResource): string | undefined {
  const stack = Stack.of(resource);
  const stage = Stage.of(stack);
  return stage ? templateKey(path.join(stage.outdir, stack.templateFile), stack.resolve(resource.logicalId)) : undefined;
}

/** One problem a synth-time check of the library found, handed to the pack. */
export interface HandedProblem {
  /** Where it is: the construct's path. */
  readonly path: string;
  /** The template of the construct's stack (absolute), where the pack shows it. */
  readonly templatePath?: string;
  /** The resource that stands for the construct in its template (its first CfnResource), when it has one. */
  readonly logicalId?: string;
  /** The whole message of the contract (`[safe-constructs:Id] ...; fix: ...`). */
  readonly message: string;
}

/** One of EncryptionAspect's findings on a resource, handed to the pack, which reports it as SP-ENC1's. */
export interface EncryptionVerdict {
  /** What was found (the baseline records it). */
  readonly problem: string;
  /** Where, as `Properties/Name`. */
  readonly location: string;
  /** Why FIX mode left it, if it did. */
  readonly note?: string;
  readonly fix: string;
}

interface Handed {
  /** By construct path and message: a check runs again in each synth of the app, and says the same. */
  readonly problems: Map<string, HandedProblem>;
  /** By {@link templateKey}: the aspect judged the resource, and found these (none: encrypted, exempt, or a warning of its own). */
  readonly verdicts: Map<string, EncryptionVerdict[]>;
}

const HANDED = new WeakMap<IConstruct, Handed>();

function handedOf(scope: IConstruct): Handed {
  const root = scope.node.root;
  let handed = HANDED.get(root);
  if (!handed) {
    handed = { problems: new Map(), verdicts: new Map() };
    HANDED.set(root, handed);
  }
  return handed;
}

/** Hands the problems a check found on `scope` to the pack. */
export function handProblems(scope: IConstruct, messages: string[]): void {
  const resource = scope.node.findAll().find((c): c is CfnResource => c instanceof CfnResource);
  const stack = resource ? Stack.of(resource) : Stack.isStack(scope) ? scope : undefined;
  const stage = stack && Stage.of(stack);
  const templatePath = stage && path.resolve(stage.outdir, stack.templateFile);
  const logicalId = resource && Stack.of(resource).resolve(resource.logicalId);
  const problems = handedOf(scope).problems;
  for (const message of messages) problems.set(`${scope.node.path}\n${message}`, { path: scope.node.path, templatePath, logicalId, message });
}

/** Records that EncryptionAspect judged a resource, with what it found (possibly nothing). */
export function handVerdicts(resource: CfnResource, verdicts: EncryptionVerdict[]): void {
  const key = templateKeyOf(resource);
  if (key === undefined) return;
  const known = handedOf(resource).verdicts;
  known.set(key, [...known.get(key) ?? [], ...verdicts]);
}

/** What the library's checks handed to the pack in this app's synths. */
export function handedTo(app: IConstruct): { problems: HandedProblem[]; verdicts: ReadonlyMap<string, EncryptionVerdict[]> } {
  const handed = handedOf(app);
  return { problems: [...handed.problems.values()], verdicts: handed.verdicts };
}
