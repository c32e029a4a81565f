"""The single source of safe-constructs' project configuration.

Run `npx projen` after editing this file; it regenerates package.json, .projen/ and the
ignore files. Never edit those by hand.
"""
from projen import awscdk, javascript, python
from projen.cdk import JsiiDotNetTarget, JsiiGoTarget, JsiiJavaTarget, JsiiPythonTarget

CDK_VERSION = "2.275.0"  # must exist on PyPI as well as npm: the wheel requires aws-cdk-lib>=this
CONSTRUCTS_VERSION = "10.8.1"
JSII_LINE = "~5.9.0"  # jsii and TypeScript move together
PROJEN_VERSION = "0.103.25"  # same on npm (the CLI) and PyPI (this file's import)
VENV_PYTHON = ".venv/bin/python"
WHEEL_GLOB = "dist/python/safe_constructs-*.whl"

project = awscdk.AwsCdkConstructLibrary(
    name="safe-constructs",
    package_name="safe-constructs",
    description=(
        "AWS CDK constructs that make well-documented infrastructure mistakes impossible to write: "
        "DMS endpoints on Secrets Manager, RDS from external secrets, weighted alias records, "
        "rotating secrets and an encryption aspect"
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
    min_node_version="20.0.0",
    projen_version=PROJEN_VERSION,
    srcdir="src/safe_constructs",
    testdir="test",
    sample_code=False,
    projenrc_js=False,
    projenrc_ts=False,
    jest=False,  # the tests are Python, against the real binding (test/)
    eslint=True,
    eslint_options=javascript.EslintOptions(dirs=["src"], file_extensions=[".ts"]),
    github=False,
    package_manager=javascript.NodePackageManager.NPM,
    release=False,
    docgen=True,
    dev_deps=["aws-cdk@2.1148.1"],  # the CDK CLI the examples are synthesized with (2.x reads this cloud assembly)
    publish_to_pypi=JsiiPythonTarget(dist_name="safe-constructs", module="safe_constructs"),
    publish_to_maven=JsiiJavaTarget(
        java_package="io.github.safeconstructs",
        maven_group_id="io.github.safe-constructs",
        maven_artifact_id="safe-constructs",
    ),
    publish_to_go=JsiiGoTarget(module_name="github.com/safe-constructs/safe-constructs-go"),
    publish_to_nuget=JsiiDotNetTarget(dot_net_namespace="SafeConstructs", package_id="SafeConstructs"),
    gitignore=[
        ".venv/",
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
            "/.ci/",
            "/test/",
            "/examples/",
            "/scripts/",
            "/benchmarks/",
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

# Every jsii process on Node 20 prints an end-of-life banner; it is noise in the test output.
project.tasks.add_environment("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# The Python development environment, made by the project itself: nothing is installed by hand.
venv = project.add_task(
    "venv",
    description="Create .venv from requirements-dev.txt (skipped when it is up to date)",
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

rules_doc = project.add_task(
    "rules-doc",
    description="Regenerate RULES.md from SafePatternsChecks' rules (needs the installed wheel)",
    exec=f"bash -c '{VENV_PYTHON} scripts/rules_doc.py > RULES.md'",
)

# The tests check the committed RULES.md against the rules (regenerate it with `npx projen rules-doc`).
project.test_task.reset()
project.test_task.spawn(project.tasks.try_find("eslint"))
project.test_task.spawn(install_wheel)
project.test_task.exec(f"{VENV_PYTHON} -m pytest test", receive_args=True)

# The library's main job in one command: synthesize the quick-start app with the real binding.
# The Python binding built and installed from a fresh clone: what the main job and the benchmarks need.
binding = project.add_task(
    "binding",
    description="Compile, build the wheel and install it into .venv",
)
for step in (project.default_task, project.compile_task, project.post_compile_task, install_wheel):
    binding.spawn(step)

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
bench.exec(f"{VENV_PYTHON} benchmarks/bench.py", receive_args=True)

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
# `package` builds the npm tarball (the wheel is already built); every other language is
# `package-all`'s job.
project.package_task.reset()
project.package_task.spawn(project.tasks.try_find("package:js"))
project.package_task.spawn(check_generated)

project.synth()
