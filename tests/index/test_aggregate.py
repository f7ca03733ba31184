"""Tests of nqpf.index.aggregate: hand-derived numbers, a published TOPSIS example,
missing-data handling, reference sets and invariants."""


import numpy as np
import pytest

from nqpf.errors import DataError
from nqpf.index.aggregate import METHODS, AggregateResult, aggregate, mpi_standardise

NAN = np.nan

# ------------------------------------------------------------------------------------
# Weighted means


def test_sum_hand_with_zero_constant_column_and_missing_cell():
    Z = np.array([[0.2, 0.4, 1.0], [0.6, 0.0, 1.0], [1.0, NAN, 1.0]])
    w = np.array([0.5, 0.3, 0.2])
    r = aggregate(Z, w, "sum")
    # 0.1+0.12+0.2 ; 0.3+0+0.2 ; (0.5*1+0.2*1)/0.7 (weights renormalised)
    np.testing.assert_allclose(r.scores, [0.42, 0.5, 1.0])
    np.testing.assert_allclose(r.details["observed_share"], [1.0, 1.0, 0.7])
    assert r.details["insufficient"].size == 0
    assert isinstance(r, AggregateResult) and r.method == "sum"


def test_geometric_hand_and_zero_raises_with_advice():
    w = np.array([0.5, 0.5])
    r = aggregate(np.array([[0.25, 1.0], [0.5, 0.5]]), w, "geometric")
    np.testing.assert_allclose(r.scores, [0.5, 0.5])
    r = aggregate(np.array([[0.25, 1.0]]), np.array([0.5, 0.5]), "geometric")
    np.testing.assert_allclose(r.scores, [0.5])
    with pytest.raises(DataError, match=r"observation 1, column 0") as exc:
        aggregate(np.array([[0.25, 1.0], [0.0, 0.5]]), w, "geometric")
    msg = str(exc.value)
    assert "min-max" in msg.lower() and "shift" in msg and "0.002" in msg and "sum" in msg


def test_geometric_shift_hand():
    Z = np.array([[0.0, 0.75], [2.75, 0.75]])
    r = aggregate(Z, [0.5, 0.5], "geometric", zeros="shift", shift=0.25)
    # shifted rows (0.25, 1) and (3, 1)
    np.testing.assert_allclose(r.scores, [0.5, np.sqrt(3.0)])
    assert r.details["shift"] == 0.25
    r = aggregate(Z, [0.5, 0.5], "geometric", zeros="shift")
    np.testing.assert_allclose(r.scores[0], np.sqrt(1e-4 * 0.7501))
    with pytest.raises(DataError, match="negative"):
        aggregate(np.array([[-0.1, 0.5]]), [0.5, 0.5], "geometric", zeros="shift")


def test_geometric_ignores_zero_in_zero_weight_column():
    r = aggregate(np.array([[0.0, 0.64]]), [0.0, 1.0], "geometric")
    np.testing.assert_allclose(r.scores, [0.64])


def test_harmonic_hand_and_zero_raises():
    r = aggregate(np.array([[0.5, 0.25], [0.5, 1.0]]), [0.5, 0.5], "harmonic")
    # 1/(0.5/0.5 + 0.5/0.25) = 1/3 ; 1/(1 + 0.5) = 2/3
    np.testing.assert_allclose(r.scores, [1 / 3, 2 / 3])
    r = aggregate(np.array([[0.5, 1.0]]), [0.25, 0.75], "harmonic")
    np.testing.assert_allclose(r.scores, [0.8])  # 1/(0.5 + 0.75)
    with pytest.raises(DataError, match="zeros='shift'"):
        aggregate(np.array([[0.0, 1.0]]), [0.5, 0.5], "harmonic")


