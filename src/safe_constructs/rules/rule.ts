// What a rule of SafePatternsChecks is, and what it finds. Private: not exported.
import { TemplateResource, Templates } from '../private/templates';
import { SafePatternsRuleInfo } from '../safe-patterns-rule-info';

/** What a rule found on one resource. */
export interface Finding {
  readonly resource: TemplateResource;
  /**
   * What is wrong with this resource in particular: what was found, never the advice. A baseline line
   * records it, so that rewording a fix leaves accepted findings accepted.
   */
  readonly detail: string;
  /** What the pack knows beside the finding (why EncryptionAspect left it): shown, never recorded in a baseline. */
  readonly note?: string;
  /** The fix for this resource in particular, when it says more than the rule's fix; shown, never recorded. */
  readonly fix?: string;
  /** Where in the resource, as `Properties/Name` paths. */
  readonly locations?: string[];
  /** `warning` when the rule cannot decide (a token); the rule's own severity otherwise. */
  readonly undecided?: boolean;
}

declare const judgedOneByOne: unique symbol;

/**
 * Findings made item by item ({@link judgeEach}): the only thing a rule's check may return, so that a
 * rule that throws on one resource still judges the others.
 */
export type Judged = Finding[] & { readonly [judgedOneByOne]: true };

/** One rule of the pack: what RULES.md and the report show of it, and its check. */
export interface Rule extends SafePatternsRuleInfo {
  readonly check: (templates: Templates) => Judged;
}

/**
 * Judges each item (a resource, or what it stands for) on its own, so that a rule that throws on one
 * becomes an undecided finding on that resource, naming the error, and the rule still judges the rest.
 */
export function judgeEach<T>(items: T[], resourceOf: (item: T) => TemplateResource, judge: (item: T) => Finding[]): Judged {
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
  }) as Judged;
}

/** {@link judgeEach} for resources. */
export function judgeResources(resources: TemplateResource[], judge: (resource: TemplateResource) => Finding[]): Judged {
  return judgeEach(resources, (resource) => resource, judge);
}

/** The findings of several passes of {@link judgeEach}, together. */
export function together(...parts: Judged[]): Judged {
  return parts.flat() as Judged;
}
