"""The command line: Typer commands over the pass runner."""
