"""``python -m corridor.cli``: the same as the ``corridor`` script."""

from corridor.cli.app import main

main()
