"""`python -m testgrade`: the same as the `testgrade` console script.

`python -m` puts the current directory first on `sys.path`. Run inside an
analysed tree, a `pathspec.py` or `click/` there would then be imported in place
of our dependencies (and run). Drop that entry before importing anything else.
"""

import os
import sys

if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from testgrade.cli import run  # only after the sys.path repair above

run()
