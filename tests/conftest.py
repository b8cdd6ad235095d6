import pathlib
import sys

# tests/catalogue.py and tests/strategies.py are importable from every test module
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
