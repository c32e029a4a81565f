"""The house's layout, checked: private helpers by concern, rules found by their id, one error table."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "safe_constructs"
# Every import or re-export of a module, type-only ones included: `import { A } from`, `import type { A } from`,
# `import * as a from`, `export * from`, `export { A } from`.
IMPORT = re.compile(r"^(?:import|export)\b[^;]*?\bfrom '([^']+)';", re.M)


def local_imports(path):
    found = []
    for target in IMPORT.findall(path.read_text()):
        if target.startswith("."):
            resolved = (path.parent / target).resolve()
            found.append(resolved.with_suffix(".ts") if resolved.suffix != ".ts" else resolved)
    return found


def reaches(start, goal, seen=None):
    """Whether `start` imports `goal`, directly or through other files of src/."""
    seen = set() if seen is None else seen
    for target in local_imports(start):
        if target == goal or (target not in seen and target.exists() and (seen.add(target) or reaches(target, goal, seen))):
            return True
    return False


def test_private_code_imports_a_construct_it_serves_only_where_the_construct_does_not_import_it_back():
    # As aws-rds's private helpers import the constructs they serve (private/secret-checks.ts creates the
    # SecretPreflightCheck): never the reverse, never the package's index, never a rule.
    upward = [(p.name, t.relative_to(SRC).as_posix()) for p in (SRC / "private").glob("*.ts") for t in local_imports(p)
              if t.parent != SRC / "private"]
    assert upward, "no private module imports a construct: the rule below tests nothing"
    assert not [(p, t) for p, t in upward if t == "index.ts" or t.startswith("rules/")]
    assert not [(p, t) for p, t in upward if reaches(SRC / t, SRC / "private" / p)], "imported back"


def import_graph():
    """Each file of src/ with the files of src/ it imports."""
    return {path: [t for t in local_imports(path) if t.exists()] for path in SRC.rglob("*.ts")}


def cycles(graph):
    """Every import cycle, each as the files on it, first file repeated last."""
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for target in graph[node]:
            if state.get(target) == "open":
                found.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return [[n.relative_to(SRC).as_posix() for n in cycle] for cycle in found]


def test_the_import_graph_of_src_has_no_cycle_type_only_imports_included():
    graph = import_graph()
    assert sum(len(targets) for targets in graph.values()) > 100  # the graph is drawn, not empty
    assert cycles(graph) == []


def test_a_cycle_is_found_where_there_is_one():
    a, b, c = (SRC / name for name in ("a.ts", "b.ts", "c.ts"))
    assert cycles({a: [b], b: [c], c: [a]}) == [["a.ts", "b.ts", "c.ts", "a.ts"]]
    assert cycles({a: [b, c], b: [c], c: []}) == []


def test_nothing_outside_private_and_rules_is_a_helper_module():
    # every top-level file is exported (a construct, or a public type): helpers live in private/
    exported = set(re.findall(r"export \* from '\./([^']+)';", (SRC / "index.ts").read_text()))
    assert {p.stem for p in SRC.glob("*.ts")} - {"index"} == exported


def test_each_rule_lives_in_the_file_named_for_its_id():
    for path in (SRC / "rules").glob("sp-*.ts"):
        ids = re.findall(r"^  id: '(SP-[A-Z0-9-]+)',", path.read_text(), re.M)
        assert len(ids) == 1 and path.stem.startswith(ids[0].lower() + "-"), path.name


def test_one_model_of_a_rendered_resource_and_one_reader_of_iam_policies():
    sources = {p.relative_to(SRC).as_posix(): p.read_text() for p in SRC.rglob("*.ts")}
    declared = [name for name, text in sources.items()
                if re.search(r"^export interface \w+ \{\n  readonly logicalId: string;", text, re.M)]
    assert declared == ["private/cfn.ts"]
    statements = [name for name, text in sources.items() if re.search(r"\.Statement\b", text)]
    assert statements == ["private/iam-policies.ts"]
