"""Blueprints, one module per feature; each exposes ``bp``."""
