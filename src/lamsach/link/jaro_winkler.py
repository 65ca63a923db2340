"""DuckDB's Jaro-Winkler similarity, computed the same way in Python (for the Spark engine).

The person model's given-name comparison has a level "toneless name Jaro-Winkler >= 0.92".
DuckDB's `jaro_winkler_similarity` and the Jaro-Winkler of the jar Splink ships for Spark (Apache
Commons Text) are different functions — thousands of pairs of names score differently and some
fall on the other side of 0.92 (bench/jaro_winkler_engines.py) — so the two engines trained and
applied different models. On Spark the comparison calls this function instead (a Python UDF,
`SPARK_UDF_NAME`), which follows DuckDB's implementation step for step: over the characters of
the two texts, the window of half the longer length less one, the common prefix matched first,
each character of the second text matched to the first unmatched equal character of the first
text in its window, half the transpositions rounded down, the Winkler bonus of 0.1 per common
leading character (up to 4) above a Jaro similarity of 0.7, and the same floating-point
operations in the same order (the bonus with one fused multiply-add, as DuckDB's build computes
it). tests/link/test_jaro_winkler.py holds it to DuckDB's result bit for bit; Python code on
every row is slower than the jar's, which is the price of one model on both engines.
"""

from __future__ import annotations

import math
from fractions import Fraction

SPARK_UDF_NAME = "lamsach_jaro_winkler"
PREFIX_WEIGHT = 0.1
_FMA = getattr(math, "fma", None)


def jaro_winkler_similarity(first: str | None, second: str | None) -> float | None:
    """DuckDB's `jaro_winkler_similarity(first, second)`; NULL when either is NULL, 0 when either
    is empty."""
    if first is None or second is None:
        return None
    p, t = first, second
    if not p or not t:
        return 0.0
    prefix = 0
    for k in range(min(len(p), len(t), 4)):
        if t[k] != p[k]:
            break
        prefix += 1
    similarity = _jaro(p, t)
    if similarity > 0.7:
        # DuckDB's build computes `sim + prefix * 0.1 * (1 - sim)` with one fused multiply-add
        similarity = _fused_multiply_add(prefix * PREFIX_WEIGHT, 1.0 - similarity, similarity)
    return similarity


def _fused_multiply_add(a: float, b: float, c: float) -> float:
    """a * b + c rounded once (`math.fma` from Python 3.13)."""
    if _FMA is not None:
        return _FMA(a, b, c)
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _jaro(p: str, t: str) -> float:
    p_len, t_len = len(p), len(t)
    if p_len == 1 and t_len == 1:
        return float(p[0] == t[0])
    if t_len > p_len:
        bound = t_len // 2 - 1
        t = t[:p_len + bound]
    else:
        bound = p_len // 2 - 1
        p = p[:t_len + bound]
    common = 0
    while common < len(p) and common < len(t) and p[common] == t[common]:
        common += 1
    p, t = p[common:], t[common:]
    transpositions = 0
    if p and t:
        taken = [False] * len(p)
        matched_t: list[int] = []
        for j, char in enumerate(t):
            for i in range(max(0, j - bound), min(len(p), j + bound + 1)):
                if not taken[i] and p[i] == char:
                    taken[i] = True
                    matched_t.append(j)
                    break
        common += len(matched_t)
        if not common:
            return 0.0
        matched_p = [p[i] for i in range(len(p)) if taken[i]]
        transpositions = sum(1 for char, j in zip(matched_p, matched_t, strict=True) if t[j] != char)
    similarity = 0.0
    similarity += common / p_len
    similarity += common / t_len
    similarity += (common - transpositions // 2) / common
    return similarity / 3.0