def test_generalised_hand_and_special_cases():
    r = aggregate(np.array([[0.6, 0.8]]), [0.5, 0.5], "generalised", r=2)
    np.testing.assert_allclose(r.scores, [np.sqrt(0.5)])
    rng = np.random.default_rng(1)
    Z = rng.uniform(0.1, 1.0, (6, 4))
    Z[2, 1] = NAN
    w = np.array([0.1, 0.2, 0.3, 0.4])
    for rr, m in [(1, "sum"), (0, "geometric"), (-1, "harmonic")]:
        np.testing.assert_allclose(
            aggregate(Z, w, "generalised", r=rr).scores, aggregate(Z, w, m).scores
        )
    # zeros are harmless for r > 0: (0.5*0^2 + 0.5*1^2)^(1/2)
    r = aggregate(np.array([[0.0, 1.0]]), [0.5, 0.5], "generalised", r=2)
    np.testing.assert_allclose(r.scores, [np.sqrt(0.5)])
    with pytest.raises(DataError, match="needs the exponent r"):
        aggregate(Z, w, "generalised")


def test_power_mean_inequality():
    rng = np.random.default_rng(2)
    Z = rng.uniform(0.05, 1.0, (50, 5))
    w = rng.dirichlet(np.ones(5))
    h = aggregate(Z, w, "harmonic").scores
    g = aggregate(Z, w, "geometric").scores
    a = aggregate(Z, w, "sum").scores
    q = aggregate(Z, w, "generalised", r=2).scores
    assert np.all(h <= g + 1e-12) and np.all(g <= a + 1e-12) and np.all(a <= q + 1e-12)


def test_means_refuse_cost_directions():
    with pytest.raises(DataError, match="direction-adjusted"):
        aggregate(np.ones((2, 2)), [0.5, 0.5], "sum", directions=[1, -1])


# ------------------------------------------------------------------------------------
# Missing cells


def test_one_missing_cell_only_affects_its_own_observation_for_means():
    rng = np.random.default_rng(3)
    Z = rng.uniform(0.1, 1.0, (10, 4))
    w = np.array([0.4, 0.3, 0.2, 0.1])
    Zm = Z.copy()
    Zm[4, 2] = NAN
    for method, kw in [
        ("sum", {}),
        ("geometric", {}),
        ("harmonic", {}),
        ("generalised", {"r": 0.5}),
    ]:
        full = aggregate(Z, w, method, **kw).scores
        part = aggregate(Zm, w, method, **kw).scores
        others = np.arange(10) != 4
        np.testing.assert_allclose(part[others], full[others])
        assert np.isfinite(part).all()
        assert part[4] != pytest.approx(full[4])


def test_one_missing_cell_never_spreads_nan_in_reference_set_methods():
    rng = np.random.default_rng(4)
    Z = rng.uniform(0.0, 1.0, (12, 4))
    w = np.array([0.25, 0.25, 0.25, 0.25])
    col = Z[:, 1]
    i = int(np.argsort(col)[5])  # neither the column max nor min: ideal points unchanged
    Zm = Z.copy()
    Zm[i, 1] = NAN
    others = np.arange(12) != i
    for method in ["topsis", "vikor"]:
        full = aggregate(Z, w, method).scores
        part = aggregate(Zm, w, method).scores
        assert np.isfinite(part).all(), method
        if method == "topsis":  # VIKOR's S*, R* may move with one observation's S
            np.testing.assert_allclose(part[others], full[others])
    for method in ["gra", "mpi", "copeland"]:
        part = aggregate(Zm, w, method).scores
        assert np.isfinite(part).all(), method
    # GRA: Δmax is attained at a column minimum, which stays observed
    np.testing.assert_allclose(
        aggregate(Zm, w, "gra").scores[others], aggregate(Z, w, "gra").scores[others]
    )


def test_missing_error_names_observation_and_column():
    Z = np.array([[0.2, 0.4], [0.6, NAN]])
    with pytest.raises(DataError, match=r"observation 1, column 1"):
        aggregate(Z, [0.5, 0.5], "sum", missing="error")
    # a missing cell of a zero-weight child is not an error
    r = aggregate(Z, [1.0, 0.0], "sum", missing="error")
    np.testing.assert_allclose(r.scores, [0.2, 0.6])


