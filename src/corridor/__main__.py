"""``python -m corridor`` runs the command line, as the ``corridor`` script does."""

from corridor.cli import main

if __name__ == "__main__":
    main()
