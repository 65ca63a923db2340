"""`python -m lamsach.cli` runs the same command as `lamsach`."""

from lamsach.cli.app import main

main()
