"""Efficiency and productivity: production-function TFP, growth accounting."""
