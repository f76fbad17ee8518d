"""Django project: settings, URLs, WSGI and the embedded database start-up."""

import os

# numpy's BLAS only handles 512-d vectors here; a thread pool per process would fight the
# onnxruntime threads and the other workers for 2 cores (measured 2-3x slower). Must be set
# before numpy is first imported, so it lives here rather than in settings.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, os.environ.get("BLAS_THREADS", "1"))
