"""``python -m corridor.cli``: the same as the ``corridor`` script."""

from corridor.cli.app import main

if __name__ == "__main__":
    main()
