"""`layerwise.saving`: serialization of layers, models and objects."""
