"""coursekit: build, self-check and sandboxed autograding for the RNN captioning assignment."""
__version__ = "0.1.0"
