from pathlib import Path

# The checkout: where manage.py, static/ and the Dockerfile are.
ROOT = Path(__file__).resolve().parent.parent
