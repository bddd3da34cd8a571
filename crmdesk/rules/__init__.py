"""Process rules: trigger + conditions → actions, stored as data and evaluated over every
customer the rule's author may see (``engine``). ``model`` holds the shapes the GUI, the CLI
and the engine share; ``catalog`` what a rule may be built from; ``store`` saves and validates
rules; ``measures`` computes what conditions test (from the reports' line data);
``firings`` the log and the "fire once while the reason holds" state; ``triggers`` runs them
after an import, a customer save, a case closing and at the day's start.

A core package above ``services`` and ``reports`` (it reads the line cache); services reach it
only through ``crmdesk.services.events``, which importing this package subscribes to."""

from crmdesk.rules import triggers as _triggers

_triggers.subscribe()
