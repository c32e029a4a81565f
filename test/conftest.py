import os
import sys

# The harness is a module of the suite, imported by name from every test file.
sys.path.insert(0, os.path.dirname(__file__))
