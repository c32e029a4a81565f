"""The single source of safe-constructs' project configuration.

Run `npx projen` after editing this file; it regenerates package.json, .projen/ and the
ignore files. Never edit those by hand.
"""
from projen import awscdk, github, javascript, python, release
from projen.cdk import JsiiDotNetTarget, JsiiGoTarget, JsiiJavaTarget, JsiiPythonTarget

# The floor: the oldest aws-cdk-lib the library is built and tested against. It must be served by every
# registry a user installs from (PyPI, npm, Maven Central, the Go proxy): 2.263.0 is, and 2.262.0 is the
# oldest the source compiles against (IPolicyValidationContext.stackTemplates).
CDK_VERSION = "2.263.0"
# The Go module jsii-pacmak writes names the npm-installed cloud-assembly-schema; the Go proxy serves the
# one aws-cdk-go/awscdk/v2 v2.263.0's go.mod names.
CLOUD_ASSEMBLY_SCHEMA_VERSION = "54.11.0"
# The project's own tooling runs on Node 22 (jsii's supported line), installed from the npm registry;
# users need only min_node_version.
TOOLING_NODE_VERSION = "22.23.3"
CONSTRUCTS_VERSION = "10.8.1"
JSII_LINE = "~5.9.0"  # jsii and TypeScript move together
PROJEN_VERSION = "0.103.25"  # same on npm (the CLI) and PyPI (this file's import)
# publib publishes to npm, PyPI, Maven Central and the Go repository; the release workflow and the
# local dry run (`npx projen release:dry-run`) use the same version.
PUBLIB_VERSION = "0.2.1061"
VENV_PYTHON = ".venv/bin/python"
WHEEL_GLOB = "dist/python/safe_constructs-*.whl"

project = awscdk.AwsCdkConstructLibrary(
    name="safe-constructs",
    package_name="safe-constructs",
    description=(
        "AWS CDK constructs that make well-documented infrastructure mistakes impossible to write: "
        "DMS PostgreSQL and MySQL endpoints on Secrets Manager, a PostgreSQL-to-PostgreSQL DMS replication "
        "with its database users, connection gate and account roles, RDS instances and Aurora clusters on "
        "external secrets, rotating secrets with a first-rotation gate and a secret pre-flight check, weighted "
        "Route 53 alias records and traffic shifts, an encryption aspect that reports or fixes, and the "
        "SafePatternsChecks policy-validation rules"
    ),
    keywords=["aws-cdk", "cdk", "constructs", "security", "dms", "rds", "route53", "secretsmanager"],
    author="safe-constructs maintainers",
    author_address="safe-constructs@users.noreply.github.com",
    repository_url="https://github.com/safe-constructs/safe-constructs.git",
    license="Apache-2.0",
    stability="experimental",
    default_release_branch="main",
    cdk_version=CDK_VERSION,
    constructs_version=CONSTRUCTS_VERSION,
    jsii_version=JSII_LINE,
    typescript_version=JSII_LINE,
    # Node 20 reached its end of life on 2026-04-30 (https://github.com/nodejs/Release): jsii warns on every run there.
    min_node_version="22.0.0",
    projen_version=PROJEN_VERSION,
    srcdir="src/safe_constructs",
    testdir="test",
    sample_code=False,
    projenrc_js=False,
    projenrc_ts=False,
    jest=False,  # the tests are Python, against the real binding (test/)
    eslint=True,
    eslint_options=javascript.EslintOptions(dirs=["src"], file_extensions=[".ts"]),
    package_manager=javascript.NodePackageManager.NPM,
    # Releases: GitHub's release workflow (.github/workflows/release.yml), started by hand, builds on
    # Node 22 and publishes with publib to npm, PyPI, Maven Central (the Central Portal's OSSRH
    # staging API), the Go repository and NuGet (.NET is generated there, never built here).
    github=True,
    github_options=github.GitHubOptions(mergify=False, pull_request_lint=False),
    build_workflow=False,  # CI is .ci/run
    deps_upgrade=False,
    pull_request_template=False,
    release=True,
    release_trigger=release.ReleaseTrigger.workflow_dispatch(),
    release_to_npm=True,
    jsii_release_version=PUBLIB_VERSION,
    workflow_node_version="22.x",
    release_workflow_setup_steps=[
        github.workflows.JobStep(name="PostgreSQL for the handler's tests", run="sudo bash scripts/postgres.sh"),
    ],
    docgen=True,
    dev_deps=[
        "aws-cdk@2.1148.1",  # the CDK CLI the examples are synthesized with (2.x reads this cloud assembly)
        f"@aws-cdk/cloud-assembly-schema@{CLOUD_ASSEMBLY_SCHEMA_VERSION}",
        f"node@{TOOLING_NODE_VERSION}",  # tasks run with node_modules/.bin first on PATH: Node 22
        f"publib@{PUBLIB_VERSION}",
    ],
    publish_to_pypi=JsiiPythonTarget(dist_name="safe-constructs", module="safe_constructs"),
    publish_to_maven=JsiiJavaTarget(
        java_package="io.github.safeconstructs",
        maven_group_id="io.github.safe-constructs",
        maven_artifact_id="safe-constructs",
        # OSSRH reached its end of life on 30 June 2025; publib's "central-ossrh" publishes through the
        # Central Portal's OSSRH Staging API: https://central.sonatype.org/publish/publish-portal-ossrh-staging-api/
        maven_server_id="central-ossrh",
    ),
    publish_to_go=JsiiGoTarget(module_name="github.com/safe-constructs/safe-constructs-go"),
    publish_to_nuget=JsiiDotNetTarget(dot_net_namespace="SafeConstructs", package_id="SafeConstructs"),
    gitignore=[
        ".venv/",
        ".venv-newest/",
        "cdk.out/",
        "__pycache__/",
        ".pytest_cache/",
        ".hypothesis/",
        "/assets/postgres-user/vendor/",
        ".jsii.tabl.json",
    ],
    npm_ignore_options={
        "ignore_patterns": [
            "/.venv/",
            "/.venv-newest/",
            "/.ci/",
            "/.github/",
            "/smoke/",
            "/test/",
            "/examples/",
            "/scripts/",
            "/benchmarks/",
            "/integ/",
            "/rosetta/",
            "/docs/",
            "/requirements-dev.txt",
            "/.projenrc.py",
            "cdk.out/",
            "__pycache__/",
            ".pytest_cache/",
        ]
    },
)