def test_insufficient_observed_share_gives_nan_and_is_listed():
    Z = np.array([[0.2, 0.4, 0.6], [NAN, NAN, 0.5], [0.1, NAN, NAN]])
    w = np.array([0.3, 0.3, 0.4])
    r = aggregate(Z, w, "sum")
    np.testing.assert_allclose(r.scores[0], 0.06 + 0.12 + 0.24)
    # observed shares 0.4 and 0.3 fall below the default min_share 0.5
    assert np.isnan(r.scores[1]) and np.isnan(r.scores[2])
    assert r.details["insufficient"].tolist() == [1, 2]
    r = aggregate(Z, w, "sum", min_share=0.35)
    np.testing.assert_allclose(r.scores, [0.42, 0.5, NAN])
    assert r.details["insufficient"].tolist() == [2]
    r = aggregate(np.array([[NAN, NAN]]), [0.5, 0.5], "topsis", min_share=0.0)
    assert np.isnan(r.scores[0])


# ------------------------------------------------------------------------------------
# TOPSIS


def test_topsis_hwang_yoon_fighter_aircraft_example():
    """Hwang & Yoon (1981), Multiple Attribute Decision Making, LNEMS 186, p. 133.

    Four fighter aircraft on six attributes (maximum speed, ferry range, maximum
    payload, acquisition cost [cost], reliability, manoeuvrability), weights
    (0.2, 0.1, 0.1, 0.1, 0.2, 0.3), vector normalisation; published relative
    closeness C* = 0.643, 0.268, 0.613, 0.312.
    """
    X = np.array(
        [
            [2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5],
        ]
    )
    w = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
    d = np.array([1, 1, 1, -1, 1, 1])
    R = X / np.sqrt((X**2).sum(axis=0))
    r = aggregate(R, w, "topsis", directions=d)
    # the book rounds intermediate tables, so its 3-decimal values differ by < 1e-3
    np.testing.assert_allclose(r.scores, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    # separations without intermediate rounding (checked by hand from the table)
    dp = [0.05456, 0.11968, 0.05798, 0.10094]
    dm = [0.09838, 0.04390, 0.09204, 0.04584]
    np.testing.assert_allclose(r.details["d_plus"], dp, atol=1e-5)
    np.testing.assert_allclose(r.details["d_minus"], dm, atol=1e-5)
    assert np.argsort(-r.scores).tolist() == [0, 2, 3, 1]
    # the ideal takes the cheapest aircraft (A3) on cost, the maxima elsewhere
    V = R * w
    np.testing.assert_allclose(r.details["ideal"][0, 3], V[2, 3])
    np.testing.assert_allclose(r.details["anti_ideal"][0, 3], V[1, 3])
    np.testing.assert_allclose(r.details["ideal"][0, [0, 5]], [V[1, 0], V[0, 5]])
    # direction-adjusting the cost column instead (1 - r) gives the same closeness
    R2 = R.copy()
    R2[:, 3] = 1.0 - R2[:, 3]
    np.testing.assert_allclose(aggregate(R2, w, "topsis").scores, r.scores)


def test_topsis_hand_with_constant_column_and_missing_cell():
    Z = np.array([[1.0, 0.0, 0.3], [0.5, 1.0, 0.3], [0.0, 0.5, 0.3], [0.5, NAN, 0.3]])
    w = np.array([0.5, 0.3, 0.2])
    r = aggregate(Z, w, "topsis")
    # V ideal (0.5, 0.3, 0.06), anti-ideal (0, 0, 0.06)
    dp = [0.3, 0.25, np.sqrt(0.25 + 0.0225), 0.25]
    dm = [0.5, np.sqrt(0.0625 + 0.09), 0.15, 0.25]
    np.testing.assert_allclose(r.details["d_plus"], dp)
    np.testing.assert_allclose(r.details["d_minus"], dm)
    c1 = np.sqrt(0.1525) / (0.25 + np.sqrt(0.1525))
    c2 = 0.15 / (np.sqrt(0.2725) + 0.15)
    np.testing.assert_allclose(r.scores, [0.625, c1, c2, 0.5])
    np.testing.assert_allclose(r.scores[1:3], [0.609688, 0.223209], atol=1e-6)
    np.testing.assert_allclose(r.details["ideal"], [[0.5, 0.3, 0.06]])
    np.testing.assert_allclose(r.details["anti_ideal"], [[0.0, 0.0, 0.06]])


def test_topsis_identical_units_tie_at_half():
    r = aggregate(np.full((3, 2), 0.4), [0.5, 0.5], "topsis")
    np.testing.assert_allclose(r.scores, [0.5, 0.5, 0.5])
    assert r.details["tied"].tolist() == [0, 1, 2]


def test_per_period_versus_pooled_ideal_points():
    Z = np.array([[0.2], [0.4], [0.6], [0.8]])
    period = np.array([0, 0, 1, 1])
    pooled = aggregate(Z, [1.0], "topsis", groups=np.zeros(4, dtype=int))
    per = aggregate(Z, [1.0], "topsis", groups=period)
    np.testing.assert_allclose(pooled.scores, [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(per.scores, [0, 1, 0, 1])
    np.testing.assert_allclose(per.details["ideal"], [[0.4], [0.8]])
    assert per.details["group_index"].tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(aggregate(Z, [1.0], "topsis").scores, pooled.scores)
    # GRA: pooled reference 0.8, Δ = 0.6, 0.4, 0.2, 0 -> ξ = 0.3/(Δ + 0.3)
    g_pooled = aggregate(Z, [1.0], "gra")
    np.testing.assert_allclose(g_pooled.scores, [1 / 3, 3 / 7, 0.6, 1.0])
    g_per = aggregate(Z, [1.0], "gra", groups=period)
    np.testing.assert_allclose(g_per.scores, [1 / 3, 1.0, 1 / 3, 1.0])
    # groups need not be sorted or contiguous
    shuffled = aggregate(Z[[2, 0, 3, 1]], [1.0], "topsis", groups=period[[2, 0, 3, 1]])
    np.testing.assert_allclose(shuffled.scores, per.scores[[2, 0, 3, 1]])


# ------------------------------------------------------------------------------------
# GRA


def test_gra_hand_with_constant_column_and_missing_cell():
    Z = np.array([[1.0, 0.0, 0.7], [0.5, 1.0, 0.7], [0.0, 0.5, 0.7], [0.25, NAN, 0.7]])
    w = np.array([0.5, 0.3, 0.2])
    r = aggregate(Z, w, "gra")  # rho = 0.5: ξ = 0.5 / (Δ + 0.5), Δmin 0, Δmax 1
    np.testing.assert_allclose(r.details["reference"], [[1.0, 1.0, 0.7]])
    assert r.details["dmin"].tolist() == [0.0] and r.details["dmax"].tolist() == [1.0]
    xi = r.details["xi"]
    np.testing.assert_allclose(xi[:3], [[1, 1 / 3, 1], [0.5, 1, 1], [1 / 3, 0.5, 1]])
    np.testing.assert_allclose(xi[3, [0, 2]], [0.4, 1.0])
    assert np.isnan(xi[3, 1])
    np.testing.assert_allclose(r.scores, [0.8, 0.75, 1 / 6 + 0.35, 0.4 / 0.7])
    r1 = aggregate(Z, w, "gra", rho=1.0)  # ξ = 1 / (Δ + 1)
    np.testing.assert_allclose(r1.scores[0], 0.5 + 0.15 + 0.2)
    with pytest.raises(DataError, match="rho"):
        aggregate(Z, w, "gra", rho=0.0)


def test_gra_all_equal_gives_grade_one():
    r = aggregate(np.full((2, 2), 0.3), [0.5, 0.5], "gra")
    np.testing.assert_allclose(r.scores, [1.0, 1.0])


# ------------------------------------------------------------------------------------
# VIKOR


def test_vikor_hand():
    Z = np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0]])
    w = np.array([0.6, 0.4])
    r = aggregate(Z, w, "vikor")
    # S = (0.4, 0.4, 0.6), R = (0.4, 0.24, 0.6); Q = 0.5 ΔS/0.2 + 0.5 ΔR/0.36
    np.testing.assert_allclose(r.details["S"], [0.4, 0.4, 0.6])
    np.testing.assert_allclose(r.details["R"], [0.4, 0.24, 0.6])
    np.testing.assert_allclose(r.details["Q"], [2 / 9, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(r.scores, [7 / 9, 1.0, 0.0], atol=1e-12)
    r1 = aggregate(Z, w, "vikor", v=1.0)
    np.testing.assert_allclose(r1.scores, [1.0, 1.0, 0.0], atol=1e-12)
    # a constant child adds no regret; S and R shrink by 0.8, Q is unchanged
    Zc = np.column_stack([Z, np.full(3, 0.5)])
    rc = aggregate(Zc, [0.48, 0.32, 0.2], "vikor")
    np.testing.assert_allclose(rc.scores, r.scores, atol=1e-12)
    np.testing.assert_allclose(rc.details["S"], 0.8 * r.details["S"])


def test_vikor_missing_cell_and_degenerate_ties():
    Z = np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0], [0.5, NAN]])
    r = aggregate(Z, [0.6, 0.4], "vikor")
    # row 3: weight renormalised to (1, 0): S = R = 0.5; S* 0.4, S- 0.6, R* 0.24, R- 0.6
    np.testing.assert_allclose(r.details["S"][3], 0.5)
    np.testing.assert_allclose(r.scores, [7 / 9, 1.0, 0.0, 1 - (0.25 + 0.5 * 0.26 / 0.36)])
    same = aggregate(np.array([[0.3, 0.7], [0.3, 0.7]]), [0.5, 0.5], "vikor")
    np.testing.assert_allclose(same.scores, [1.0, 1.0])
    assert same.details["degenerate_S"].tolist() == [0]


