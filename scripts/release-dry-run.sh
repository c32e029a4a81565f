#!/usr/bin/env bash
# The release, rehearsed on the packages in dist/ (`npx projen build` makes them) with nothing published:
# each registry's own checks, then publib (the release workflow's publisher) with PUBLIB_DRYRUN=true.
# No credential is needed or read: where publib wants one it gets a placeholder, Maven's signing key is
# a throwaway made here, and the Go repository is a local stand-in for github.com/safe-constructs/safe-constructs-go.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PUBLIB_DRYRUN=true
step() { printf '\n== %s\n' "$*"; }

step "npm: npm publish --dry-run, then publib-npm"
npm publish --dry-run dist/js/safe-constructs@*.jsii.tgz
NPM_TRUSTED_PUBLISHER=true publib-npm dist/js

step "PyPI: twine check --strict, then publib-pypi"
.venv/bin/python -m twine check --strict dist/python/*
# publib installs twine for the upload with pip --user: keep that inside the scratch directory.
PYTHONUSERBASE="$work/python" TWINE_USERNAME=__token__ TWINE_PASSWORD=dry-run publib-pypi dist/python

step "Maven Central: publib-maven with a throwaway signing key (it stops before staging), then its signing step for real"
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase dry-run \
  --quick-gen-key "safe-constructs release dry run <dry-run@example.invalid>" rsa3072 sign never
MAVEN_GPG_PRIVATE_KEY="$(gpg --batch --pinentry-mode loopback --passphrase dry-run --armor --export-secret-keys)" \
MAVEN_GPG_PRIVATE_KEY_PASSPHRASE=dry-run MAVEN_SERVER_ID=central-ossrh MAVEN_USERNAME=dry-run MAVEN_PASSWORD=dry-run \
  publib-maven dist/java
# The Central Portal takes a release only with sources, javadoc, checksums, signatures and the POM's metadata:
# https://central.sonatype.org/publish/requirements/
artifact=(dist/java/io/github/safe-constructs/safe-constructs/*/safe-constructs-*.pom)
artifact="${artifact[0]%.pom}"
for element in name description url licenses developers scm; do
  grep -q "<$element>" "$artifact.pom" || { echo "release-dry-run: the POM has no <$element>" >&2; exit 1; }
done
for file in "$artifact.pom" "$artifact.jar" "$artifact-sources.jar" "$artifact-javadoc.jar"; do
  for sum in md5 sha1; do
    [ -s "$file.$sum" ] || { echo "release-dry-run: $file has no .$sum checksum" >&2; exit 1; }
  done
done
MAVEN_GPG_PASSPHRASE=dry-run mvn -B -q \
  org.apache.maven.plugins:maven-gpg-plugin:3.2.7:sign-and-deploy-file \
  -Durl="file://$work/staged" -DrepositoryId=dry-run -Dgpg.homedir="$GNUPGHOME" \
  -DpomFile="$artifact.pom" -Dfile="$artifact.jar" -Dsources="$artifact-sources.jar" -Djavadoc="$artifact-javadoc.jar"
for signed in "$artifact.pom" "$artifact.jar" "$artifact-sources.jar" "$artifact-javadoc.jar"; do
  staged="$work/staged/${signed#dist/java/}"
  gpg --batch --quiet --verify "$staged.asc" "$staged"
  echo "signed and verified: ${signed#dist/java/}"
done

step "Go: publib-golang commits and tags the module in a local stand-in for its repository, and pushes nothing"
module_repo="https://github.com/safe-constructs/safe-constructs-go"
stand_in="$work/safe-constructs-go.git"
git init -q --bare --initial-branch=main "$stand_in"
git -C "$work" clone -q "$stand_in" seed
git -C "$work/seed" -c user.name=dry-run -c user.email=dry-run@example.invalid commit -q --allow-empty -m "initial commit"
git -C "$work/seed" push -q origin HEAD:main
before="$(git -C "$stand_in" show-ref)"
GITHUB_TOKEN=dry-run GIT_USER_NAME="safe-constructs release" GIT_USER_EMAIL=dry-run@example.invalid \
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="url.file://$stand_in.insteadOf" \
GIT_CONFIG_VALUE_0="https://dry-run@${module_repo#https://}.git" \
  publib-golang dist/go
if [ "$(git -C "$stand_in" show-ref)" != "$before" ]; then
  echo "release-dry-run: the Go dry run pushed to the stand-in repository" >&2
  exit 1
fi

step "release dry run: npm, PyPI, Maven Central and Go rehearsed; nothing published"