python.Projenrc(project, python_exec=VENV_PYTHON)

# The `node` package's preinstall fetches the platform's Node binary from the registry. By name: this
# registry's lock entries carry no "resolved" URL, which a version-pinned approval needs.
project.package.add_field("allowScripts", {"node": True})

# The Python development environment, made by the project itself: nothing is installed by hand.
venv = project.add_task(
    "venv",
    description="Create .venv (aws-cdk-lib at the floor) from requirements-dev.txt (skipped when it is up to date)",
    exec="bash scripts/venv.sh",
)
project.default_task.prepend_spawn(venv)

# The database-user handler's PostgreSQL driver, vendored into its asset (not committed; shipped in the package).
vendor = project.add_task(
    "vendor",
    description="Vendor the pure-Python PostgreSQL driver into assets/postgres-user/vendor (skipped when present)",
    exec="bash scripts/vendor.sh",
)
project.pre_compile_task.spawn(vendor)

# Every API example compiles (jsii-rosetta, with rosetta/default.ts-fixture), before API.md renders them.
project.post_compile_task.prepend_exec("jsii-rosetta extract --strict")

# The wheel a `pip install safe-constructs` user gets, built on every compile.
project.post_compile_task.spawn(project.tasks.try_find("package:python"))

install_wheel = project.add_task(
    "install-wheel",
    description="Install the built wheel into .venv (the real binding the tests use)",
    exec=f"bash -c '{VENV_PYTHON} -m pip install -q --no-deps --force-reinstall {WHEEL_GLOB}'",
)

docgen = project.tasks.try_find("docgen")
docgen.reset("jsii-docgen -o API.md --language python")

# docs/ERRORS.md, RULES.md, README's rule list and coverage table, and the package's index.ts, generated from
# the TypeScript source (no build needed); the tests fail when a committed one is stale.
project.add_task(
    "docs",
    description="Regenerate docs/ERRORS.md, RULES.md, README's rule list and coverage table, and src/safe_constructs/index.ts "
    "from the library's source (no build needed)",
    exec="node scripts/docs.js",
)

