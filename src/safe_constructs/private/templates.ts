// The synthesized templates of an app as one model, for the SafePatternsChecks rules. Private.
import * as fs from 'fs';
import * as path from 'path';
import { AppResources, Located, CfnProperties, RenderedResource } from './cfn';
import { EncryptionVerdict, templateKey } from './pack-handoff';

/** One resource of one synthesized template. */
export interface TemplateResource extends RenderedResource {
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
  public static load(stacks: Array<{ templatePath: string; stackConstructPath: string }>,
    verdicts: ReadonlyMap<string, EncryptionVerdict[]> = new Map()): Templates {
    const templates: StackTemplate[] = [];
    const exports = new Map<string, Located>();
    const read = (templatePath: string, stackPath: string, assets: Map<string, string>): void => {
      const body = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
      const template: StackTemplate = { templatePath, stackPath, resources: new Map() };
      templates.push(template);
      for (const output of Object.values<CfnProperties>(body.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string') exports.set(name, { stack: template.resources, value: output.Value });
      }
      for (const [logicalId, resource] of Object.entries<CfnProperties>(body.Resources ?? {})) {
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
    return new Templates(templates, exports, verdicts);
  }

  /** Every stack, with the values their exports (of literal names) give: what `Fn::ImportValue` reads within the app. */
  public readonly app: AppResources;
  private readonly byType = new Map<string, TemplateResource[]>();

  constructor(public readonly stacks: StackTemplate[], exports: ReadonlyMap<string, Located> = new Map(),
    private readonly verdicts: ReadonlyMap<string, EncryptionVerdict[]> = new Map()) {
    this.app = { stacks: stacks.map((stack) => stack.resources), exported: (name) => exports.get(name) };
    for (const stack of stacks) {
      for (const resource of stack.resources.values()) {
        const list = this.byType.get(resource.type) ?? [];
        list.push(resource);
        this.byType.set(resource.type, list);
      }
    }
  }

  /**
   * What EncryptionAspect found on a resource, when it judged it in this synth (nothing: encrypted,
   * exempt, or a warning of its own); undefined when it did not (no aspect, or not in its scope).
   */
  public encryptionVerdicts(resource: TemplateResource): EncryptionVerdict[] | undefined {
    return this.verdicts.get(templateKey(resource.template.templatePath, resource.logicalId));
  }

  /** The resources of the given types, in every template. */
  public ofType(...types: string[]): TemplateResource[] {
    return types.flatMap((type) => this.byType.get(type) ?? []);
  }
}

/** The file assets of a stack (hash to path), from the assets manifest beside its template. */
function fileAssets(templatePath: string): Map<string, string> {
  const manifest = templatePath.replace(/\.template\.json$/, '.assets.json');
  if (!fs.existsSync(manifest)) return new Map();
  const files = JSON.parse(fs.readFileSync(manifest, 'utf-8')).files ?? {};
  return new Map(Object.entries<CfnProperties>(files)
    .filter(([, asset]) => typeof asset.source?.path === 'string' && asset.source.path.endsWith('.template.json'))
    .map(([hash, asset]) => [hash, path.join(path.dirname(templatePath), asset.source.path)]));
}
