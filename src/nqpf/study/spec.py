"""The study file: pydantic models of every key (see :mod:`nqpf.study` for the reference).

Every model forbids unknown keys, so that a typo (``weigths``) is an error that
:func:`nqpf.study.load.load_study` reports with its line and the closest valid
key, never a silently ignored setting.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..aliases import canonical
from ..analysis.run import STUDY_METHODS
from ..errors import NqpfError

__all__ = [
    "ANALYSES",
    "AnalysesSpec",
    "AssessmentSpec",
    "CleaningSpec",
    "DataSource",
    "DeaSpec",
    "DerivedSeries",
    "GrowthSpec",
    "IndexSpec",
    "ModelSpec",
    "OutlierSpec",
    "OutputsSpec",
    "RobustnessSpec",
    "StudySpec",
    "TfpSpec",
]

_CONFIG = ConfigDict(extra="forbid", frozen=True)

#: The analyses a study can ask for, in the order the report shows them.
ANALYSES = STUDY_METHODS
DEA_MODELS = ("ccr", "bcc", "radial", "sbm", "super-sbm", "ddf", "nddf")
#: The built-in demo data a ``builtin:`` source may name.
BUILTIN_DATA = ("pwt91-demo",)
_SOURCE_KINDS = ("file", "pack", "yearbook", "ceads", "builtin")
_FILE_OPTS = (
    "layout",
    "unit",
    "period",
    "indicator",
    "value",
    "indicators",
    "indicator_name",
    "encoding",
    "sheet",
    "units",
    "duplicates",
    "non_numeric",
    "parentheses_negative",
)


def _paths(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


class Title(BaseModel):
    """A title in both languages (one may be left out: the other is used)."""

    model_config = _CONFIG
    zh: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Title:
        if not (self.zh or self.en):
            raise ValueError("give the title in zh, en or both")
        return self

    def text(self, lang: str) -> str:
        return (self.zh or self.en or "") if lang == "zh" else (self.en or self.zh or "")


class DataSource(BaseModel):
    """One data source: exactly one of ``file``, ``pack``, ``yearbook``, ``ceads``, ``builtin``."""

    model_config = _CONFIG
    file: list[str] | None = None
    pack: str | None = None
    yearbook: list[str] | None = None
    ceads: str | None = None
    builtin: Literal["pwt91-demo"] | None = None
    # reading options of plain files (nqpf.panel.io.read_panel)
    layout: Literal["auto", "long", "wide", "years", "yearbook"] | None = None
    unit: str | None = None
    period: str | None = None
    indicator: str | None = None
    value: str | None = None
    indicators: list[str] | None = None
    indicator_name: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    units: Literal["auto", "province", "country", "none"] | None = None
    duplicates: Literal["error", "first", "last", "mean"] | None = None
    non_numeric: Literal["error", "missing"] | None = None
    parentheses_negative: bool | None = None
    # yearbook exports (nqpf.sources.readers.read_yearbook_long)
    dictionary: str | None = None
    select: list[str] | None = None
    # CEADs (nqpf.sources.readers.read_ceads)
    level: Literal["auto", "province", "city"] | None = None
    # any source
    rename: dict[str, str] = Field(default_factory=dict)
    keep: list[str] | None = None

    _files = field_validator("file", "yearbook", mode="before")(_paths)

    @field_validator("select", "indicators", "keep", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _one_kind(self) -> DataSource:
        kinds = [k for k in _SOURCE_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            got = f"got {', '.join(kinds)}" if kinds else "got none"
            raise ValueError(
                "a data source names exactly one of file, pack, yearbook, ceads, builtin "
                f"({got})"
            )
        kind = kinds[0]
        misplaced = []
        for opt in _FILE_OPTS:
            if getattr(self, opt) is not None and kind != "file":
                misplaced.append(opt)
        if kind != "yearbook":
            misplaced += [o for o in ("dictionary", "select") if getattr(self, o) is not None]
        if kind != "ceads" and self.level is not None:
            misplaced.append("level")
        if misplaced:
            raise ValueError(
                f"option(s) {', '.join(misplaced)} do not apply to a {kind} source "
                "(reading options belong to file:, dictionary/select to yearbook:, level to "
                "ceads:)"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in _SOURCE_KINDS if getattr(self, k) is not None)

    def read_options(self) -> dict[str, Any]:
        """The read_panel options given (file sources)."""
        return {o: getattr(self, o) for o in _FILE_OPTS if getattr(self, o) is not None}


class DerivedSeries(BaseModel):
    """A series computed from others before the framework: ``series / denominator × scale``.

    ``name_zh`` / ``name_en`` name it in reports (the DEA model's description, for one).
    """

    model_config = _CONFIG
    id: str
    series: str
    denominator: str | None = None
    scale: float = 1.0
    name_zh: str | None = None
    name_en: str | None = None


class OutlierSpec(BaseModel):
    """Outliers are reported (validation table), never changed: rule mad or iqr, or none."""

    model_config = _CONFIG
    rule: Literal["mad", "iqr", "none"] = "mad"
    threshold: float | None = Field(default=None, gt=0)


class CleaningSpec(BaseModel):
    """Imputation, outlier report and the complete-case policy."""

    model_config = _CONFIG
    impute: str | None = "linear"
    outliers: OutlierSpec = Field(default_factory=OutlierSpec)
    complete: Literal["units", "none"] = "units"
    min_units: int = Field(default=5, ge=2)

    @field_validator("impute")
    @classmethod
    def _impute(cls, v: str | None) -> str | None:
        from ..panel.impute import METHODS

        if v is None or str(v).strip().lower() in ("", "none", "no", "false"):
            return None
        for m in str(v).split("+"):
            if m.strip() not in METHODS:
                raise ValueError(
                    f"unknown imputation method {m.strip()!r}; choose one of "
                    f"{', '.join(METHODS)} (chain them with +, e.g. linear+nearest) or none"
                )
        return str(v)

    def impute_methods(self) -> list[str]:
        return [m.strip() for m in self.impute.split("+")] if self.impute else []


class IndexSpec(BaseModel):
    """The fields of :class:`nqpf.index.Recipe` (normalisation, weights, aggregation, …)."""

    model_config = _CONFIG
    normalise: str = "minmax"
    panel_mode: str = "pooled"
    base_period: Any = None
    shift: list[Any] | None = None
    weights: str = "entropy"
    combine: str = "linear"
    alpha: float = 0.5
    aggregate: str = "sum"
    structure: str = "flat"
    levels: dict[str, dict[str, str]] = Field(default_factory=dict)
    ahp: dict[str, list[list[Any]]] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    missing: str = "renormalise"
    treat: bool | dict[str, Any] | None = None

    @model_validator(mode="after")
    def _recipe_ok(self) -> IndexSpec:
        try:
            self.recipe()
        except NqpfError as e:
            raise ValueError(str(e)) from None
        return self

    def recipe(self):
        """The :class:`~nqpf.index.Recipe` these settings make."""
        from ..index import Recipe

        d = self.model_dump()
        if d["shift"] is not None:
            d["shift"] = tuple(d["shift"])
        return Recipe.from_dict(d)


class RobustnessSpec(BaseModel):
    """Monte Carlo over the choices behind the index (nqpf.robustness.uncertainty.robustness)."""

    model_config = _CONFIG
    replications: int = Field(default=1024, ge=2)
    seed: int | None = None
    impute: list[str] = Field(default_factory=list)
    normalise: list[str] = Field(default_factory=list)
    weights: list[str] = Field(default_factory=list)
    aggregate: list[str] = Field(default_factory=list)
    leave_one_out: bool = False
    perturb: float | None = Field(default=None, gt=0, lt=1)
    dirichlet: float | None = Field(default=None, gt=0)
    bootstrap: bool = False
    sensitivity: bool = False
    settings: dict[str, list[Any]] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)
    level_perturb: dict[str, float] = Field(default_factory=dict)


_DEA_MODELS = ("ccr", "bcc", "radial", "super-radial", "fdh", "sbm", "super-sbm", "ddf", "nddf")


class DeaSpec(BaseModel):
    """DEA efficiency and a productivity index (the nqpf.efficiency.dea engine)."""

    model_config = _CONFIG
    inputs: list[str]
    outputs: list[str]
    bad: list[str] = Field(default_factory=list)
    model: Literal["ccr", "bcc", "radial", "super-radial", "fdh", "sbm", "super-sbm", "ddf",
                   "nddf"] = "sbm"
    rts: Literal["crs", "vrs", "nirs", "ndrs"] = "crs"
    orientation: Literal["input", "output", "non"] | None = None
    # when not given: efficiency on the global frontier with no index or GML, else
    # contemporaneous; indices take their own default (GML: global)
    frontier: Literal["contemporaneous", "sequential", "window", "global", "biennial"] | None = (
        None
    )
    window: int | None = Field(default=None, ge=1)
    index: Literal["malmquist", "ml", "gml", "luenberger", "none"] = "none"
    # DDF/NDDF: a named direction or one number per input, output and bad output; NDDF
    # weights are used as given unless normalise_weights
    direction: Literal["output", "proportional", "input"] | list[float] | None = None
    weights: list[float] | None = None
    normalise_weights: bool = False
    bad_disposal: Literal["weak", "free"] = "weak"
    # metafrontier groups: "study" (the study's grouping), cn-four-regions, cn-three-belts
    # or a CSV with columns unit, group
    groups: str | None = None
    # Simar-Wilson bootstrap replicates (radial models) and its seed
    bootstrap: int | None = Field(default=None, ge=10)
    seed: int | None = None

    _lists = field_validator("inputs", "outputs", "bad", mode="before")(_paths)

    @field_validator("model", mode="before")
    @classmethod
    def _model_name(cls, v: Any) -> Any:  # 超效率SBM, CCR
        return canonical("dea_model", v, DEA_MODELS)


class GrowthSpec(BaseModel):
    """Growth accounting (:func:`nqpf.efficiency.growth.growth_accounting`)."""

    model_config = _CONFIG
    output: str
    labour: str
    capital: str | None = None
    investment: str | None = None
    labour_share: str | float = 0.5
    depreciation: float = Field(default=0.096, ge=0, lt=1)
    initial: str | float = "growth"
    init_years: int = Field(default=5, ge=2)

    @model_validator(mode="after")
    def _one_stock(self) -> GrowthSpec:
        if (self.capital is None) == (self.investment is None):
            raise ValueError("give capital (a stock series) or investment (for perpetual "
                             "inventory), one of them")
        return self


class TfpSpec(BaseModel):
    """Total factor productivity: DEA (``dea:``), growth accounting (``growth:``) or both."""

    model_config = _CONFIG
    dea: DeaSpec | None = None
    growth: GrowthSpec | None = None


class GroupedSpec(BaseModel):
    model_config = _CONFIG
    groups: str | dict[str, str] | None = None


class TheilSpec(GroupedSpec):
    kind: Literal["T", "L"] = "T"


class KernelSpec(BaseModel):
    model_config = _CONFIG
    bandwidth: str | float = "silverman"


class MarkovSpec(BaseModel):
    model_config = _CONFIG
    classes: int = Field(default=4, ge=2)
    k: int = Field(default=1, ge=1)
    spatial: bool = False
    weights: str | None = None


class ConvergenceSpec(BaseModel):
    model_config = _CONFIG
    kind: Literal["absolute", "cross_section"] = "absolute"
    k: int = Field(default=1, ge=1)
    spatial: bool = False
    weights: str | None = None


class SpatialSpec(BaseModel):
    model_config = _CONFIG
    weights: str | None = None
    permutations: int = Field(default=999, ge=99)


class CouplingSpec(BaseModel):
    model_config = _CONFIG
    systems: list[str] | None = None
    variant: Literal["standard", "wang2021"] = "standard"


class ObstacleSpec(BaseModel):
    model_config = _CONFIG
    top: int = Field(default=5, ge=1)


class TypologySpec(BaseModel):
    model_config = _CONFIG
    k: int | None = Field(default=None, ge=2)
    cluster: Literal["kmeans", "ward"] = "kmeans"


class AnalysesSpec(BaseModel):
    """The analyses of the index; a key with no value (``kernel:``) runs with defaults."""

    model_config = _CONFIG
    dagum: GroupedSpec | None = None
    theil: TheilSpec | None = None
    kernel: KernelSpec | None = None
    markov: MarkovSpec | None = None
    convergence: ConvergenceSpec | None = None
    moran: SpatialSpec | None = None
    lisa: SpatialSpec | None = None
    coupling: CouplingSpec | None = None
    obstacle: ObstacleSpec | None = None
    typology: TypologySpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_keys(cls, data: Any) -> Any:
        if isinstance(data, list):  # analyses: [kernel, typology]
            data = {str(k): {} for k in data}
        if isinstance(data, dict):  # Chinese names too: 核密度:, 泰尔指数:
            return {canonical("analysis", k, ANALYSES): ({} if v is None or v is True else v)
                    for k, v in data.items() if v is not False}
        return data

    def asked(self) -> list[str]:
        return [a for a in ANALYSES if getattr(self, a) is not None]


MODEL_KINDS = (
    "fe",
    "threshold",
    "mediation",
    "moderation",
    "spatial",
    "did",
    "event_study",
    "staggered",
)


class ModelSpec(BaseModel):
    """One regression of the ``models:`` section (variables: ``index``, a dimension id or a
    series of the data)."""

    model_config = _CONFIG
    kind: Literal[
        "fe", "threshold", "mediation", "moderation", "spatial", "did", "event_study", "staggered"
    ]
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: Title | str | None = None
    y: str
    x: list[str] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)
    effects: Literal["unit", "time", "twoway", "none"] = "twoway"
    vce: Literal["conventional", "robust", "cluster", "cluster2"] = "cluster"
    lagged: dict[str, int] = Field(default_factory=dict)
    # threshold
    regime: list[str] = Field(default_factory=list)
    q: str | None = None
    thresholds: int = Field(default=1, ge=1, le=3)
    trim: float | list[float] = 0.01
    grid: int | None = 400
    bootstrap: int = Field(default=300, ge=0)
    # mediation / moderation
    mediator: list[str] = Field(default_factory=list)
    moderator: str | None = None
    reps: int = Field(default=1000, ge=50)
    # spatial
    model: Literal["sar", "sem", "sdm"] = "sdm"
    weights: str = "contiguity"
    lee_yu: bool = True
    # DID
    treat: str | None = None
    leads: int = Field(default=4, ge=2)
    lags: int = Field(default=4, ge=0)
    control: Literal["never", "notyet"] = "never"
    balanced: bool = False

    @field_validator("x", "controls", "regime", "mediator", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _needs(self) -> ModelSpec:
        need = {
            "fe": ["x"],
            "threshold": ["regime", "q"],
            "mediation": ["x", "mediator"],
            "moderation": ["x", "moderator"],
            "spatial": ["x"],
            "did": ["treat"],
            "event_study": ["treat"],
            "staggered": ["treat"],
        }[self.kind]
        missing = [k for k in need if not getattr(self, k)]
        if missing:
            raise ValueError(f"a {self.kind} model needs {', '.join(missing)}")
        return self


class MapsSpec(BaseModel):
    model_config = _CONFIG
    china: str = "cnmaps"  # cnmaps | none | path to a GeoJSON
    world: Literal["builtin", "none"] = "builtin"


class OutputsSpec(BaseModel):
    """What is written: figure and table formats, maps."""

    model_config = _CONFIG
    figures: list[Literal["png", "svg", "pdf"]] = Field(default_factory=lambda: ["png", "svg"])
    tables: list[Literal["xlsx", "csv", "latex", "dta"]] = Field(
        default_factory=lambda: ["xlsx", "csv", "latex", "dta"]
    )
    maps: MapsSpec = Field(default_factory=MapsSpec)
    top: int = Field(default=10, ge=1)


class AssessmentSpec(BaseModel):
    """The office assessment (the arguments of :func:`nqpf.assess.assess`).

    ``classes`` is a class table (path, relative to the study file) or an inline
    mapping unit → class; units may be written as in the data or by name
    (北京, Beijing). A grade threshold of null means "every score below".
    """

    model_config = _CONFIG
    classes: str | dict[str, str] | None = None
    unclassed: Literal["error", "base"] = "error"
    period: int | list[int] | None = None
    base_year: int | None = None
    rule: Literal["attainment", "efficacy", "banded"] = "attainment"
    rules: dict[str, Literal["attainment", "efficacy", "banded"]] = Field(default_factory=dict)
    cap: float = Field(default=1.0, ge=1)
    efficacy_bounds: tuple[float, float] = (0.0, 100.0)
    efficacy_range: Literal["framework", "sample"] = "framework"
    level_weight: float = Field(default=0.7, ge=0, le=1)
    progress_from: Literal["previous", "base"] = "previous"
    grades: list[tuple[str, float | None]] | None = None
    grade_method: Literal["thresholds", "quantiles"] = "thresholds"
    grade_shares: list[float] | None = None
    missing_target: Literal["error", "best"] = "error"
    fixed_base: bool = True
    chained: bool = False


class Periods(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    from_: int = Field(alias="from")
    to: int

    @model_validator(mode="after")
    def _order(self) -> Periods:
        if self.to < self.from_:
            raise ValueError(f"periods run from {self.from_} to {self.to}: 'to' is before 'from'")
        return self


class StudySpec(BaseModel):
    """A whole study: data, framework, cleaning, index, robustness, TFP, analyses, outputs."""

    model_config = _CONFIG
    title: Title | str = "nqpf study"
    subtitle: Title | str | None = None
    lang: Literal["zh", "en"] = "en"
    seed: int = 0
    vars: dict[str, str] = Field(default_factory=dict)
    data: list[DataSource] = Field(min_length=1)
    derive: list[DerivedSeries] = Field(default_factory=list)
    #: names of data series in the report ({series: {zh: 资本存量, en: capital stock}}), for
    #: the series the framework does not name (the DEA inputs and outputs, say)
    series_names: dict[str, Title] = Field(default_factory=dict)
    framework: str | dict[str, Any]
    periods: Periods | list[int] | None = None
    groups: str | dict[str, str] | None = None
    cleaning: CleaningSpec = Field(default_factory=CleaningSpec)
    index: IndexSpec = Field(default_factory=IndexSpec)
    robustness: RobustnessSpec | None = None
    tfp: TfpSpec | None = None
    analyses: AnalysesSpec = Field(default_factory=AnalysesSpec)
    assessment: AssessmentSpec | None = None
    models: list[ModelSpec] = Field(default_factory=list)
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)

    @model_validator(mode="before")
    @classmethod
    def _bare_sections(cls, data: Any) -> Any:
        # "robustness:" with no value (or true) runs with the defaults; false leaves it out
        for key in ("robustness", "assessment"):
            if isinstance(data, dict) and key in data:
                v = data[key]
                if v is None or v is True or v is False:
                    data = {**data, key: None if v is False else {}}
        return data

    @field_validator("vars", mode="before")
    @classmethod
    def _vars_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): str(x) for k, x in v.items()}
        return v

    def title_text(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        return self.title if isinstance(self.title, str) else self.title.text(lang)

    def subtitle_text(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.subtitle is None:
            return ""
        return self.subtitle if isinstance(self.subtitle, str) else self.subtitle.text(lang)

    def period_list(self, available: list[Any]) -> list[Any]:
        """The study's periods among those available (all of them when not given)."""
        if self.periods is None:
            return list(available)
        if isinstance(self.periods, Periods):
            return [p for p in available if self.periods.from_ <= p <= self.periods.to]
        want = set(self.periods)
        return [p for p in available if p in want]
