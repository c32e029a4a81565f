"""Prints RULES.md, the table of SafePatternsChecks' rules, from the rules themselves."""
from safe_constructs import SafePatternsChecks

print("""# SafePatternsChecks rules

Generated from the rules by `npx projen rules-doc`; do not edit. Add the pack with
`Validations.of(app).add_plugins(SafePatternsChecks())`; acknowledge a finding with
`Validations.of(scope).acknowledge(Acknowledgment(id="SafePatterns::<rule id>", reason="..."))`.
Every finding is an error (it fails `cdk synth`), except where a rule cannot decide at synth time
(an unresolved token): then it is a warning that says so.

| rule | finds | fix | source |
|---|---|---|---|""")
for rule in SafePatternsChecks.rules():
    print(f"| {rule.id} | {rule.summary} | {rule.fix} | [AWS]({rule.source}) |")
print()
for rule in SafePatternsChecks.rules():
    print(f"## {rule.id}\n\n{rule.summary}.\n\n{rule.explanation}\n\nFix: {rule.fix}.\n\nSource: {rule.source}\n")
