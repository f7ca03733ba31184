"""Simulated firm panels with known production-function coefficients.

The designs follow, in spirit, the Monte Carlo of Ackerberg, Caves & Frazer
(2015, *Econometrica* 83(6), section 5): a value-added Cobb–Douglas technology,
Leontief in the intermediate input, AR(1) productivity, labour chosen with a
timing gap and/or optimisation error so that the ACF moments identify it, and
capital accumulated from investment decided on last period's productivity.
The numbers below are this module's own choices, not a replication of the
paper's tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError

_DESIGNS = ("DGP1", "DGP2", "DGP3")


def simulate_acf(
    n_firms: int = 1000,
    n_periods: int = 10,
    seed: int = 0,
    design: str = "DGP1",
    beta_l: float = 0.6,
    beta_k: float = 0.4,
    beta_0: float = 1.0,
    rho: float = 0.7,
    sigma_omega: float = 0.1**0.5,
    rho_wage: float = 0.3,
    sigma_wage: float = 0.1**0.5,
    sigma_opt: float = 0.37,
    sigma_eps: float = 0.1,
    delta: float = 0.2,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Simulate a balanced firm panel after the ACF (2015) Monte Carlo designs.

    After ACF (2015) DGP1–DGP3, with these conventions (all logs natural):

    * technology (value added, Leontief in materials):
      ``y = β0 + β_l l + β_k k + ω + ε``, ``ε ~ N(0, sigma_eps²)`` measurement
      error; materials ``m = β0 + β_l l + β_k k + ω + ln(0.5)`` (Leontief: M is
      proportional to the output produced before ε), hence strictly increasing
      in ω given (k, l).
    * productivity: AR(1) at the period frequency, ``ω_t = ρ ω_{t−1} + ξ_t``
      with stationary variance ``sigma_omega²``; ξ arrives in two halves so
      that ``ω_{t−½} = √ρ ω_{t−1} + a_t`` and ``ω_t = √ρ ω_{t−½} + b_t``,
      ``Var a = Var b`` (ACF's ``b = ½`` timing).
    * wages: ``w_t = rho_wage w_{t−1} + e_t``, firm specific, stationary
      variance ``sigma_wage²``.
    * labour: static first-order condition of ``max E[e^{ω_t}] L^{β_l} K^{β_k} − W L``
      given the information set at the time of choice:

      - ``DGP1``: chosen at ``t − ½`` on ``ω_{t−½}``, no optimisation error;
      - ``DGP2``: chosen at ``t`` on ``ω_t``, plus i.i.d. optimisation error
        ``N(0, sigma_opt²)``;
      - ``DGP3``: chosen at ``t − ½`` and with optimisation error.

    * capital: ``K_{t+1} = (1 − δ) K_t + I_t`` with investment
      ``ln I_t = ln δ + 0.2·2 + 0.8 k_t + 2 ω_t`` (strictly increasing in ω, mean
      reverting in k around ``k ≈ 2``), so ``k_t`` is decided at ``t − 1``;
      ``k_1 ~ N(2, 1)``; ``ω_0`` and ``w_0`` are drawn from their stationary
      laws, so every simulated period is stationary.

    Parameters
    ----------
    n_firms, n_periods : int
        Panel size (balanced).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same panel.
    design : {"DGP1", "DGP2", "DGP3"}
        Labour timing / optimisation error, as above.
    beta_l, beta_k, beta_0 : float
        True coefficients (``beta_l < 1``).
    rho, sigma_omega : float
        AR(1) coefficient and stationary standard deviation of ω.
    rho_wage, sigma_wage : float
        AR(1) coefficient and stationary standard deviation of log wages.
    sigma_opt : float
        Standard deviation of the labour optimisation error (DGP2, DGP3).
    sigma_eps : float
        Standard deviation of measurement error in output.
    delta : float
        Depreciation rate.

    Returns
    -------
    data : DataFrame
        ``id, period, y, l, k, m, i, omega``: ``y, l, k, m`` in logs, ``i`` the
        investment level (not logged), ``omega`` the true productivity.
    truth : dict
        ``{"l": beta_l, "k": beta_k, "const": beta_0}``.
    """
    if design not in _DESIGNS:
        raise DataError(f"design {design!r} unknown; choose one of {_DESIGNS}")
    if not 0 < beta_l < 1:
        raise DataError(f"beta_l must lie in (0, 1) for a labour demand to exist; got {beta_l}")
    if n_firms < 1 or n_periods < 1:
        raise DataError("n_firms and n_periods must be at least 1")
    rng = np.random.default_rng(seed)
    n, t_n = int(n_firms), int(n_periods)
    var_xi = sigma_omega**2 * (1.0 - rho**2)
    s_half = np.sqrt(var_xi / (1.0 + rho))  # Var ξ = ρ s² + s²
    sq = np.sqrt(rho)
    late = design in ("DGP1", "DGP3")
    opt_err = design in ("DGP2", "DGP3")
    sd_e = sigma_wage * np.sqrt(1.0 - rho_wage**2)

    shape = (n, t_n)
    y = np.empty(shape)
    lab = np.empty(shape)
    cap = np.empty(shape)
    mat = np.empty(shape)
    inv = np.empty(shape)
    omg = np.empty(shape)

    omega = rng.normal(0.0, sigma_omega, n)
    wage = rng.normal(0.0, sigma_wage, n)
    k = rng.normal(2.0, 1.0, n)
    for t in range(t_n):
        # ω and w start from a stationary draw at t = 0, so every period is stationary
        wage = rho_wage * wage + rng.normal(0.0, sd_e, n)
        omega_half = sq * omega + rng.normal(0.0, s_half, n)
        omega = sq * omega_half + rng.normal(0.0, s_half, n)
        # log E[e^{ω_t} | information when labour is chosen]
        e_omega = sq * omega_half + 0.5 * s_half**2 if late else omega
        lab_t = (np.log(beta_l) + beta_0 + e_omega + beta_k * k - wage) / (1.0 - beta_l)
        if opt_err:
            lab_t = lab_t + rng.normal(0.0, sigma_opt, n)
        core = beta_0 + beta_l * lab_t + beta_k * k + omega
        y[:, t] = core + rng.normal(0.0, sigma_eps, n)
        mat[:, t] = core + np.log(0.5)
        lab[:, t] = lab_t
        cap[:, t] = k
        omg[:, t] = omega
        invest = np.exp(np.log(delta) + 0.2 * 2.0 + 0.8 * k + 2.0 * omega)
        inv[:, t] = invest
        k = np.log((1.0 - delta) * np.exp(k) + invest)

    data = pd.DataFrame(
        {
            "id": np.repeat(np.arange(1, n + 1), t_n),
            "period": np.tile(np.arange(1, t_n + 1), n),
            "y": y.ravel(),
            "l": lab.ravel(),
            "k": cap.ravel(),
            "m": mat.ravel(),
            "i": inv.ravel(),
            "omega": omg.ravel(),
        }
    )
    truth = {"l": float(beta_l), "k": float(beta_k), "const": float(beta_0)}
    data.attrs["truth"] = dict(truth)
    data.attrs["design"] = design
    return data, truth
