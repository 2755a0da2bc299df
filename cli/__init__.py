"""The ``trustwatch`` command line: thin click commands over the stage packages."""
