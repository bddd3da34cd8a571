"""Qt-free building blocks shared by services, importers and reports."""
