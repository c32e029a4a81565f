// Where an acknowledgment of a pack rule applies: to the construct it was made on and what lies under
// it, on every aws-cdk-lib the library supports. Private.
import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { templateKeyOf } from './pack-handoff';

/**
 * Whether this aws-cdk-lib suppresses every violation of an acknowledged rule in the app, wherever the
 * acknowledgment was made: 2.263.0 to 2.270.x collect acknowledgments into one map by rule id
 * (private/collect-acknowledged-rule-ids.ts, aws/aws-cdk#38495); 2.271.0 applies the closest one
 * above each resource (aws/aws-cdk#38789). The version is read from the jsii type information every
 * aws-cdk-lib class carries; where it cannot be read, the answer is yes (the side that keeps findings).
 */
export function acknowledgmentsAreAppWide(): boolean {
  const version: unknown = (Validations as unknown as Record<symbol, { version?: unknown } | undefined>)[Symbol.for('jsii.rtti')]?.version;
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)\./.exec(version) : null;
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 2 || (major === 2 && minor < 271);
}

/** The acknowledgments `Validations.of(scope).acknowledge()` recorded in an app, and the paths of its resources. */
export class AppAcknowledgments {
  /** Reads them from the construct tree (the metadata aws-cdk-lib documents for plugin authors). */
  public static of(app: IConstruct): AppAcknowledgments {
    const scopes = new Map<string, string[]>();
    const paths = new Map<string, string>();
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data || typeof entry.data !== 'object') continue;
        for (const id of Object.keys(entry.data)) scopes.set(id, [...scopes.get(id) ?? [], construct.node.path]);
      }
      if (construct instanceof CfnResource) {
        const key = templateKeyOf(construct);
        if (key !== undefined) paths.set(key, construct.node.path);
      }
    }
    return new AppAcknowledgments(scopes, paths);
  }

  private constructor(private readonly scopes: ReadonlyMap<string, string[]>, private readonly paths: ReadonlyMap<string, string>) {}

  /** The construct path of the resource a template key names, if the tree holds it. */
  public pathOf(key: string): string | undefined {
    return this.paths.get(key);
  }

  /** Where `id` (`SafePatterns::SP-ENC1`) is acknowledged: the construct paths. */
  public scopesOf(id: string): string[] {
    return this.scopes.get(id) ?? [];
  }

  /** Whether an acknowledgment of `id` was made on the construct at `path` or one above it. */
  public covers(id: string, path: string | undefined): boolean {
    return path !== undefined && this.scopesOf(id).some((scope) => scope === '' || path === scope || path.startsWith(`${scope}/`));
  }
}