# The suite runs twice: against the floor (.venv) and the newest aws-cdk-lib on PyPI (.venv-newest).
project.test_task.reset()
project.test_task.spawn(project.tasks.try_find("eslint"))
project.test_task.exec("bash scripts/test.sh", receive_args=True)

# The Python binding built and installed from a fresh clone: what the main job and the benchmarks need.
binding = project.add_task(
    "binding",
    description="Compile, build the wheel and install it into .venv",
)
# pre-compile vendors the database-user function's driver: without it the asset would hold index.py alone.
for step in (project.default_task, project.pre_compile_task, project.compile_task, project.post_compile_task, install_wheel):
    binding.spawn(step)

# The library's main job in one command: synthesize the payment-migration example with the real binding.
synth_example = project.add_task(
    "synth-example",
    description="Build the library, synthesize the payment-migration example and summarize it",
)
synth_example.spawn(binding)
synth_example.exec(f"{VENV_PYTHON} examples/summary.py")

# Benchmarks print figures (and write docs/BENCHMARKS.md); they are never timed tests.
bench = project.add_task(
    "bench",
    description="Benchmark import, synth and scaling costs; write docs/BENCHMARKS.md and docs/benchmarks.json",
)
bench.spawn(binding)
bench.exec("bash scripts/bench.sh", receive_args=True)  # on the newest aws-cdk-lib: see the script

# The property-based tests, long: CI runs them with a few cases per construct.
fuzz = project.add_task(
    "fuzz",
    description="Run the property-based tests with many cases per construct (FUZZ_EXAMPLES, default 300)",
)
fuzz.spawn(install_wheel)
fuzz.exec(f"bash -c 'FUZZ_EXAMPLES=${{FUZZ_EXAMPLES:-300}} {VENV_PYTHON} -m pytest test/test_fuzz_props.py'")

# In CI the build fails when a generated file differs from what is committed.
check_generated = project.add_task(
    "check-generated",
    description="Fail when a generated file (API.md, package.json, .projen/...) is not committed",
    exec="bash scripts/check-generated.sh",
)
# pacmak's Java build resolves aws-cdk-lib from Maven Central; in the user's repository it does so once.
project.tasks.try_find("package:java").reset("jsii-pacmak -v --target java --maven-local-repository $HOME/.m2/repository")

check_python_package = project.add_task(
    "check:python-package",
    description="twine check --strict on the wheel and the sdist (what PyPI renders and accepts)",
    exec=f"bash -c '{VENV_PYTHON} -m twine check --strict dist/python/*'",
)

# Each smoke app uses the package just built from outside the project, as a user of its language would.
smoke = project.add_task("smoke", description="Build and run the Java, Go and TypeScript smoke apps (smoke/) on dist/")
for language in ("java", "go", "typescript"):
    smoke.spawn(project.add_task(
        f"smoke:{language}",
        description=f"Build and run the {language} smoke app on the package in dist/",
        exec=f"bash scripts/smoke.sh {language}",
    ))

# `package` builds every package this machine can build: npm tarball, wheel and sdist (post-compile),
# Maven jar and Go module, then proves them. .NET is generated by `package:dotnet` where an SDK exists.
project.package_task.reset()
for step in ("package:js", "package:java", "package:go"):
    project.package_task.spawn(project.tasks.try_find(step))
project.package_task.spawn(check_python_package)
project.package_task.spawn(smoke)
project.package_task.spawn(check_generated)

# Integration tests (integ/integ_*.py): the suite compares their snapshots; deploying them needs an account.
project.add_task(
    "integ:snapshot",
    description="Write the integration tests' snapshots (integ/*.snapshot) from what their apps synthesize; deploys nothing",
    exec=f"{VENV_PYTHON} scripts/integ_snapshot.py",
)
project.add_task(
    "integ:deploy",
    description="Deploy the integration tests into an account with integ-runner (needs CDK_INTEG_ACCOUNT and CDK_INTEG_REGION)",
    exec="bash scripts/integ-deploy.sh",
    receive_args=True,
)

project.add_task(
    "release:dry-run",
    description="Rehearse the release on dist/ with publib (PUBLIB_DRYRUN): npm, PyPI, Maven Central, Go; publishes nothing",
    exec="bash scripts/release-dry-run.sh",
)

project.synth()
