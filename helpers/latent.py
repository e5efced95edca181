"""Points, lines and paths in latent space, always derived from the data's own codes."""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull


def farthest_pair(codes: np.ndarray) -> tuple[int, int]:
    """Indices (i, j) of the two codes farthest apart (the set's diameter).

    The diameter's endpoints lie on the convex hull, so only hull vertices are compared
    (exact, and O(h²) instead of O(n²)).
    """
    codes = np.asarray(codes, dtype=np.float64)
    if len(codes) < 2:
        raise ValueError(f"codes must contain at least 2 points, got {len(codes)}")
    candidates = np.arange(len(codes))
    if codes.shape[1] >= 2 and len(codes) > codes.shape[1] + 1:
        try:
            candidates = ConvexHull(codes).vertices
        except Exception:  # noqa: BLE001  (degenerate hull: compare all points)
            pass
    sub = codes[candidates]
    distances = np.linalg.norm(sub[:, None, :] - sub[None, :, :], axis=-1)
    a, b = np.unravel_index(np.argmax(distances), distances.shape)
    return int(candidates[a]), int(candidates[b])
