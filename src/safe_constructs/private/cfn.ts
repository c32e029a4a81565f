// The CloudFormation readers: values as synthesized, and the one model of a rendered resource, shared
// by the constructs' synth checks, EncryptionAspect and the SafePatternsChecks rules. Private.
import { CfnResource, Stack, Tokenization } from 'aws-cdk-lib';

/** A resource's CloudFormation properties, as synthesized. */
export type CfnProperties = Record<string, any>;

/**
 * One resource as its template holds it: logical id, type and properties. The one model every
 * reader shares (a template resource of the rules adds where it sits: see templates.ts).
 */
export interface RenderedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: CfnProperties;
}

/** The resources of one stack, by logical id. */
export type StackResources = ReadonlyMap<string, RenderedResource>;

/** The resources of a type. */
export function ofType(stack: StackResources, type: string): RenderedResource[] {
  return [...stack.values()].filter((r) => r.type === type);
}

/** The resource of a type a `{Ref}` or `{Fn::GetAtt}` value points to, if it is in the stack. */
export function resourceOf(stack: StackResources, value: unknown, type: string): RenderedResource | undefined {
  const resource = stack.get(referencedId(value) ?? '');
  return resource?.type === type ? resource : undefined;
}

/**
 * The stacks a reader sees, with what their exports give: one stack (a construct's check at synth), or
 * every stack of the app (the rules, which see its whole cloud assembly).
 */
export interface AppResources {
  readonly stacks: readonly StackResources[];
  /** The value an `Fn::ImportValue` of `name` reads, in the stack that exports it; undefined when none of these does. */
  readonly exported: (name: string) => Located | undefined;
}

/** A value, and the stack it is read in. */
export interface Located {
  readonly stack: StackResources;
  readonly value: unknown;
}

/** A resource, and the stack that holds it. */
export interface LocatedResource {
  readonly stack: StackResources;
  readonly resource: RenderedResource;
}

/** One stack on its own: an `Fn::ImportValue` leads nowhere. */
export function oneStack(stack: StackResources): AppResources {
  return { stacks: [stack], exported: () => undefined };
}

/**
 * Where a value leads: through `Fn::ImportValue` of a literal name to the value the exporting stack
 * gives (an output's `Value`, read in that stack), as often as exports chain; otherwise the value itself.
 */
export function follow(app: AppResources, at: Located): Located {
  let current = at;
  for (let hops = 0; hops < 10; hops++) {
    const name = current.value && typeof current.value === 'object' ? (current.value as CfnProperties)['Fn::ImportValue'] : undefined;
    const exported = typeof name === 'string' ? app.exported(name) : undefined;
    if (!exported) return current;
    current = exported;
  }
  return current;
}

/** The resource of a type a value points to (`Ref`, `Fn::GetAtt`, or an import of either), in whichever stack of `app` holds it. */
export function locateResource(app: AppResources, at: Located, type: string): LocatedResource | undefined {
  const { stack, value } = follow(app, at);
  const resource = resourceOf(stack, value, type);
  return resource ? { stack, resource } : undefined;
}

/** Whether two located resources are one. */
export function sameResource(a: LocatedResource | undefined, b: LocatedResource | undefined): boolean {
  return a !== undefined && b !== undefined && a.stack === b.stack && a.resource.logicalId === b.resource.logicalId;
}

/** The resources of a type in every stack of `app`, each with its stack. */
export function everyOfType(app: AppResources, type: string): LocatedResource[] {
  return app.stacks.flatMap((stack) => ofType(stack, type).map((resource) => ({ stack, resource })));
}

/** true, false, or undefined when the value is a token (an intrinsic function); absent is false. */
export function booleanOrUndecided(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  return undefined;
}

/** Whether a property is set (not absent, null or empty). */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points to, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as CfnProperties;
  if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) return v.Ref;
  if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0];
  return undefined;
}

/** Whether a value is, as a whole, an intrinsic function (`{Ref}`, `{Fn::If}`...): a value known only at deploy time. */
export function isIntrinsicFunction(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Whether a value is known at synth time (no intrinsic function anywhere in it). */
export function isLiteral(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isLiteral);
  return Object.keys(value).every((k) => k !== 'Ref' && !k.startsWith('Fn::')) && Object.values(value).every(isLiteral);
}

