"""Accept, review or reject: what happens to a reference's best register candidate.

A probability alone is not enough for a person register: two candidates can both score high
(a common name, same year, same commune), and choosing one of them would be a coin toss. So a
candidate is accepted only when it is probable *and* clearly ahead of the runner-up, measured
in match weight (bits of evidence); a close second sends the reference to an officer.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCEPT, REVIEW, REJECT = "accept", "review", "reject"


@dataclass(frozen=True)
class LinkBands:
    accept_probability: float = 0.99
    review_probability: float = 0.5
    min_margin_weight: float = 5.0
    outside_share: float = 0.02
    """The share of references whose person is not among their candidates (not in the register,
    or missed by blocking): the weight left for "none of these" when candidates are compared."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_probability <= self.accept_probability <= 1.0:
            raise ValueError("link thresholds must satisfy 0 <= review <= accept <= 1")

    def band(self, probability: float, weight: float, runner_up_weight: float | None) -> str:
        clear = runner_up_weight is None or weight - runner_up_weight >= self.min_margin_weight
        if probability >= self.accept_probability and clear:
            return ACCEPT
        if probability >= self.review_probability:
            return REVIEW
        return REJECT

    def sql(self, probability: str, weight: str, runner_up_weight: str) -> str:
        """The same decision as `band`, as a SQL CASE over the named columns."""
        clear = f"({runner_up_weight} IS NULL OR {weight} - {runner_up_weight} >= {float(self.min_margin_weight)})"
        return (f"CASE WHEN {probability} >= {float(self.accept_probability)} AND {clear} THEN '{ACCEPT}' "
                f"WHEN {probability} >= {float(self.review_probability)} THEN '{REVIEW}' ELSE '{REJECT}' END")
