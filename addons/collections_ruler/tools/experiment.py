"""Message experiments: is the difference between two texts' success rates more than noise?

A stage's channel can send two or more text variants. Each contact is a trial and a
contact whose debts were paid within the window is a success. Two variants are
compared with the two-proportion z-test on the pooled proportion (NIST/SEMATECH
e-Handbook of Statistical Methods, section 7.3.3 "How can we determine whether two
processes produce the same proportion of defectives?"):

    p = (x1 + x2) / (n1 + n2)
    z = (x1/n1 - x2/n2) / sqrt(p (1 - p) (1/n1 + 1/n2))

and the two-sided p-value erfc(|z| / sqrt 2). The normal approximation holds when each
variant has at least 5 successes and 5 failures (the handbook's n·p ≥ 5 rule); below
that the verdict is "not enough data yet", whatever z says.
"""

import math
from dataclasses import dataclass

MIN_EACH_OUTCOME = 5
DEFAULT_ALPHA = 0.05


class ExperimentError(ValueError):
    """Counts no test can be made of (negative, more successes than trials)."""


@dataclass(frozen=True)
class ProportionTest:
    """The outcome of comparing variant A with variant B."""

    successes_a: int
    trials_a: int
    successes_b: int
    trials_b: int
    rate_a: float
    rate_b: float
    z: float
    p_value: float
    enough_data: bool
    alpha: float = DEFAULT_ALPHA

    @property
    def difference(self) -> float:
        """Rate of A minus rate of B, in points of proportion (0.1 = ten percentage points)."""
        return self.rate_a - self.rate_b

    @property
    def significant(self) -> bool:
        """True when there is enough data and the difference is unlikely to be noise."""
        return self.enough_data and self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        """``not_enough_data``, ``a_better``, ``b_better`` or ``no_difference``."""
        if not self.enough_data:
            return "not_enough_data"
        if not self.significant:
            return "no_difference"
        return "a_better" if self.difference > 0 else "b_better"


def _check(successes, trials):
    if trials < 0 or successes < 0:
        raise ExperimentError(f"Counts cannot be negative: {successes} of {trials}.")
    if successes > trials:
        raise ExperimentError(f"More successes than trials: {successes} of {trials}.")


def two_proportion_test(successes_a, trials_a, successes_b, trials_b, alpha=DEFAULT_ALPHA) -> ProportionTest:
    """Pooled two-proportion z-test of A against B (two-sided)."""
    _check(successes_a, trials_a)
    _check(successes_b, trials_b)
    if not 0 < alpha < 1:
        raise ExperimentError(f"The significance level must be between 0 and 1, not {alpha}.")
    rate_a = successes_a / trials_a if trials_a else 0.0
    rate_b = successes_b / trials_b if trials_b else 0.0
    enough = all(
        count >= MIN_EACH_OUTCOME
        for count in (successes_a, trials_a - successes_a, successes_b, trials_b - successes_b)
    )
    z, p_value = 0.0, 1.0
    if trials_a and trials_b:
        pooled = (successes_a + successes_b) / (trials_a + trials_b)
        spread = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
        if spread:
            z = (rate_a - rate_b) / spread
            p_value = math.erfc(abs(z) / math.sqrt(2))
    return ProportionTest(successes_a, trials_a, successes_b, trials_b, rate_a, rate_b, z, p_value, enough, alpha)


def pick_variant(key: int, weights) -> int:
    """Index of the variant a contact gets, from its stable ``key`` (the contact's id) and the weights.

    The same key always gets the same variant (a retried contact keeps its text) and over many
    keys each variant gets its share of the weight. Weights of 0 never win; all 0 means the first.
    """
    weights = [max(int(weight), 0) for weight in weights]
    total = sum(weights)
    if not weights:
        raise ExperimentError("There is no variant to choose from.")
    if not total:
        return 0
    # Knuth's multiplicative hash spreads consecutive ids evenly over the total weight.
    point = (int(key) * 2654435761) % 2**32 * total // 2**32
    for index, weight in enumerate(weights):
        if point < weight:
            return index
        point -= weight
    return len(weights) - 1
