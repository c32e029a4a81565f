"""The house's layout, checked: private helpers by concern, rules found by their id, one error table."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "safe_constructs"
IMPORT = re.compile(r"^import (?:type )?\{[^}]*\} from '([^']+)';", re.M)
# The public data types private code produces (the coverage rows); never a construct.
PUBLIC_DATA_TYPES = {"encryption-coverage"}


def local_imports(path):
    return [(path.parent / target).resolve() for target in IMPORT.findall(path.read_text()) if target.startswith(".")]


def test_private_code_imports_nothing_above_it_but_the_public_data_types_it_produces():
    upward = [(p.name, t.name) for p in (SRC / "private").glob("*.ts") for t in local_imports(p)
              if t.parent != SRC / "private" and t.stem not in PUBLIC_DATA_TYPES]
    assert upward == []


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
