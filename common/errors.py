"""The one exception a stage raises for bad input: `cli.main_wrapper` prints its message as one line, exit 2."""


class UserError(Exception):
    """Bad input: the message says what is wrong and how to fix it. Exit code 2, no traceback."""
