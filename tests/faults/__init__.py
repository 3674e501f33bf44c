"""Fault tests: a killed server and a backup taken while the chart is written."""