# ------------------------------------------------------------------------------------
# MPI


def test_mpi_hand_equal_weights():
    X = np.array([[0.0, 3.0], [0.0, 1.0], [2.0, 1.0], [2.0, 3.0]])
    r = aggregate(X, [0.5, 0.5], "mpi")
    # population SD 1 in both columns: standardised (90,110),(90,90),(110,90),(110,110)
    np.testing.assert_allclose(
        r.details["standardised"], [[90, 110], [90, 90], [110, 90], [110, 110]]
    )
    np.testing.assert_allclose(r.details["M"], [100, 90, 100, 110])
    np.testing.assert_allclose(r.details["S"], [10, 0, 10, 0], atol=1e-12)
    np.testing.assert_allclose(r.scores, [99.0, 90.0, 99.0, 110.0])
    rn = aggregate(X, [0.5, 0.5], "mpi", polarity="negative")
    np.testing.assert_allclose(rn.scores, [101.0, 90.0, 101.0, 110.0])


def test_mpi_hand_unequal_weights_and_constant_column():
    X = np.array([[0.0, 3.0, 7.0], [0.0, 1.0, 7.0], [2.0, 1.0, 7.0], [2.0, 3.0, 7.0]])
    r = aggregate(X, [0.25, 0.25, 0.5], "mpi")
    np.testing.assert_allclose(r.details["standardised"][:, 2], 100.0)
    assert r.details["constant"].tolist() == [[False, False, True]]
    np.testing.assert_allclose(r.details["M"], [100, 95, 100, 105])
    np.testing.assert_allclose(r.details["S"], [np.sqrt(50), 5, np.sqrt(50), 5])
    np.testing.assert_allclose(r.scores, [99.5, 95 - 25 / 95, 99.5, 105 - 25 / 105])


