"""The process rules page ("规则"): the list of rules, the rule builder (conditions and
actions picked from combos and spin boxes, never typed code), the dry run and the log of
firings. Built on ``crmdesk.rules`` (catalog, store, engine, firings)."""
