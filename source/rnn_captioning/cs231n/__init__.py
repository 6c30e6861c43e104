"""CS231n assignment package: Image Captioning with RNNs."""
from .blas_threads import use_one_blas_thread

BLAS_THREADS = use_one_blas_thread()  # one BLAS thread: faster on these small matrices
