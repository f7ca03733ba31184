"""Statistics of finite Markov chains: steady states, mean first passage times, tests.

NumPy and SciPy only. The conventions follow PySAL giddy (Rey et al.), which the tests use
as an oracle:

* A row of zeros in a transition matrix (a class never left nor entered in the data) is
  made absorbing (``P[i, i] = 1``), giddy's ``fill_empty_classes=True``.
* :func:`steady_states` gives one stationary distribution per recurrent class (closed
  communicating class; Kemeny and Snell 1976, ch. 2), each zero outside its class, in
  the order of the classes' smallest state. An irreducible chain has one row.
* :func:`first_passage_times`: ``M[i, j]`` is the expected number of steps to reach
  ``j`` from ``i`` (``i != j``), and the mean recurrence time for ``i == j``
  (Kemeny and Snell 1976, Theorem 4.4.4 for ergodic chains). Where ``j`` is reached
  from ``i`` with probability below one, the expectation is infinite (``inf``). For an
  ergodic chain this is Kemeny and Snell's ``(I - Z + E Z_dg) D``; giddy's reducible
  branch gives ``inf`` for a whole column when the matrix left after removing ``j`` is
  singular without an absorbing row, where this function solves the states that reach
  ``j`` surely.
* :func:`homogeneity`: Bickenbach and Bode (2003) Q and likelihood-ratio statistics for
  the hypothesis that several transition matrices (regimes) share one chain, with the
  degrees of freedom ``Σ_i (b_i − 1)(a_i − 1)``: ``b_i`` regimes with transitions out of
  class ``i`` and ``a_i`` non-zero cells in row ``i`` of the pooled matrix.
* :func:`chi2_test`: Pearson's χ² of the counts ``T1`` against the row totals of ``T1``
  times the probabilities of ``T2`` (Rey 2014's comparison of a conditional spatial
  Markov matrix with the pooled one), degrees of freedom ``(r1 − 1)(r2 − 1)`` with ``r``
  the rows with transitions.

References: Kemeny, J. G. and Snell, J. L. (1976), *Finite Markov Chains*, Springer;
Bickenbach, F. and Bode, E. (2003), "Evaluating the Markov property in studies of economic
convergence", *International Regional Science Review* 26(3), 363–392.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "HomogeneityResult",
    "chi2_test",
    "first_passage_times",
    "homogeneity",
    "recurrent_classes",
    "steady_states",
]


def _stochastic(p: np.ndarray) -> np.ndarray:
    """The matrix as floats, with rows of zeros made absorbing."""
    p = np.array(p, dtype=float)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise ValueError(f"a transition matrix must be square, not of shape {p.shape}")
    empty = p.sum(axis=1) == 0
    p[empty, empty] = 1.0
    return p


def recurrent_classes(p: np.ndarray) -> list[np.ndarray]:
    """The closed communicating classes of ``p`` (state indices), by smallest state."""
    from scipy.sparse.csgraph import connected_components

    p = _stochastic(p)
    n, labels = connected_components(p > 0, directed=True, connection="strong")
    classes = []
    for c in range(n):
        members = np.flatnonzero(labels == c)
        outside = np.setdiff1d(np.arange(p.shape[0]), members)
        if not (p[np.ix_(members, outside)] > 0).any():
            classes.append(members)
    return sorted(classes, key=lambda m: int(m[0]))


def _stationary_of(q: np.ndarray) -> np.ndarray:
    """The stationary distribution of an irreducible stochastic matrix."""
    k = q.shape[0]
    a = np.vstack([q.T - np.eye(k), np.ones((1, k))])
    b = np.zeros(k + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def steady_states(p: np.ndarray) -> np.ndarray:
    """Stationary distributions, one row per recurrent class (see the module notes).

    >>> steady_states([[.5, .25, .25], [.5, 0, .5], [.25, .25, .5]]).round(6)
    array([[0.4, 0.2, 0.4]])
    """
    p = _stochastic(p)
    rows = []
    for members in recurrent_classes(p):
        pi = np.zeros(p.shape[0])
        pi[members] = _stationary_of(p[np.ix_(members, members)])
        rows.append(pi)
    return np.vstack(rows)


def first_passage_times(p: np.ndarray) -> np.ndarray:
    """Mean first passage times ``M[i, j]`` (recurrence times on the diagonal).

    >>> first_passage_times([[.5, .25, .25], [.5, 0, .5], [.25, .25, .5]]).round(4)
    array([[2.5   , 4.    , 3.3333],
           [2.6667, 5.    , 2.6667],
           [3.3333, 4.    , 2.5   ]])
    """
    p = _stochastic(p)
    k = p.shape[0]
    out = np.full((k, k), np.inf)
    for j in range(k):
        others = np.delete(np.arange(k), j)
        q = p[np.ix_(others, others)]
        # probability of ever reaching j: h = q h + p[:, j]; solved on the states that can
        sure = _surely_reaching(p, j)[others]
        m = np.full(k - 1, np.inf)
        if sure.any():
            idx = np.flatnonzero(sure)
            a = np.eye(idx.size) - q[np.ix_(idx, idx)]
            m[idx] = np.linalg.solve(a, np.ones(idx.size))
        out[others, j] = m
        step = p[j, others]
        out[j, j] = 1.0 + (np.sum(step[step > 0] * m[step > 0]) if (step > 0).any() else 0.0)
    return out


def _surely_reaching(p: np.ndarray, j: int) -> np.ndarray:
    """States from which ``j`` is reached with probability one (``j`` itself included)."""
    k = p.shape[0]
    reach = np.zeros(k, dtype=bool)  # states that can reach j at all
    reach[j] = True
    grew = True
    while grew:
        new = reach | ((p[:, reach] > 0).any(axis=1))
        grew = bool((new != reach).any())
        reach = new
    # a state reaches j surely iff every path stays among states that can reach j and
    # it cannot drift into a closed set without j: drop states with a step outside
    sure = reach.copy()
    changed = True
    while changed:
        leak = sure & ((p[:, ~sure] > 0).any(axis=1))
        leak[j] = False
        changed = bool(leak.any())
        sure &= ~leak
    # a closed set without j inside `sure` is impossible: every state in it reaches j
    return sure


@dataclass(frozen=True)
class HomogeneityResult:
    """Bickenbach–Bode homogeneity test of several transition matrices."""

    Q: float
    LR: float
    dof: int

    @property
    def Q_p_value(self) -> float:  # noqa: N802 - the literature's name
        from scipy.stats import chi2

        return float(chi2.sf(self.Q, self.dof)) if self.dof > 0 else float("nan")

    @property
    def LR_p_value(self) -> float:  # noqa: N802 - the literature's name
        from scipy.stats import chi2

        return float(chi2.sf(self.LR, self.dof)) if self.dof > 0 else float("nan")


def homogeneity(matrices: np.ndarray) -> HomogeneityResult:
    """Q and LR statistics of Bickenbach and Bode (2003) for (m, k, k) transition counts.

    ``Q = Σ_m Σ_i n_i(m) Σ_j (p_ij(m) − p_ij)² / p_ij`` over cells with ``p_ij > 0``, and
    ``LR = 2 Σ_m Σ_ij n_ij(m) ln(p_ij(m) / p_ij)`` over cells with ``n_ij(m) > 0``;
    ``p_ij`` are the probabilities of the pooled counts.
    """
    m = np.asarray(matrices, dtype=float)
    if m.ndim != 3 or m.shape[1] != m.shape[2]:
        raise ValueError(f"expected (regimes, k, k) counts, not shape {m.shape}")
    pooled = m.sum(axis=0)
    n_i = pooled.sum(axis=1)
    p = pooled / np.where(n_i == 0, 1.0, n_i)[:, None]
    a_i = (pooled > 0).sum(axis=1)
    b_i = np.zeros(m.shape[1])
    q_stat = 0.0
    lr = 0.0
    for counts in m:
        n_im = counts.sum(axis=1)
        b_i += n_im > 0
        p_m = counts / np.where(n_im == 0, 1.0, n_im)[:, None]
        den = np.where(p == 0, 1.0, p)
        q_stat += float((n_im[:, None] * (p_m - p) ** 2 / den).sum())
        mask = (counts > 0) & (p > 0)
        lr += float((counts[mask] * np.log(p_m[mask] / p[mask])).sum())
    dof = int(((b_i - 1) * (a_i - 1)).sum())
    return HomogeneityResult(Q=q_stat, LR=2.0 * lr, dof=dof)


def chi2_test(t1: np.ndarray, t2: np.ndarray) -> tuple[float, float, int]:
    """Pearson χ² of counts ``t1`` against ``t2``'s probabilities: (statistic, p, dof)."""
    from scipy.stats import chi2

    t1 = np.asarray(t1, dtype=float)
    t2 = np.asarray(t2, dtype=float)
    rs1 = t1.sum(axis=1)
    rs2 = t2.sum(axis=1)
    dof = int(((rs1 > 0).sum() - 1) * ((rs2 > 0).sum() - 1))
    expected = rs1[:, None] * (t2 / np.where(rs2 == 0, 1.0, rs2)[:, None])
    stat = float(((t1 - expected) ** 2 / np.where(expected == 0, 1.0, expected)).sum())
    p_value = float(chi2.sf(stat, dof)) if dof > 0 else float("nan")
    return stat, p_value, dof
