"""The edge of the domain: SQLAlchemy tables, repositories and the unit of work."""
