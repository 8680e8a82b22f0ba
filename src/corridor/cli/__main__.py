"""``python -m corridor.cli``: the same as the ``corridor`` script."""

from corridor.cli.registry import main

if __name__ == "__main__":
    main()
