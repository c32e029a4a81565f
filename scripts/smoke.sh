#!/usr/bin/env bash
# Builds and runs one smoke app (smoke/<language>) the way a user of that language would, outside
# the project, on the package just built in dist/: the Maven jar, the Go module or the npm tarball.
# The app (README's snippet for its language) synthesizes into cdk.out; then a check, written as that
# language's users write tests, asserts what the template holds and that bad input is refused.
# It runs with aws-cdk-lib at the floor the app pins, then (npm and Go) with the newest its registry
# serves; Maven Central serves nothing newer than the floor here, so Java runs at the floor only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
language="${1:?usage: smoke.sh java|go|typescript}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/smoke/$language/." "$work/"
cd "$work"
say() { printf '== %s smoke app on aws-cdk-lib %s\n' "$language" "$1"; }
case "$language" in
  java)
    # the version just built: 0.0.0, or the release's during `npx projen release`
    version="$(node -p "require('$root/package.json').version")"
    maven=(mvn -B -q -Dsafe.repository="file://$root/dist/java" -Dsafe-constructs.version="$version")
    say "$(sed -n 's:.*<cdk.version>\(.*\)</cdk.version>.*:\1:p' pom.xml)"
    "${maven[@]}" compile exec:java
    "${maven[@]}" exec:java -Dexec.mainClass=com.example.SmokeCheck
    ;;
  go)
    go mod edit -replace "github.com/safe-constructs/safe-constructs-go/safeconstructs=$root/dist/go/safeconstructs"
    for cdk in floor latest; do
      [ "$cdk" = floor ] || go get github.com/aws/aws-cdk-go/awscdk/v2@latest
      go mod tidy
      say "$(go list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
      go run .
      go test -count=1 ./...
    done
    ;;
  typescript)
    npm install --no-audit --no-fund --loglevel=error "$root"/dist/js/safe-constructs@*.jsii.tgz
    for cdk in floor latest; do
      [ "$cdk" = floor ] || npm install --no-audit --no-fund --loglevel=error aws-cdk-lib@latest
      say "$(node -p "require('aws-cdk-lib/package.json').version")"
      npx tsc
      node app.js
      node check.js
    done
    ;;
  *)
    echo "smoke.sh: no smoke app for '$language' (java, go or typescript)" >&2
    exit 2
    ;;
esac
