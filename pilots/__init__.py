"""Pilots: living-lab experiments, their phases and districts."""
