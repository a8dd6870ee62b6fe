"""`python -m pipeline.cli`: the same as the `nianbao` command."""

from pipeline.cli import main

main()
