#!/usr/bin/env python3
"""parity_groups.py -- parity.py's unordered comparison of set-order groups:
the same items in another order pass inside a group, nowhere else, and a
group ends with its instant."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity import first_difference, unordered_ranges  # noqa: E402


def main():
    """The unordered comparison itself: same items in another order pass,
    a different item or one outside the group does not."""
    a = [(0.0, "Task-1", "step"), (1.0, "Task-2", "step"), (1.0, "Task-3", "step"), (2.0, "Task-1", "step")]
    swapped = [a[0], a[2], a[1], a[3]]
    ranges = unordered_ranges(a, [1])
    cases = [
        ("same items, any order, inside a set-order group", first_difference(a, swapped, ranges=ranges) is None),
        ("the same swap without a group is a difference", first_difference(a, swapped) == 1),
        ("a different item inside the group is a difference",
         first_difference(a, [a[0], a[1], (1.0, "Task-4", "step"), a[3]], ranges=ranges) == 1),
        ("the group ends with its instant", unordered_ranges(a, [1]) == [(1, 3)]),
    ]
    ok = True
    for what, passed in cases:
        print("%s parity_groups: %s" % ("PASS" if passed else "FAIL", what))
        ok &= passed
    return 0 if ok else 1



if __name__ == "__main__":
    sys.exit(main())
