"""The Python server targets: `python-models` (models.py) and `python-server` (service.py, http.py)."""
