"""The audit-test sample: closed cases drawn at random within strata, reproducibly.

A plain random sample of a year's closures is mostly low-severity explanations; the audit wants
each kind of closure represented. The closed cases are split into strata by severity, resolution
and risk domain (``risk_category``). When the sample is at least as large as the number of strata,
every stratum gets one case and the rest of the sample is shared out in proportion to the strata's
remaining sizes (largest remainder, ties to the larger stratum, then to the stratum key); a smaller
sample goes one case each to the largest strata. Within a stratum the cases are drawn with
``random.Random("<seed>:<stratum>")`` from the ids in ascending order, so the same seed and data
always give the same sample, and one stratum's draw does not depend on the others.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

Stratum = tuple[str, str, str]


def stratum_of(case: dict[str, Any]) -> Stratum:
    """(severity, resolution, risk domain); a closure without a recorded resolution is ``-``."""
    return case["severity"], case.get("resolution") or "-", case["risk_category"]


def allocate(sizes: dict[Stratum, int], n: int) -> dict[Stratum, int]:
    """How many cases each stratum gives to a sample of ``n`` (see the module docstring)."""
    total = sum(sizes.values())
    n = min(n, total)
    order = sorted(sizes, key=lambda k: (-sizes[k], k))
    if n < len(sizes):
        return {k: int(i < n) for i, k in enumerate(order)}
    alloc = dict.fromkeys(sizes, 1)
    rest, spare = n - len(sizes), {k: sizes[k] - 1 for k in sizes}
    pool = sum(spare.values())
    if rest and pool:
        quotas = {k: rest * spare[k] / pool for k in sizes}
        for k in sizes:
            alloc[k] += int(quotas[k])
        left = rest - sum(int(q) for q in quotas.values())
        for k in sorted(sizes, key=lambda k: (-(quotas[k] - int(quotas[k])), -sizes[k], k))[:left]:
            alloc[k] += 1
    return alloc


def stratified_sample(closed: Sequence[dict[str, Any]], n: int, seed: int) -> dict[str, Any]:
    """The sample of ``n`` closed cases, with the population, each stratum's size and its share."""
    members: dict[Stratum, list[int]] = {}
    for case in closed:
        members.setdefault(stratum_of(case), []).append(case["id"])
    sizes = {k: len(v) for k, v in members.items()}
    alloc = allocate(sizes, n)
    strata, chosen = [], []
    for key in sorted(members):
        ids = sorted(members[key])
        drawn = sorted(random.Random(f"{seed}:{'|'.join(key)}").sample(ids, k=alloc[key]))
        chosen += drawn
        strata.append({"severity": key[0], "resolution": key[1], "risk_category": key[2], "size": len(ids), "drawn": len(drawn)})
    return {"seed": seed, "requested": n, "size": len(chosen), "population": len(closed), "strata": strata, "flag_ids": sorted(chosen)}
