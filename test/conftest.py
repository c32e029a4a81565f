import os
import sys

# The harness is a module of the suite, imported by name from every test file.
sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    """What the template scan looked at, and how the property-based cases ended, in this run."""
    if harness.SCANNED:
        terminalreporter.section("template scan")
        for what, count in sorted(harness.SCANNED.items()):
            terminalreporter.write_line(f"{count:7d}  {what}")
    if harness.FUZZ_OUTCOMES:
        terminalreporter.section("property-based cases")
        for (construct, ending), count in sorted(harness.FUZZ_OUTCOMES.items()):
            terminalreporter.write_line(f"{count:7d}  {construct}: {ending}")
