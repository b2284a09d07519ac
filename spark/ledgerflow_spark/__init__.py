"""Spark jobs of ledgerflow: landing objects into raw, curated and quarantine Delta tables."""
