"""Alembic migrations for Herstel (a package so that an installed Herstel can find them)."""
