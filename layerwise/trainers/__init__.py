"""`layerwise.trainers`: the fit / evaluate / predict loop and its data adapters."""
