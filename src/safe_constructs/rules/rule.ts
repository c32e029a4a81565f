// What a rule of SafePatternsChecks is, and what it finds. Private: not exported.
import { TemplateResource, Templates } from '../private/templates';


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

/**
 * Judges each item (a resource, or what it stands for) on its own, so that a rule that throws on one
 * becomes an undecided finding on that resource, naming the error, and the rule still judges the rest.
 */
export function judgeEach<T>(items: T[], resourceOf: (item: T) => TemplateResource, judge: (item: T) => Finding[]): Finding[] {
  return items.flatMap((item) => {
    try {
      return judge(item);
    } catch (error) {
      return [{
        resource: resourceOf(item),
        undecided: true,
        detail: `the rule failed on this resource (${error instanceof Error ? error.message : String(error)}), so it is not judged; `
          + 'please report it to safe-constructs',
      }];
    }
  });
}

/** {@link judgeEach} for resources. */
export function judgeResources(resources: TemplateResource[], judge: (resource: TemplateResource) => Finding[]): Finding[] {
  return judgeEach(resources, (resource) => resource, judge);
}
