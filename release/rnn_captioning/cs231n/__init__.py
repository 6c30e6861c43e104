"""CS231n assignment package: Image Captioning with RNNs."""