def test_mpi_standardise_directions_ddof_and_missing():
    X = np.array([[0.0], [0.0], [2.0], [2.0]])
    np.testing.assert_allclose(mpi_standardise(X).ravel(), [90, 90, 110, 110])
    np.testing.assert_allclose(mpi_standardise(X, directions=[-1]).ravel(), [110, 110, 90, 90])
    s1 = 10 / np.sqrt(4 / 3)  # sample SD sqrt(4/3)
    np.testing.assert_allclose(
        mpi_standardise(X, ddof=1).ravel(), [100 - s1, 100 - s1, 100 + s1, 100 + s1]
    )
    Xm = np.array([[0.0], [NAN], [2.0], [1.0]])  # mean 1, population SD sqrt(2/3)
    out = mpi_standardise(Xm).ravel()
    assert np.isnan(out[1])
    k = 10 / np.sqrt(2 / 3)
    np.testing.assert_allclose(out[[0, 2, 3]], [100 - k, 100 + k, 100])
    per = mpi_standardise(np.array([[0.0], [2.0], [10.0], [30.0]]), groups=[0, 0, 1, 1])
    np.testing.assert_allclose(per.ravel(), [90, 110, 90, 110])


# ------------------------------------------------------------------------------------
# Copeland


def test_copeland_three_alternatives_by_hand():
    Z = np.array([[0.9, 0.1, 0.5], [0.5, 0.5, 0.5], [0.1, 0.9, 0.6]])
    r = aggregate(Z, [0.4, 0.35, 0.25], "copeland")
    # A-B: +0.4-0.35 -> A; A-C: 0.4-0.35-0.25 -> C; B-C: -> C
    np.testing.assert_allclose(r.scores, [0, -2, 2])
    np.testing.assert_allclose(r.details["wins"], [1, 0, 2])
    # with (0.5, 0.3, 0.2): A beats B by 0.2; A-C and B-C margins are 0 (float -5.6e-17)
    r = aggregate(Z, [0.5, 0.3, 0.2], "copeland")
    np.testing.assert_allclose(r.scores, [1, -1, 0])
    np.testing.assert_allclose(r.details["ties"], [1, 1, 2])
    # speed as a cost: A loses to B and C, B loses to C
    r = aggregate(Z, [0.4, 0.35, 0.25], "copeland", directions=[-1, 1, 1])
    np.testing.assert_allclose(r.scores, [-2, 0, 2])


