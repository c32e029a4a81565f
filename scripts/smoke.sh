#!/usr/bin/env bash
# Builds and runs one smoke app (smoke/<language>) the way a user of that language would, outside
# the project, on the package just built in dist/: the Maven jar, the Go module or the npm tarball.
# The app (README's snippet for its language) synthesizes into cdk.out; then a check, written as that
# language's users write tests, asserts what the template holds and that bad input is refused.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
language="${1:?usage: smoke.sh java|go|typescript}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/smoke/$language/." "$work/"
cd "$work"
case "$language" in
  java)
    # the version just built: 0.0.0, or the release's during `npx projen release`
    version="$(node -p "require('$root/package.json').version")"
    maven=(mvn -B -q -Dstyle.color=never -Dsafe.repository="file://$root/dist/java" -Dsafe-constructs.version="$version")
    "${maven[@]}" compile exec:java
    "${maven[@]}" exec:java -Dexec.mainClass=com.example.SmokeCheck
    ;;
  go)
    go mod edit -replace "github.com/safe-constructs/safe-constructs-go/safeconstructs=$root/dist/go/safeconstructs"
    go mod tidy
    go run .
    go test ./...
    ;;
  typescript)
    npm install --no-audit --no-fund --loglevel=error "$root"/dist/js/safe-constructs@*.jsii.tgz
    npx tsc
    node app.js
    node check.js
    ;;
  *)
    echo "smoke.sh: no smoke app for '$language' (java, go or typescript)" >&2
    exit 2
    ;;
esac
