"""One BLAS thread for this assignment's small matrices.

numpy multiplies matrices with a BLAS library (OpenBLAS or MKL) that starts one thread per core.
The matrices of this assignment are small (at most a few hundred rows), so the threads cost more
than they save, most of all on a busy 2-core machine (Colab gives 2 vCPUs): the self-check ran
several times slower with them (see README.md, section 3). Importing the cs231n package calls
use_one_blas_thread().

If you set OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS yourself, your setting is
kept and nothing here changes it.
"""
import os
import sys

BLAS_VARIABLES = ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def own_setting():
    """The BLAS thread variables you set yourself (name -> value), empty if none."""
    return {name: os.environ[name] for name in BLAS_VARIABLES if os.environ.get(name)}


def use_one_blas_thread():
    """Limit numpy's BLAS to one thread, unless you set the thread variables yourself.

    Before numpy is imported, the environment variables are enough (numpy's BLAS reads them
    when it loads). Once numpy is loaded (e.g. on Colab), threadpoolctl, when installed, limits
    the running BLAS. Returns how the limit was set: 'yours' (your own variables, kept),
    'environment', 'threadpoolctl', or 'unchanged' (numpy already loaded, no threadpoolctl).
    """
    if own_setting():
        return 'yours'
    numpy_loaded = 'numpy' in sys.modules
    for name in BLAS_VARIABLES:
        os.environ[name] = '1'
    if not numpy_loaded:
        return 'environment'
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return 'unchanged'
    threadpool_limits(limits=1, user_api='blas')
    return 'threadpoolctl'
