"""The library's Lambda handlers loaded as Lambda loads them, and the clock their waits run on in the tests.

A handler module of `assets/deploy-gates` imports the gates' shared helpers as `index` (in Lambda,
the asset's folder is the working directory): `gate_module` loads it with that `index` bound to the
deploy-gates one, under a name of its own, so the database-user asset's `index` never stands in.
"""
import importlib.util
import pathlib
import sys

ASSETS = pathlib.Path(__file__).resolve().parent.parent / "assets"


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GATES = load(ASSETS / "deploy-gates" / "index.py", "deploy_gates")


def gate_module(name):
    """assets/deploy-gates/<name>.py, its `import index` bound to the deploy-gates index and its other imports to the asset's modules."""
    folder = str(ASSETS / "deploy-gates")
    saved = sys.modules.get("index")
    sys.modules["index"] = GATES
    sys.path.insert(0, folder)
    try:
        return load(ASSETS / "deploy-gates" / f"{name}.py", f"deploy_gates_{name}")
    finally:
        sys.path.remove(folder)
        if saved is None:
            del sys.modules["index"]
        else:
            sys.modules["index"] = saved


class FakeClock:
    """A gate's clock: sleeping only moves the time on, so a 10-minute bound is reached at once."""

    def __init__(self):
        self.time, self.slept = 0.0, 0

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.time += seconds
        self.slept += 1
