# Lets the test modules `import support` however unittest finds them: `discover -s clients/python/tests`
# (top level = this folder) or `python3 -m unittest` from clients/python (as the `tests` package).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
