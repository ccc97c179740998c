"""The discrimination protocol: incidents, their steps, deadlines and the hash-chained timeline.

The modules directly in this package are the pure domain and import nothing but the standard
library (and `python-dateutil`/`cryptography` for Easter and for signatures). `storage/` is the edge
to the database and `services/` the use cases that the web, the workers and the CLI go through.
"""