/**
 * A value as text, with pseudo parameters written `${AWS::Region}` and other references
 * `${LogicalId}`, so that a `Fn::Join` can be compared with a string.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as CfnProperties;
    if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
    if (Array.isArray(v['Fn::GetAtt'])) return `\${${v['Fn::GetAtt'].join('.')}}`;
    if (Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

/**
 * The secret a `{{resolve:secretsmanager:...}}` dynamic reference reads, as rendered text, with the
 * logical id of the secret when it is a resource of the template; undefined when the value is no
 * dynamic reference.
 */
export function dynamicReferenceSecret(value: unknown): { secret: string; secretLogicalId?: string } | undefined {
  const text = render(value);
  const match = /^\{\{resolve:secretsmanager:(.+?)(?::SecretString:[^}]*)?\}\}$/.exec(text);
  if (!match) return undefined;
  const parts = value && typeof value === 'object' && Array.isArray((value as CfnProperties)['Fn::Join'])
    ? (value as CfnProperties)['Fn::Join'][1] as unknown[] : [];
  const secretLogicalId = parts.map(referencedId).find((id) => id !== undefined);
  return { secret: match[1], secretLogicalId };
}


/** The keys of a CloudFormation intrinsic function, which an override replaces rather than merges into. */
const INTRINSICS = new Set(['Ref', 'Fn::Base64', 'Fn::Cidr', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs',
  'Fn::ImportValue', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Fn::Transform', 'Fn::And', 'Fn::Equals',
  'Fn::If', 'Fn::Not', 'Fn::Or']);

/**
 * The resource's CloudFormation properties as synthesized (overrides included), or undefined.
 *
 * The same steps as CfnResource._toCloudFormation (resolve, render, merge the raw overrides the way
 * aws-cdk-lib's deepMerge does), for the properties only: resolving the whole resource would also
 * allocate its logical id and its dependencies' ids, which made the aspect cost a third of a synth.
 */
export function renderedProperties(node: CfnResource): CfnProperties | undefined {
  try {
    const l1 = node as any;
    const stack = Stack.of(node);
    const properties = l1.renderProperties(stack.resolve(l1.cfnProperties) ?? {}) ?? {};
    return mergeOverrides(stack, { Properties: properties }, l1.rawOverrides ?? {}).Properties ?? {};
  } catch {
    return undefined;
  }
}

/** Merges raw overrides into `target`: objects merge, `undefined` deletes, anything else (resolved) replaces. */
function mergeOverrides(stack: Stack, target: CfnProperties, overrides: CfnProperties): CfnProperties {
  for (const [key, raw] of Object.entries(overrides)) {
    const value = raw === undefined || isPlainObject(raw) ? raw : stack.resolve(raw);
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key]) || isIntrinsic(target[key]) || isIntrinsic(value)) target[key] = {};
      mergeOverrides(stack, target[key], value);
      if (Object.keys(target[key]).length === 0) delete target[key];
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
  return target;
}

function isPlainObject(value: unknown): value is CfnProperties {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Tokenization.isResolvable(value);
}

function isIntrinsic(value: CfnProperties): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.has(keys[0]);
}


const RENDERED = new WeakMap<Stack, { constructs: number; resources: Map<string, RenderedResource> }>();

/**
 * The resources of a stack (not of its nested stacks) as its template will hold them, for the
 * checks a construct runs at synth on what surrounds it.
 */
export function renderedStack(stack: Stack): StackResources {
  // Several constructs of a stack check it in one validation pass: render it once per pass. The cache
  // is kept while the stack holds as many constructs as when it was rendered; validations run after
  // every aspect, so nothing changes a property within the pass, and a new synth that added constructs
  // renders again.
  const constructs = stack.node.findAll();
  const cached = RENDERED.get(stack);
  if (cached && cached.constructs === constructs.length) return cached.resources;
  const resources = new Map<string, RenderedResource>();
  RENDERED.set(stack, { constructs: constructs.length, resources });
  for (const construct of constructs) {
    if (!(construct instanceof CfnResource) || Stack.of(construct) !== stack) continue;
    const logicalId = stack.resolve(construct.logicalId) as string;
    resources.set(logicalId, { logicalId, type: construct.cfnResourceType, properties: renderedProperties(construct) ?? {} });
  }
  return resources;
}
