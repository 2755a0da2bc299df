"""The database: schema, storing versions, and the read queries the CLI and plugins share.

This is the only package that imports sqlite-utils; spiders and plugins go through it.
"""
