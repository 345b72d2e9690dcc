"""`python -m diklat` is the `diklat` command."""

from diklat.cli import main

main()
