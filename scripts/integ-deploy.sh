#!/usr/bin/env bash
# Deploys the integration tests (integ/integ_*.py) into an AWS account with the upstream integ-runner,
# runs their assertions, destroys them, and updates the snapshots. Needs an account: it refuses to run
# without CDK_INTEG_ACCOUNT (the account id the credentials in the environment belong to) and
# CDK_INTEG_REGION. Never run by this repository's CI, which has no account; it compares the snapshots.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CDK_INTEG_ACCOUNT:?set CDK_INTEG_ACCOUNT to the AWS account to deploy the integration tests into (credentials for it in the environment)}"
: "${CDK_INTEG_REGION:?set CDK_INTEG_REGION to the region to deploy them in}"
export CDK_DEFAULT_ACCOUNT="$CDK_INTEG_ACCOUNT" CDK_DEFAULT_REGION="$CDK_INTEG_REGION"
# integ-runner runs each app as `python <file>`: the project's Python, with the built wheel installed.
export PATH="$PWD/.venv/bin:$PATH"
# The newest integ-runner: 2.197 (the newest this project's registry served when this was written)
# cannot read aws-cdk-lib 2.263's cloud assemblies.
npx --yes @aws-cdk/integ-runner@latest --language python --directory integ \
  --parallel-regions "$CDK_INTEG_REGION" --update-on-failed "$@"
