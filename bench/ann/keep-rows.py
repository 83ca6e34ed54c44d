#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""keep-rows.py OLD NEW [--mount]: add to the fresh JSON lines of NEW the
rows of OLD whose data set NEW does not measure again, so that a run of
some data sets keeps the results of the others.  A row's data set is the
"n=N d=D" (or "dim=D") of its "info" or "label"; with --mount, whether it
is a mount run ("mount ..." labels) counts too (vm.sh).  Lines are kept
byte for byte (the guest's console may end them with CRLF)."""
import json
import re
import sys


def main():
    old, new = sys.argv[1:3]
    mount = "--mount" in sys.argv[3:]
    pat = re.compile(r"^(mount )?.*?n=(\d+) d(?:im)?=(\d+)" if mount
                     else r"n=(\d+) d(?:im)?=(\d+)")

    def dataset(line):
        r = json.loads(line)
        m = pat.search(r.get("info") or r.get("label", ""))
        return m.groups() if m else None

    fresh = [l for l in open(new, newline="") if l.startswith("{")]
    done = {dataset(l) for l in fresh}
    kept = [l for l in open(old, newline="")
            if l.startswith("{") and dataset(l) not in done]
    with open(new, "w", newline="") as f:
        f.writelines(kept + fresh)


if __name__ == "__main__":
    main()
