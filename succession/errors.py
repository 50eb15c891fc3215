"""Errors a person can fix, said in one line (the CLI prints them and exits 2, no traceback).

Kept in a module that imports nothing, so the CLI can catch them without loading the
modules that raise them (`succession trace` must stay light)."""


class UsageError(Exception):
    """A wrong argument or input folder, said in one line that names what is valid."""
