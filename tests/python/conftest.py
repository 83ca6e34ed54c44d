# SPDX-License-Identifier: GPL-2.0
"""pytest setup shared by the host and guest tests of the vexfs package.

The package is imported from the tree (userspace/python), or from
$VEXFS_PYTHONPATH in the guest.  With $VEXFS_RESULTS set, each test's
outcome is appended there as a PASS:/FAIL:/SKIP: line, the form every
suite of `make check` prints (tests/python/run.sh shows them).
"""

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("VEXFS_PYTHONPATH")
                or os.path.join(here, "..", "..", "userspace", "python"))


def pytest_runtest_logreport(report):
    out = os.environ.get("VEXFS_RESULTS")
    if not out:
        return
    name = os.environ.get("VEXFS_RESULT_PREFIX", "python/") + \
        report.nodeid.split("::")[-1]
    line = None
    if report.when == "call" and report.passed:
        line = f"PASS: {name}"
    elif report.failed:
        line = f"FAIL: {name} ({report.when})"
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) \
            else str(report.longrepr)
        line = f"SKIP: {name} ({reason})"
    if line:
        with open(out, "a") as f:
            f.write(line + "\n")
