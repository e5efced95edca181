"""Process-wide settings that must exist before TensorFlow is first imported.

* ``TF_ENABLE_ONEDNN_OPTS=1`` — oneDNN kernels; measured 2.3x faster for the
  convolutional models on the 2-core CPU machines this project targets (see
  ``make bench``). It can change results in the last floating-point digits.
* ``TF_CPP_MIN_LOG_LEVEL=2`` — hides TensorFlow's C++ info and warning lines, which
  would otherwise land on stderr and break nbval comparisons.
* ``KERAS_BACKEND=tensorflow`` — the models use TensorFlow ``GradientTape`` in
  ``train_step``.
* ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS``, if set, fix TensorFlow's thread pools.

Values already present in the environment win, so a user can still switch oneDNN
off (``TF_ENABLE_ONEDNN_OPTS=0``) for comparison.
"""

import os
import warnings

DEFAULTS = {
    "TF_ENABLE_ONEDNN_OPTS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "KERAS_BACKEND": "tensorflow",
}
for _name, _value in DEFAULTS.items():
    os.environ.setdefault(_name, _value)

warnings.filterwarnings("ignore", module="keras")


def _apply_thread_limits(tf) -> None:
    """Honour ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` explicitly (e.g. one thread, to check
    that results do not depend on the thread count: ``make portability``); unset means TensorFlow's default."""
    for name, setter in (("TF_NUM_INTRAOP_THREADS", tf.config.threading.set_intra_op_parallelism_threads),
                         ("TF_NUM_INTEROP_THREADS", tf.config.threading.set_inter_op_parallelism_threads)):
        if os.environ.get(name):
            setter(int(os.environ[name]))


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow and probe its devices with file descriptor 2 sent to /dev/null.

    TensorFlow's C++ start-up lines (oneDNN notice, "could not find cuda drivers",
    cuInit errors on machines without a GPU) ignore ``TF_CPP_MIN_LOG_LEVEL``; inside a
    Jupyter kernel they land in cell outputs as stderr and break nbval comparisons.
    Errors raised by the import itself still propagate.
    """
    import sys

    if "tensorflow" in sys.modules:
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf

        _apply_thread_limits(tf)
        tf.config.list_physical_devices()
        # "N out of the last M calls triggered tf.function retracing" notes (one predict function per
        # model) are advice, not errors; on stderr they would land in nbval's comparisons.
        tf.get_logger().setLevel("ERROR")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()
warnings.filterwarnings("ignore", category=DeprecationWarning)
