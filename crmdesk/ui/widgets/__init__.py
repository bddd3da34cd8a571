"""Widgets shared by several screens (charts, …)."""
