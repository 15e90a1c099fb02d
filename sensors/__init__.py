"""Sensors: devices, metrics, readings and their live feeds."""
