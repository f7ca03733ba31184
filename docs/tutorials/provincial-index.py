# %% [markdown]
# This tutorial measures new quality productive forces (新质生产力) for the Chinese
# provinces, 2012–2016, the way most provincial studies do: a framework of three
# dimensions (innovation input, innovation output, low-carbon development), min-max
# normalisation over the pooled panel, entropy weights (熵权法) and the weighted sum. The
# data are real: the China Statistical Yearbook on Science and Technology and the China
# Statistical Yearbook (as compiled by the R package techme) and the CEADs provincial CO2
# inventories. `DATA` is the folder that holds them.
#
# ## 1. Read the yearbook tables and the CO2 inventory
#
# `read_yearbook_long` resolves the province names (`北   京`, `内蒙古自治区`) to ISO
# codes and sets the national rows aside; `read_ceads` does the same for CEADs.

# %%
import pandas as pd

import nqpf
from nqpf.sources.readers import read_ceads, read_yearbook_long

sti = DATA / "china_sti"
tables = ["RDIntense", "RDLaborHour", "RDPatentAuthority", "MarketPush", "IndustryOperation",
          "PublicBudget"]
books = read_yearbook_long([sti / f"{t}.csv" for t in tables], dictionary=sti / "varsList.csv")
co2 = read_ceads(DATA / "china_co2" / "provinces_co2_1998_2019.csv", level="province")
# technology-market turnover is missing in 2011 and high-tech revenue after 2016: an index
# over those years would score some periods on fewer indicators, which nqpf refuses
panel = books.panel.merge(co2).sel(periods=list(range(2012, 2017)))
print(panel)

# %% [markdown]
# ## 2. A plain DataFrame
#
# From here on everything works on an ordinary pandas DataFrame, as in a notebook. GDP is
# not among the tables; R&D expenditure divided by R&D intensity gives it (亿元).

# %%
df = panel.to_wide().reset_index()
df["gdp"] = df["v4_ztr_jf_RD"] / df["v4_ztr_qd_RD"] * 100
df = df[df["unit"] != "CN-XZ"]  # Tibet: no CEADs series
df[["unit", "period", "v4_ztr_qd_RD", "v4_cg_zlsq2_fm", "co2", "gdp"]].head()

# %% [markdown]
# ## 3. The framework, as a flat table
#
# One row per indicator; `series` and `denominator` say how each indicator is computed
# from the data, `log` takes logarithms, `direction` is `+` for a benefit and `-` for a
# cost. The same table can live in Excel (`框架.xlsx`) with Chinese column names
# (维度, 指标, 方向, 数据列, 分母).

# %%
framework = pd.DataFrame([
    ("科技创新投入", "rd_intensity", "+", "v4_ztr_qd_RD", None, 1, False),
    ("科技创新投入", "rd_personnel", "+", "v4_zh_qsdl_hj", None, 1, True),
    ("科技创新投入", "st_budget_share", "+", "v6_cz_yszc_kxjs", "v6_cz_yszc_hj", 100, False),
    ("科技创新产出", "invention_patents", "+", "v4_cg_zlsq2_fm", None, 1, True),
    ("科技创新产出", "tech_market_gdp", "+", "v4_cg_jssc_je", "gdp", 0.01, False),
    ("科技创新产出", "hightech_revenue_gdp", "+", "v4_cy_scjy_zyyw", "gdp", 100, False),
    ("绿色低碳", "co2_intensity", "-", "co2", "gdp", 0.0001, False),
], columns=["dimension", "indicator", "direction", "series", "denominator", "scale", "log"])
framework

# %% [markdown]
# ## 4. The index in one line
#
# Method names may be given in Chinese (`熵权法`, `极差标准化`, `加权求和`). The result
# shows itself as a compact summary in a notebook.

# %%
res = nqpf.build_index(df, framework, normalise="极差标准化", weights="熵权法",
                       aggregate="加权求和")
print(res.recipe.describe())
res.ranking(2016).head(10)

# %% [markdown]
# ## 5. Checks
#
# The entropy weights of the indicators sum to one, every score lies in [0, 1], the 30
# provinces with CO2 data are scored in every year, and Beijing leads in 2016, as every
# provincial study finds.

# %%
leaves = res.weights[res.weights["level"] == "indicator"]
assert abs(leaves["effective_weight"].sum() - 1) < 1e-12
scores = res.to_frame("index")
assert scores["score"].between(0, 1).all()
assert scores.groupby("period")["unit"].nunique().eq(30).all()
assert res.ranking(2016).iloc[0]["unit"] == "CN-BJ"
leaves[["parent", "node", "weight", "effective_weight"]].reset_index(drop=True)

# %% [markdown]
# ## 6. A figure
#
# `plot()` draws the index of the leading provinces over the years.

# %%
res.plot(top=6)

# %% [markdown]
# The same study, with robustness checks, regional disparity, dynamics, convergence,
# spatial analyses and a bilingual report, is one file:
# `examples/china_provinces/study.yaml` (`nqpf run examples/china_provinces/study.yaml
# --out DIR --set data_dir=DATA`).
