"""Every Python snippet of the README and every example app runs, and what they synthesize is checked."""
import pathlib
import re
import runpy
import shutil
import subprocess
import sys

import pytest

from harness import template_problems

ROOT = pathlib.Path(__file__).resolve().parent.parent
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def readme_snippets():
    return SNIPPET.findall((ROOT / "README.md").read_text())


def check_assembly(outdir):
    """Every template in a cloud assembly passes the whole scan (all its stateful resources included); returns them."""
    import json
    templates = sorted(pathlib.Path(outdir).glob("*.template.json"))
    for path in templates:
        body = json.loads(path.read_text())
        problems = template_problems(body)
        assert not problems, f"{path.name}:\n" + "\n".join(problems)
    return templates


def test_the_readme_has_python_snippets():
    assert len(readme_snippets()) >= 1


@pytest.mark.parametrize("index", range(len(readme_snippets())))
def test_readme_snippet_runs(index, tmp_path, monkeypatch):
    # GIVEN a snippet, run in a directory holding only the file the README has the user download
    # (RDS's eu-west-1 certificate bundle, played by a test CA: tests reach no network)
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "test" / "fixtures" / "stand-in-ca.pem", tmp_path / "eu-west-1-bundle.pem")
    namespace = {"__name__": "__main__"}
    # WHEN
    exec(compile(readme_snippets()[index], f"README.md snippet {index + 1}", "exec"), namespace)
    # THEN the app it synthesized (wherever aws-cdk-lib wrote it) passes the whole scan
    assembly = namespace["app"].synth()  # the assembly the snippet's own synth() produced
    assert check_assembly(assembly.directory)


def test_quickstart_example_synthesizes_a_valid_template(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "examples" / "quickstart"))
    try:
        app = runpy.run_path(str(ROOT / "examples" / "quickstart" / "app.py"))
    finally:
        sys.path.pop(0)
    template = app["main"](str(tmp_path))
    assert f"synthesized SafeConstructsQuickStart: {template}" in capsys.readouterr().out
    assert [p.name for p in check_assembly(tmp_path)] == ["SafeConstructsQuickStart.template.json"]


def documented_ids(section):
    text = (ROOT / "docs" / "ERRORS.md").read_text().split(f"## {section}")[1].split("\n## ")[0]
    return set(re.findall(r"^\| `([A-Za-z0-9]+)` \|", text, re.M))


