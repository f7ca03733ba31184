# Export COINr's example ASEM coin (build_example_coin) for bench/check_coinr_asem.py.
# Usage: Rscript bench/coinr_asem.R OUT_DIR   (COINr installed from its sources)
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
suppressMessages(library(COINr))
coin <- build_example_coin(quietly = TRUE)
write.csv(COINr::ASEM_iData, file.path(out, "iData.csv"), row.names = FALSE)
write.csv(COINr::ASEM_iMeta, file.path(out, "iMeta.csv"), row.names = FALSE)
for (d in names(coin$Data)) {
  write.csv(coin$Data[[d]], file.path(out, paste0("data_", d, ".csv")), row.names = FALSE)
}
tp <- coin$Analysis$Treated$Treated_Points
write.csv(tp, file.path(out, "treated_points.csv"), row.names = FALSE)
write.csv(coin$Analysis$Treated$Dets_Table, file.path(out, "treat_table.csv"), row.names = FALSE)
cat(as.character(packageVersion("COINr")), file = file.path(out, "version.txt"))
