"""`python -m layerwise ...`: the `layerwise` command."""

import sys

from layerwise.cli import main

sys.exit(main())
