"""Regions, provinces, comunas and territories: the reference data every page leans on."""
