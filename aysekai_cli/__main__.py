"""`python -m aysekai_cli`: the same as the `aysekai` console script."""

from aysekai_cli.main import main

main()
