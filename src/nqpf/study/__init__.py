"""A whole study from one YAML file: ``nqpf run study.yaml --out DIR``.

A study file names the data and how to read them, the indicator framework, the
cleaning, the index recipe, robustness, TFP, the analyses, the outputs and the
language. :func:`~nqpf.study.load.load_study` validates it (an unknown key or a
wrong value is an error naming the file, the line, the key and, for a typo, the
closest valid key); :func:`~nqpf.study.runner.run_study` runs it and writes, at
fixed names in DIR: ``report.html`` (self-contained, zh or en), ``tables.xlsx``
(one formatted sheet per table), ``tables/`` (each table as CSV, LaTeX booktabs
and Stata .dta), ``figures/`` (PNG and SVG) and ``manifest.json`` (versions,
input hashes, seeds, parameters, timings, outputs).

Reference of the keys (paths are relative to the study file; ``{name}`` in any
text is replaced by ``vars: name``, which ``--set name=VALUE`` overrides)::

    title: {zh: …, en: …}          # or one string; subtitle: the same
    lang: en                        # zh or en (--lang overrides)
    seed: 0                         # seeds of permutations, k-means, Sobol samples
    vars: {data_dir: ../data}       # text variables for {data_dir} in paths
    data:                           # one or more sources, merged cell by cell
      - file: x.csv                 # or a list; read_panel options: layout, unit,
        layout: wide                #   period, indicator, value, indicators,
        unit: province              #   indicator_name, encoding, sheet, units,
        period: year                #   duplicates, non_numeric (error|missing),
                                    #   parentheses_negative
      - pack: my-pack/              # a data pack folder (pack.yaml)
      - yearbook: [RDIntense.csv]   # long yearbook exports (read_yearbook_long)
        dictionary: varsList.csv
        select: [v4_ztr_qd_RD]      # codes or Chinese names
      - ceads: provinces_co2.csv    # CEADs emissions, indicator co2 (t)
        level: province
      - builtin: pwt91-demo         # the bundled Penn World Table 9.1 extract
        rename: {old: new}          # any source: rename indicators, then
        keep: [new]                 #   keep some of them
    derive:                         # series computed before the framework
      - {id: gdp, series: rd_exp, denominator: rd_intensity, scale: 100}
    framework: nqpf-three-elements  # built-in name, a YAML/Excel path, or inline
    periods: {from: 2011, to: 2019} # or a list of years; default: all
    groups: cn-four-regions         # cn-three-belts, continents, unit,group CSV, or
                                    #   a mapping: default grouping of figures
                                    #   and disparity analyses
    cleaning:
      impute: linear                # a method of nqpf.panel.impute, a chain
                                    #   linear+nearest, or none
      outliers: {rule: mad, threshold: 3.5}  # mad, iqr or none: reported only
      complete: units               # units: keep units complete in every year;
      min_units: 5                  #   none: keep all (scores renormalise)
    index:                          # the fields of nqpf.index.Recipe
      normalise: minmax             # panel_mode, base_period, shift, weights,
      weights: entropy              #   combine, alpha, aggregate, structure,
      aggregate: sum                #   levels, ahp, params, missing
    robustness:                     # leave out for none; a bare key for defaults
      replications: 1024            # a power of 2 (Sobol points)
      seed: 0                       # default: the study's seed
      weights: [entropy, critic]    # alternatives: impute, normalise, weights,
      aggregate: [sum, topsis]      #   aggregate; leave_one_out, perturb,
      perturb: 0.25                 #   dirichlet, bootstrap, sensitivity
    tfp:
      dea:                          # DEA (nqpf.efficiency.dea)
        inputs: [labour, capital]
        outputs: [gdp]
        bad: [co2]                  # undesirable outputs
        model: sbm                  # ccr, bcc, radial, sbm, super-sbm, ddf, nddf
        rts: crs                    # or vrs; orientation: input, output, non
        frontier: global            # contemporaneous, sequential,
                                    #   window (window: 3), biennial; indices default to
                                    #   their own (GML: global)
        index: gml                  # malmquist, ml, gml, luenberger or none
      growth:                       # growth accounting (Solow, Cobb-Douglas)
        output: rgdpna
        capital: rnna               # or investment: (perpetual inventory)
        labour: emp
        labour_share: labsh         # a series or a number such as 0.5
        depreciation: 0.096
    analyses:                       # each key runs; a bare key uses defaults
      dagum: {groups: cn-four-regions}
      theil: {groups: …, kind: T}
      kernel: {bandwidth: silverman}
      markov: {classes: 4, k: 1, spatial: false, weights: contiguity}
      convergence: {kind: absolute, k: 1, spatial: false}
      moran: {weights: contiguity, permutations: 999}   # or a .gal/.gwt/CSV
      lisa: {weights: contiguity, permutations: 999}
      coupling: {systems: [dim_a, dim_b], variant: standard}  # default: all
      obstacle: {top: 5}                                    #   dimensions
      typology: {k: 4, cluster: kmeans}
    outputs:
      figures: [png, svg]           # or [] for none; pdf too
      tables: [xlsx, csv, latex, dta]
      maps: {china: cnmaps, world: builtin}  # china: cnmaps, none or a GeoJSON
      top: 10                       # units shown in rank charts

Spatial analyses (moran, lisa, spatial markov or convergence) need weights for
the study's units; where none can be built (countries with the default province
contiguity) the analysis is skipped with a note in the report.
"""

from .load import Study, load_study
from .runner import RunResult, run_study

__all__ = ["RunResult", "Study", "load_study", "run_study"]
