"""Sanctions, transit conditions, tariffs and routing policies as data, evaluated on routes and declarations.

Rules are rows of ``rules.csv`` (read by :func:`corridor.data.rules_file.read_rules`); routing asks
:func:`evaluate` which routes a shipment may take, ``corridor check`` prints every verdict with its citation, and
the transit service calls :func:`evaluate_declaration`.
"""

from corridor.rules.declaration import evaluate_declaration
from corridor.rules.evaluate import Assessment, avoid_for, evaluate
from corridor.rules.model import COUNTRY_GROUPS, Rule, RulePath, Shipment, Verdict, expand_countries

__all__ = [
    "COUNTRY_GROUPS",
    "Assessment",
    "Rule",
    "RulePath",
    "Shipment",
    "Verdict",
    "avoid_for",
    "evaluate",
    "evaluate_declaration",
    "expand_countries",
]
