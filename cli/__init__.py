"""The `herstel` command line."""