def test_the_generated_documents_are_current():
    # docs/ERRORS.md (from the id table), RULES.md and README's rule list (from the rules): `npx projen docs`
    result = subprocess.run(["node", str(ROOT / "scripts" / "docs.js"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def error_docs_of_a_copy(tmp_path, edit):
    """docs/ERRORS.md as `npx projen docs` writes it for a copy of the source changed by `edit(src)`."""
    copy = tmp_path / "copy"
    for tree in ("src", "scripts", "rosetta"):
        shutil.copytree(ROOT / tree, copy / tree)
    for file in ("README.md", "RULES.md", "docs/ERRORS.md"):
        (copy / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / file, copy / file)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    edit(copy / "src" / "safe_constructs")
    result = subprocess.run(["node", str(copy / "scripts" / "docs.js")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return (copy / "docs" / "ERRORS.md").read_text()


def row_of(doc, error_id):
    return next(line for line in doc.splitlines() if line.startswith(f"| `{error_id}` |"))


def replace_in(path, old, new):
    assert old in path.read_text(), old
    path.write_text(path.read_text().replace(old, new))


def test_the_error_docs_read_each_bound_from_the_code(tmp_path):
    assert "from 5 to 30000" in row_of((ROOT / "docs" / "ERRORS.md").read_text(), "AllocatedStorageOutOfRange")
    # WHEN the code's bound changes, and nothing else
    doc = error_docs_of_a_copy(tmp_path, lambda src: replace_in(
        src / "private" / "limits.ts", "DMS_STORAGE_GB: Bound = { min: 5, max: 30000 }", "DMS_STORAGE_GB: Bound = { min: 5, max: 29000 }"))
    # THEN the document says the new bound
    assert "from 5 to 29000" in row_of(doc, "AllocatedStorageOutOfRange")


def test_the_error_docs_name_whoever_raises_an_id(tmp_path):
    assert row_of((ROOT / "docs" / "ERRORS.md").read_text(), "GateWithoutEndpoints").startswith(
        "| `GateWithoutEndpoints` | `DmsConnectionGate` |")
    # WHEN another construct's file raises the id too
    doc = error_docs_of_a_copy(tmp_path, lambda src: replace_in(
        src / "weighted-traffic-shift.ts", "    const problems = new Problems(this);\n",
        "    const problems = new Problems(this);\n    problems.add('GateWithoutEndpoints', 'a problem', 'a fix');\n"))
    # THEN the document lists that construct beside the first
    assert row_of(doc, "GateWithoutEndpoints").startswith("| `GateWithoutEndpoints` | `DmsConnectionGate`, `WeightedTrafficShift` |")


def test_every_id_is_reported_by_the_source_and_asserted_by_a_test():
    # The table types the id of every reporting helper, so an id the source uses is in the table; here the
    # other way: each id of the table is used by the source, and a test asserts it
    sources = "\n".join(p.read_text() for p in (ROOT / "src" / "safe_constructs").rglob("*.ts") if p.name != "error-ids.ts")
    tests = "\n".join(p.read_text() for p in (ROOT / "test").glob("test_*.py") if p.name != "test_docs.py")
    ids = documented_ids("Errors") | documented_ids("Warnings")
    assert len(ids) > 70
    assert not [i for i in sorted(ids) if f"'{i}'" not in sources], "in the table, reported nowhere"
    assert not [i for i in sorted(ids) if not re.search(rf"\b{i}\b", tests)], "never asserted by a test"


def test_every_api_example_compiled():
    # jsii-rosetta --strict fails the build on an example that does not compile; API.md shows the result
    api = (ROOT / "API.md").read_text()
    assert "*Example*" in api and "non-compiling" not in api


# What the first version said of AWS, and AWS documents otherwise (issue "Truth to AWS"): none of it
# may come back, in the README, RULES.md, the API reference or the source.
RETRACTED = [
    "`cdk deploy` asks for it",                      # the CDK CLI passes CAPABILITY_AUTO_EXPAND on every deploy
    "weeks after the deploy",                        # a new schedule rotates at once: minutes
    "its data is lost",                              # the L2's default SNAPSHOT keeps a final snapshot
    "validation only warns",                         # W9008 fails synth with @aws-cdk/core:validateAgainstDefaultRules
    "route to every record equally",                 # documented for non-alias weighted records only
    "which serves Aurora PostgreSQL too",            # postgres for Aurora is a workaround, not AWS guidance
    "15 for SQL Server",                             # 1 to 63 characters for every engine
    "`/ ' \" @`",                                    # RDS allows ' and space except for Oracle
]


@pytest.mark.parametrize("phrase", RETRACTED)
def test_a_retracted_aws_claim_does_not_come_back(phrase):
    texts = {path: path.read_text() for path in [ROOT / "README.md", ROOT / "RULES.md", ROOT / "API.md",
                                                  *(ROOT / "src" / "safe_constructs").rglob("*.ts")]}
    assert not [str(path) for path, text in texts.items() if phrase in text]


# The oldest aws-cdk-lib the library supports (issue #21): one number, in every place a user reads it.
FLOOR = re.search(r'^CDK_VERSION = "([0-9.]+)"', (ROOT / ".projenrc.py").read_text(), re.M).group(1)


def test_the_aws_cdk_lib_floor_is_the_same_everywhere_a_user_reads_it():
    import importlib.metadata
    import json
    package = json.loads((ROOT / "package.json").read_text())
    assert package["peerDependencies"]["aws-cdk-lib"] == f"^{FLOOR}"
    wheel = [r.replace(" ", "") for r in importlib.metadata.requires("safe-constructs")]
    assert f"aws-cdk-lib<3.0.0,>={FLOOR}" in wheel
    assert f"`aws-cdk-lib` {FLOOR} or later" in (ROOT / "README.md").read_text()
    for example in ("payment_migration", "external_secret_database"):
        assert f"aws-cdk-lib>={FLOOR}\n" in (ROOT / "examples" / example / "requirements.txt").read_text()
    # the floor is what the tests pin, and what each smoke app builds against
    assert f"aws-cdk-lib=={FLOOR}\n" in (ROOT / "requirements-dev.txt").read_text()
    assert f"<cdk.version>{FLOOR}</cdk.version>" in (ROOT / "smoke" / "java" / "pom.xml").read_text()
    assert f"github.com/aws/aws-cdk-go/awscdk/v2 v{FLOOR}\n" in (ROOT / "smoke" / "go" / "go.mod").read_text()
    assert json.loads((ROOT / "smoke" / "typescript" / "package.json").read_text())["dependencies"]["aws-cdk-lib"] == FLOOR


SMOKE_APPS = {"ts": "smoke/typescript/app.ts", "java": "smoke/java/src/main/java/com/example/SafeApp.java",
              "go": "smoke/go/main.go"}


@pytest.mark.parametrize("fence", SMOKE_APPS)
def test_the_readme_app_in_each_language_is_the_smoke_app_ci_runs(fence):
    blocks = re.findall(rf"^```{fence}[^\n]*\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    assert blocks == [(ROOT / SMOKE_APPS[fence]).read_text()]


def test_the_readme_names_every_secret_the_release_workflow_reads():
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    # GitHub provides GITHUB_TOKEN; the Central Portal's staging API needs no staging profile
    secrets = set(re.findall(r"secrets\.([A-Z0-9_]+)", workflow)) - {"GITHUB_TOKEN", "MAVEN_STAGING_PROFILE_ID"}
    releasing = (ROOT / "README.md").read_text().split("### Releasing")[1]
    assert secrets and not [name for name in secrets if f"`{name}`" not in releasing]


def test_install_begins_with_what_works_before_the_package_is_published(tmp_path):
    # GIVEN README's Install section: it says first that no registry serves the package yet ...
    install = (ROOT / "README.md").read_text().split("## Install\n", 1)[1].split("\n## ", 1)[0]
    first = install.strip().split("\n\n", 1)[0]
    assert first.startswith("**Not published yet.**") and "No matching distribution found" in first
    # ... gives the build and the wheel it writes (the wheel the build's install task installs) ...
    wheel_glob = re.search(r'^WHEEL_GLOB = "([^"]+)"', (ROOT / ".projenrc.py").read_text(), re.M).group(1)
    assert "npm ci && npx projen binding" in install and f"pip install {wheel_glob}" in install
    # ... keeps the registry command for later, and the examples' requirements point at the wheel
    assert "`pip install safe-constructs`" in install.split("for once it is published")[1]
    for example in ("payment_migration", "external_secret_database"):
        assert "pip install --find-links ../../dist/python -r requirements.txt" in \
            (ROOT / "examples" / example / "requirements.txt").read_text()
    # WHEN pip is pointed at the build's output, with no registry at all
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
                             "--ignore-installed", "--find-links", str(ROOT / "dist" / "python"), "safe-constructs"],
                            capture_output=True, text=True, timeout=120)
    # THEN it finds the package there: the command works today
    assert result.returncode == 0 and "Would install safe-constructs-" in result.stdout, result.stdout + result.stderr
