#!/usr/bin/env bash
# Rebuild src/nqpf/datasets/pwt91_demo.csv from Penn World Table 9.1 as Debian ships it
# (package r-cran-pwt9, CC BY 4.0; Feenstra, Inklaar and Timmer 2015, AER 105(10)).
# Needs root (apt) once; reads the data with R and writes a wide UTF-8 CSV:
# one row per country-year, 2000-2017, the series the demo framework uses.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/src/nqpf/datasets/pwt91_demo.csv"
if ! Rscript -e 'library(pwt9)' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-pwt9
fi
Rscript - "$out" <<'RSCRIPT'
args <- commandArgs(trailingOnly = TRUE)
library(pwt9)
data("pwt9.1")
keep <- c("country", "isocode", "year", "rgdpe", "rgdpo", "rgdpna", "pop", "emp",
          "avh", "hc", "cn", "rnna", "ctfp", "rtfpna", "labsh", "csh_i",
          "csh_x", "csh_m", "delta")
d <- pwt9.1[pwt9.1$year >= 2000, keep]
d$country <- as.character(d$country)
d$isocode <- as.character(d$isocode)
# drop countries with no output series at all in the window
has <- tapply(!is.na(d$rgdpo), d$isocode, any)
d <- d[d$isocode %in% names(has)[has], ]
num <- setdiff(keep, c("country", "isocode", "year"))
for (v in num) d[[v]] <- signif(d[[v]], 7)
d <- d[order(d$isocode, d$year), ]
write.csv(d, args[1], row.names = FALSE, na = "", fileEncoding = "UTF-8")
cat("wrote", nrow(d), "rows to", args[1], "\n")
RSCRIPT
