"""The built-in detector plugins, one module each, registered like third-party plugins.

Each is a few lines that register detectors defined in :mod:`model_risk.detect`'s modules. Those modules
are shared heuristics, not plugins (a Markdown code block is read with the Python detector's logic), so
no plugin imports another, and blocking one (``MODEL_RISK_DISABLE_PLUGINS``) leaves the others whole.
"""
