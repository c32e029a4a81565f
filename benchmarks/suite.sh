#!/usr/bin/env bash
# The floor's pytest run, before and after: the suite of BEFORE (a commit, default cd4a8d6, the last
# one before the one-synth harness) and of the working tree, one after the other on this machine,
# both on the floor's .venv packages and on the project's Node (node_modules/.bin). Prints both wall
# times and their ratio; `npx projen binding` must have built the working tree's wheel first.
#   bash benchmarks/suite.sh [BEFORE]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
before="${1:-cd4a8d6}"
export PATH="$root/node_modules/.bin:$PATH"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# BEFORE's library, built as its own build did (jsii, then the Python package), in a copy of .venv
git worktree add -q "$work/tree" "$before"
ln -s "$root/node_modules" "$work/tree/node_modules"
cp -a "$root/assets/postgres-user/vendor" "$work/tree/assets/postgres-user/"
(cd "$work/tree" && jsii --silence-warnings=reserved-word >/dev/null && jsii-pacmak --target python >/dev/null)
cp -a "$root/.venv" "$work/venv"
"$work/venv/bin/python" -m pip install -q --no-deps --force-reinstall "$work"/tree/dist/python/safe_constructs-*.whl

run() {  # label, directory, python: prints the pytest summary line and the wall time
  local start end
  start=$(date +%s.%N)
  (cd "$2" && "$3" -m pytest test -q -p no:cacheprovider 2>&1 | grep -E "^[0-9]+ (passed|failed)" || true)
  end=$(date +%s.%N)
  echo "$1: $(python3 -c "print(round($end - $start, 1))") s"
}
echo "machine: $(nproc) cores, $(node --version), $(date -u +%Y-%m-%dT%H:%MZ)"
run "before ($before)" "$work/tree" "$work/venv/bin/python" | tee "$work/before"
run "after ($(git rev-parse --short HEAD)+working tree)" "$root" "$root/.venv/bin/python" | tee "$work/after"
b=$(grep -o '[0-9.]* s$' "$work/before" | cut -d' ' -f1); a=$(grep -o '[0-9.]* s$' "$work/after" | cut -d' ' -f1)
echo "ratio after/before: $(python3 -c "print(round($a / $b, 2))")"

# The section of docs/BENCHMARKS.md this script owns (npx projen bench keeps it as it is).
SUITE_MACHINE="$(nproc) cores, $(node --version), aws-cdk-lib $("$root/.venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-cdk-lib"))')" \
SUITE_BEFORE="$(cat "$work/before")" SUITE_AFTER="$(cat "$work/after")" SUITE_RATIO="$(python3 -c "print(round($a / $b, 2))")" \
python3 - <<'PY'
import datetime, os, pathlib
path = pathlib.Path("docs/BENCHMARKS.md")
start, end = "<!-- suite:start -->", "<!-- suite:end -->"
section = f"""{start}
## The test suite (the floor's pytest run)

Written by `bash benchmarks/suite.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC ({os.environ["SUITE_MACHINE"]}):
the suite of the commit before the one-synth harness and the suite of this tree, one after the other,
each against its own wheel, with `python -m pytest test -q`. Goal: at most half of before, with no
test or assertion dropped.

```
{os.environ["SUITE_BEFORE"]}
{os.environ["SUITE_AFTER"]}
ratio after/before: {os.environ["SUITE_RATIO"]}
```

What changed: each case synthesizes once (the template and its messages from one cloud assembly;
before, `Template.from_stack` and each `Annotations.from_stack` synthesized again); cfn-lint runs
through one runner per region, as its own CLI does, instead of `cfnlint.api.lint`, which builds its
rules again on every call (about 0.3 s); a template synthesized again by another case is linted
once; the scan reads which resources the library wrote from its constructs alone. The run ends with
where the time went (`harness.SECONDS`).
{end}"""
text = path.read_text()
text = text[:text.index(start)] + section + text[text.index(end) + len(end):] if start in text else text.rstrip("\n") + "\n\n" + section + "\n"
path.write_text(text)
PY
