// The framework the SafePatternsChecks rules share: the synthesized templates as one model, what a
// rule is, and the readings of IAM policies the rules need. Internal: not exported.
import * as fs from 'fs';
import * as path from 'path';
import { Props, render } from '../cfn-values';
import { RecordView } from '../weighted-groups';

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
  readonly resources: Map<string, TemplateResource>;
}

/** Every template of the app, with its resources indexed by type. */
export class Templates {
  /**
   * Reads the templates from disk, and the templates of their nested stacks: the CDK hands over only
   * the top-level ones, and writes each nested template as a file asset of the top-level stack,
   * whose hash the nested stack resource's TemplateURL holds.
   */
  public static load(stacks: Array<{ templatePath: string; stackConstructPath: string }>): Templates {
    const templates: StackTemplate[] = [];
    const read = (templatePath: string, stackPath: string, assets: Map<string, string>): void => {
      const body = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
      const template: StackTemplate = { templatePath, stackPath, resources: new Map() };
      templates.push(template);
      for (const [logicalId, resource] of Object.entries<Props>(body.Resources ?? {})) {
        const dependsOn = resource.DependsOn === undefined ? [] : [].concat(resource.DependsOn);
        template.resources.set(logicalId, {
          logicalId, type: resource.Type, properties: resource.Properties ?? {}, dependsOn, template,
        });
        if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
        const url = JSON.stringify(resource.Properties?.TemplateURL ?? '');
        const nested = [...assets.entries()].find(([hash]) => url.includes(hash))?.[1];
        if (nested && fs.existsSync(nested)) read(nested, `${stackPath}/${logicalId}`, assets);
      }
    };
    for (const stack of stacks) read(stack.templatePath, stack.stackConstructPath, fileAssets(stack.templatePath));
    return new Templates(templates);
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


/** Every Route 53 record set of the templates, as the weighted-group model reads it. */
export function recordViews(templates: Templates): Array<RecordView<TemplateResource>> {
  return templates.ofType('AWS::Route53::RecordSet').map((record) => {
    const p = record.properties;
    return {
      ref: record,
      stackPath: record.template.stackPath,
      zone: p.HostedZoneId ?? p.HostedZoneName,
      name: p.Name,
      type: p.Type,
      setIdentifier: p.SetIdentifier,
      weight: p.Weight,
    };
  });
}

/** The file assets of a stack (hash to path), from the assets manifest beside its template. */
function fileAssets(templatePath: string): Map<string, string> {
  const manifest = templatePath.replace(/\.template\.json$/, '.assets.json');
  if (!fs.existsSync(manifest)) return new Map();
  const files = JSON.parse(fs.readFileSync(manifest, 'utf-8')).files ?? {};
  return new Map(Object.entries<Props>(files)
    .filter(([, asset]) => typeof asset.source?.path === 'string' && asset.source.path.endsWith('.template.json'))
    .map(([hash, asset]) => [hash, path.join(path.dirname(templatePath), asset.source.path)]));
}
