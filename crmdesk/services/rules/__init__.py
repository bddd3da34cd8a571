"""Process rules: trigger + conditions → actions, stored as data and evaluated over every
customer the rule's author may see (``engine``). ``model`` holds the shapes the GUI, the CLI
and the engine share; ``catalog`` what a rule may be built from; ``store`` saves and validates
rules; ``firings`` the log and the "fire once while the reason holds" state; ``triggers`` the
hooks other services call (after an import, a customer save, a case closing, the day's start)."""