def _copeland_brute(Z, w, groups):
    n = len(Z)
    out = np.zeros(n)
    for a in range(n):
        for b in range(n):
            if a == b or groups[a] != groups[b]:
                continue
            both = ~np.isnan(Z[a]) & ~np.isnan(Z[b])
            m = np.sum(w[both] * np.sign(Z[a, both] - Z[b, both]))
            out[a] += 1 if m > 1e-12 else (-1 if m < -1e-12 else 0)
    return out


def test_copeland_chunks_groups_and_missing_match_brute_force():
    rng = np.random.default_rng(5)
    Z = np.round(rng.uniform(0, 1, (40, 5)), 1)  # rounding creates ties
    Z[3, 2] = NAN
    Z[17, 0] = NAN
    w = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    groups = rng.integers(0, 3, 40)
    expect = _copeland_brute(Z, w, groups)
    r_big = aggregate(Z, w, "copeland", groups=groups)
    r_small = aggregate(Z, w, "copeland", groups=groups, chunk_bytes=200)
    np.testing.assert_array_equal(r_big.scores, expect)
    np.testing.assert_array_equal(r_small.scores, expect)


# ------------------------------------------------------------------------------------
# Dispatcher and validation


def test_unknown_method_lists_valid_names():
    with pytest.raises(DataError) as exc:
        aggregate(np.ones((2, 2)), [0.5, 0.5], "wsm")
    for name in METHODS:
        assert name in str(exc.value)


@pytest.mark.parametrize(
    ("w", "pattern"),
    [([0.5, 0.6], "sum to 1"), ([1.2, -0.2], "non-negative"), ([0.5], "one weight per column")],
)
def test_invalid_weights(w, pattern):
    with pytest.raises(DataError, match=pattern):
        aggregate(np.ones((2, 2)), w, "sum")


