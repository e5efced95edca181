"""Where the project's files live, resolved from this file (never from the current directory)."""

import os
from pathlib import Path

#: The repository's root folder.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Weights that ship with the project (tracked in git).
SHIPPED_WEIGHTS_DIR = REPO_ROOT / "data" / "weights"
#: Weights trained locally for non-default parameters (ignored by git); ``HELPERS_CACHE_DIR`` moves it (``make
#: exercises`` gives each run an empty one, so that a run that retrains is timed retraining).
CACHE_DIR = Path(os.environ.get("HELPERS_CACHE_DIR") or REPO_ROOT / "data" / "cache")
#: Recorded results that take minutes to recompute (tracked in git).
RESULTS_DIR = REPO_ROOT / "data" / "results"


def shipping() -> bool:
    """True under ``make weights`` (``HELPERS_SHIP_WEIGHTS=1``): newly trained weights and recomputed results
    go to the shipped folders (``data/weights``, ``data/results``) instead of the local cache."""
    return os.environ.get("HELPERS_SHIP_WEIGHTS") == "1"
