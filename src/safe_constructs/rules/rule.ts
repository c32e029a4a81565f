// The framework the SafePatternsChecks rules share: the synthesized templates as one model, what a
// rule is, and the few readings of CloudFormation values the rules need. Internal: not exported.
import * as fs from 'fs';
import { Props } from '../encryption-rules';

export { Props };

/** One resource of one synthesized template. */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Props;
  readonly dependsOn: string[];
  readonly template: StackTemplate;
}

/** One synthesized stack template. */
export interface StackTemplate {
  readonly templatePath: string;
  readonly stackPath: string;
  readonly region?: string;
  readonly resources: Map<string, TemplateResource>;
}

/** Every template of the app, with its resources indexed by type. */
export class Templates {
  /** Reads the templates from disk. */
  public static load(stacks: Array<{ templatePath: string; stackConstructPath: string; region?: string }>): Templates {
    return new Templates(stacks.map((stack) => {
      const body = JSON.parse(fs.readFileSync(stack.templatePath, 'utf-8'));
      const template: StackTemplate = {
        templatePath: stack.templatePath, stackPath: stack.stackConstructPath, region: stack.region, resources: new Map(),
      };
      for (const [logicalId, resource] of Object.entries<Props>(body.Resources ?? {})) {
        const dependsOn = resource.DependsOn === undefined ? [] : [].concat(resource.DependsOn);
        template.resources.set(logicalId, {
          logicalId, type: resource.Type, properties: resource.Properties ?? {}, dependsOn, template,
        });
      }
      return template;
    }));
  }

  private readonly byType = new Map<string, TemplateResource[]>();

  constructor(public readonly stacks: StackTemplate[]) {
    for (const stack of stacks) {
      for (const resource of stack.resources.values()) {
        const list = this.byType.get(resource.type) ?? [];
        list.push(resource);
        this.byType.set(resource.type, list);
      }
    }
  }

  /** The resources of the given types, in every template. */
  public ofType(...types: string[]): TemplateResource[] {
    return types.flatMap((type) => this.byType.get(type) ?? []);
  }
}

/** What a rule found on one resource. */
export interface Finding {
  readonly resource: TemplateResource;
  /** What is wrong with this resource in particular. */
  readonly detail: string;
  /** Where in the resource, as `Properties/Name` paths. */
  readonly locations?: string[];
  /** `warning` when the rule cannot decide (a token); the rule's own severity otherwise. */
  readonly undecided?: boolean;
}

/** One rule of the pack: metadata for RULES.md and the report, and its check. */
export interface Rule {
  readonly id: string;
  readonly summary: string;
  readonly explanation: string;
  readonly fix: string;
  readonly source: string;
  readonly check: (templates: Templates) => Finding[];
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points to, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Props;
  if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) return v.Ref;
  if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0];
  return undefined;
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
    const v = value as Props;
    if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
    if (Array.isArray(v['Fn::GetAtt'])) return `\${${v['Fn::GetAtt'].join('.')}}`;
    if (Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

/** The statements of every policy attached to a role of the template (inline and AWS::IAM::Policy). */
export function roleStatements(role: TemplateResource): Props[] {
  const inline = (role.properties.Policies ?? []).flatMap((p: Props) => statementsOf(p.PolicyDocument));
  const attached = [...role.template.resources.values()]
    .filter((r) => r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::RolePolicy')
    .filter((r) => [].concat(r.properties.Roles ?? r.properties.RoleName ?? []).some((ref) => referencedId(ref) === role.logicalId))
    .flatMap((r) => statementsOf(r.properties.PolicyDocument));
  return [...inline, ...attached];
}

function statementsOf(document: Props | undefined): Props[] {
  return document ? [].concat(document.Statement ?? []) : [];
}

/** Whether an Allow statement among `statements` grants `action` on a resource matching `resource`. */
export function grants(statements: Props[], action: string, resource: unknown): boolean {
  const [service] = action.split(':');
  const wanted = render(resource);
  return statements.some((s) => s.Effect === 'Allow'
    && [].concat(s.Action ?? []).some((a: string) => a === '*' || a === `${service}:*` || a === action)
    && [].concat(s.Resource ?? []).some((r) => {
      const granted = render(r);
      return granted === '*' || granted === wanted || granted === `${wanted}-??????` || granted === `${wanted}*`;
    }));
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
  const parts = value && typeof value === 'object' && Array.isArray((value as Props)['Fn::Join'])
    ? (value as Props)['Fn::Join'][1] as unknown[] : [];
  const secretLogicalId = parts.map(referencedId).find((id) => id !== undefined);
  return { secret: match[1], secretLogicalId };
}

/** Where Route 53 groups a record: zone, name and type; undefined when a token hides one. */
export function recordGroup(record: TemplateResource): string | undefined {
  const p = record.properties;
  const zone = p.HostedZoneId ?? p.HostedZoneName;
  if (!isLiteral(p.Name) || !isLiteral(p.Type) || zone === undefined) return undefined;
  const zoneKey = isLiteral(zone) ? render(zone) : `${record.template.stackPath}:${render(zone)}`;
  return `${zoneKey}|${String(p.Name).toLowerCase().replace(/\.?$/, '.')}|${p.Type}`;
}

/** Record sets grouped by zone, name and type, over every template. */
export function recordGroups(templates: Templates): Map<string, TemplateResource[]> {
  const groups = new Map<string, TemplateResource[]>();
  for (const record of templates.ofType('AWS::Route53::RecordSet')) {
    const key = recordGroup(record);
    if (key === undefined) continue;
    const members = groups.get(key) ?? [];
    members.push(record);
    groups.set(key, members);
  }
  return groups;
}

/** Whether a record set is weighted (has a SetIdentifier). */
export function isWeighted(record: TemplateResource): boolean {
  return record.properties.SetIdentifier !== undefined && record.properties.SetIdentifier !== '';
}
