# %% [markdown]
# Green total factor productivity of the Chinese provinces, 2011–2019: an SBM model with
# CO2 as an undesirable output (Tone 2001; Fukuyama and Weber 2009) on the global frontier,
# and the global Malmquist–Luenberger index (Oh 2010), which decomposes into efficiency
# change (EC) and technical change (TC). The data are the yearbook tables and CEADs
# inventories of the [provincial index tutorial](provincial-index.md).

# %%
import numpy as np

from nqpf.efficiency.dea import dea, productivity
from nqpf.sources.readers import read_ceads, read_yearbook_long

sti = DATA / "china_sti"
books = read_yearbook_long([sti / "RDIntense.csv", sti / "RDLaborHour.csv",
                            sti / "RDPatentAuthority.csv"], dictionary=sti / "varsList.csv")
co2 = read_ceads(DATA / "china_co2" / "provinces_co2_1998_2019.csv", level="province")
df = books.panel.merge(co2).sel(periods=list(range(2011, 2020))).to_wide().reset_index()
df["gdp"] = df["v4_ztr_jf_RD"] / df["v4_ztr_qd_RD"] * 100
df = df.rename(columns={"v4_zh_qsdl_hj": "rd_personnel", "v4_ztr_jf_RD": "rd_capital",
                        "v4_cg_zlsq2_fm": "patents"})
df = df[df["unit"] != "CN-XZ"][["unit", "period", "rd_personnel", "rd_capital", "gdp",
                                "patents", "co2"]].dropna()
print(len(df), "province-years,", df["unit"].nunique(), "provinces")

# %% [markdown]
# ## 1. Efficiency with an undesirable output
#
# Inputs: R&D personnel and R&D expenditure; good outputs: GDP and invention patents;
# bad output: CO2. `超效率SBM` or `sbm` both name the model.

# %%
eff = dea(df, ["rd_personnel", "rd_capital"], ["gdp", "patents"], bad="co2", model="sbm",
          frontier="global")
eff.summary()

# %% [markdown]
# ## 2. The global Malmquist–Luenberger index

# %%
gml = productivity(df, ["rd_personnel", "rd_capital"], ["gdp", "patents"], bad="co2",
                   index="gml", model="sbm")
gml.summary()

# %% [markdown]
# ## 3. Checks
#
# Efficiency lies in (0, 1] on the global frontier, some province is efficient, and the
# index is the product of its components (GML = EC × TC) for every province and year.

# %%
e = eff.efficiency
assert e["status"].eq("optimal").all()
assert e["efficiency"].between(0, 1 + 1e-9).all() and (e["efficiency"] > 0).all()
assert (e["efficiency"] >= 1 - 1e-9).any()
t = gml.index
ok = t["index"].notna()
np.testing.assert_allclose(t.loc[ok, "index"], t.loc[ok, "ec"] * t.loc[ok, "tc"], rtol=1e-9)
print("mean efficiency", round(float(e["efficiency"].mean()), 4))

# %% [markdown]
# ## 4. Efficiency by year

# %%
eff.plot()