def test_other_validation_errors():
    with pytest.raises(DataError, match="unknown option"):
        aggregate(np.ones((2, 2)), [0.5, 0.5], "topsis", alpha=0.5)
    r = aggregate(np.ones((2, 2)), [0.5, 0.5], "topsis", rho=0.5)  # a GRA option
    assert r.params["ignored_options"] == ["rho"]
    with pytest.raises(DataError, match="infinite"):
        aggregate(np.array([[1.0, np.inf]]), [0.5, 0.5], "sum")
    with pytest.raises(DataError, match="directions"):
        aggregate(np.ones((2, 2)), [0.5, 0.5], "topsis", directions=[1, 0])
    with pytest.raises(DataError, match="groups"):
        aggregate(np.ones((2, 2)), [0.5, 0.5], "topsis", groups=[0.5, 1.5])
    with pytest.raises(DataError, match="missing"):
        aggregate(np.ones((2, 2)), [0.5, 0.5], "sum", missing="drop")


def test_inputs_not_modified_and_empty_input():
    Z = np.array([[0.2, NAN], [0.6, 0.3], [0.1, 0.9]])
    w = np.array([0.5, 0.5])
    Z0, w0 = Z.copy(), w.copy()
    for m in METHODS:
        aggregate(Z, w, m, **({"r": 2} if m == "generalised" else {}))
    np.testing.assert_array_equal(Z, Z0)
    np.testing.assert_array_equal(w, w0)
    assert aggregate(np.empty((0, 2)), w, "topsis").scores.shape == (0,)


def test_dominated_alternative_never_scores_higher():
    rng = np.random.default_rng(6)
    for _ in range(20):
        Z = rng.uniform(0.05, 0.9, (15, 4))
        better = Z[0] + rng.uniform(0, 0.1, 4) * (rng.random(4) < 0.7)
        Z = np.vstack([Z, better])  # row 15 dominates row 0
        w = rng.dirichlet(np.ones(4))
        for m in ["sum", "geometric", "topsis", "gra", "vikor", "mpi", "copeland"]:
            s = aggregate(Z, w, m).scores
            assert s[15] >= s[0] - 1e-12, m


