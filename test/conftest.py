import os
import sys

# The harness is a module of the suite, imported by name from every test file.
sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    """What the template scan looked at, where the time went, and how the property-based cases ended."""
    if harness.SCANNED:
        terminalreporter.section("template scan")
        for what, count in sorted(harness.SCANNED.items()):
            terminalreporter.write_line(f"{count:7d}  {what}")
    if harness.SECONDS:
        terminalreporter.section("where the time went")
        for what, seconds in sorted(harness.SECONDS.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  s in {what}")
    if harness.FUZZ_OUTCOMES:
        terminalreporter.section("property-based cases")
        for (construct, ending), count in sorted(harness.FUZZ_OUTCOMES.items()):
            terminalreporter.write_line(f"{count:7d}  {construct}: {ending}")
