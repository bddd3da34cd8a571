"""Qt-free chart building: matplotlib Figures (never pyplot) with CJK fonts.
The GUI wraps them in a canvas; the CLI saves them as PNG."""
