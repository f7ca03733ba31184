"""Efficiency and productivity: DEA (efficiency.dea), production-function TFP, growth accounting."""