def test_topsis_and_sum_75000_by_40():
    """The size of bench/bench_index.py's case (b), where the timing lives: results only."""
    rng = np.random.default_rng(7)
    Z = rng.random((75_000, 40))
    Z[rng.random(Z.shape) < 0.01] = NAN
    w = np.full(40, 1 / 40)
    groups = np.tile(np.arange(15), 5_000)
    s1 = aggregate(Z, w, "topsis", groups=groups).scores
    s2 = aggregate(Z, w, "sum").scores
    assert np.isfinite(s1).all() and np.isfinite(s2).all()
    assert (s1 >= 0).all() and (s1 <= 1).all()
    complete = ~np.isnan(Z).any(axis=1)
    np.testing.assert_allclose(s2[complete], Z[complete] @ w, rtol=0, atol=1e-12)
    # groups are independent: one group's TOPSIS scores alone are the same
    g3 = groups == 3
    alone = aggregate(Z[g3], w, "topsis", groups=np.zeros(g3.sum(), dtype=int)).scores
    np.testing.assert_allclose(s1[g3], alone, rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------------
# Fast path for complete data, keep_arrays


def _big_z(seed: int, n: int = 6000, k: int = 25) -> np.ndarray:
    """Min-max-like scores, 150,000 values: more than one row block of the fast path."""
    rng = np.random.default_rng(seed)
    Z = rng.random((n, k))
    Z[rng.random(Z.shape) < 0.001] = 0.0
    return Z


_FAST_METHODS = ["sum", "geometric", "topsis", "gra", "vikor", "mpi"]


@pytest.mark.parametrize("method", _FAST_METHODS)
@pytest.mark.parametrize("pooled", [True, False])
def test_complete_fast_path_equals_nan_aware_path(method, pooled):
    # an extra all-NaN observation changes no reference statistic (ideal points, MPI
    # moments, GRA deltas, VIKOR best/worst over sufficient observations): it is
    # scored NaN, and every other score must equal the complete-data fast path
    Z = _big_z(31)
    rng = np.random.default_rng(32)
    w = rng.dirichlet(np.ones(25))
    groups = np.zeros(6000, int) if pooled else np.tile(np.arange(15), 400)
    gap = np.vstack([Z[:3000], np.full((1, 25), NAN), Z[3000:]])
    g_gap = np.insert(groups, 3000, groups[0])
    kw = {"zeros": "shift"} if method == "geometric" else {}
    fast = aggregate(Z, w, method, groups=groups, **kw)
    slow = aggregate(gap, w, method, groups=g_gap, **kw)
    assert np.isnan(slow.scores[3000]) and slow.details["insufficient"].tolist() == [3000]
    np.testing.assert_allclose(np.delete(slow.scores, 3000), fast.scores, rtol=1e-12, atol=1e-13)
    assert np.isfinite(fast.scores).all() and fast.details["insufficient"].size == 0


def test_topsis_fast_path_matches_textbook_formula_with_cost_columns():
    Z = _big_z(33)
    d = np.where(np.arange(25) % 4 == 0, -1, 1)
    w = np.random.default_rng(34).dirichlet(np.ones(25))
    r = aggregate(Z, w, "topsis", directions=d)
    V = Z * w
    ideal = np.where(d > 0, V.max(axis=0), V.min(axis=0))
    anti = np.where(d > 0, V.min(axis=0), V.max(axis=0))
    dp = np.sqrt(((V - ideal) ** 2).sum(axis=1))
    dm = np.sqrt(((V - anti) ** 2).sum(axis=1))
    np.testing.assert_allclose(r.details["d_plus"], dp, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(r.details["d_minus"], dm, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(r.scores, dm / (dp + dm), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(r.details["ideal"], ideal[None, :], rtol=1e-15)
    np.testing.assert_array_equal(r.details["V"], V)


@pytest.mark.parametrize(
    "method, dropped", [("topsis", {"V"}), ("gra", {"xi", "delta"}), ("mpi", {"standardised"})]
)
def test_keep_arrays_false_drops_only_the_observation_by_child_arrays(method, dropped):
    Z = _big_z(35, n=500, k=6)
    Z[7, 2] = NAN
    w = np.full(6, 1 / 6)
    groups = np.tile(np.arange(5), 100)
    full = aggregate(Z, w, method, groups=groups)
    lean = aggregate(Z, w, method, groups=groups, keep_arrays=False)
    np.testing.assert_array_equal(full.scores, lean.scores)
    assert set(full.details) - set(lean.details) == dropped
    assert dropped <= set(full.details)
    for key, val in lean.details.items():
        np.testing.assert_array_equal(np.asarray(val), np.asarray(full.details[key]))
    for key in dropped:
        assert full.details[key].shape == Z.shape


def test_fast_path_uses_a_read_only_input_without_change_and_one_label_groups():
    Z = _big_z(36)
    Z.flags.writeable = False
    before = Z.copy()
    w = np.full(25, 1 / 25)
    r = aggregate(Z, w, "topsis", groups=np.full(6000, 7))  # one reference set, label 7
    np.testing.assert_array_equal(Z, before)
    assert r.details["group_labels"].tolist() == [7] and r.params["n_groups"] == 1
    assert (r.details["group_index"] == 0).all()
    np.testing.assert_array_equal(r.scores, aggregate(Z, w, "topsis").scores)
    np.testing.assert_allclose(r.details["observed_share"], 1.0, rtol=1e-15)
    bad = Z.copy()
    bad[5999, 24] = np.inf
    with pytest.raises(DataError, match="observation 5999, column 24"):
        aggregate(bad, w, "topsis")
