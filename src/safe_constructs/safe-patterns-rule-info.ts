/** One rule of {@link SafePatternsChecks}, as RULES.md lists it. */
export interface SafePatternsRuleInfo {
  /** The rule's id, acknowledged as `SafePatterns::<id>`. */
  readonly id: string;
  /** What the rule finds, in one line. */
  readonly summary: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix it, naming the safe construct that replaces the pattern. */
  readonly fix: string;
  /** The AWS documentation the rule rests on. */
  readonly source: string;
}
