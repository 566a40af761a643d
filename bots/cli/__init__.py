"""The `ttc` command line: a thin Typer adapter from the shell to the services."""
