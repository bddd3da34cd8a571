"""The customer form and its tabs."""
