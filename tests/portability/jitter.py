"""How much do study 2's point-selecting numbers move when the codes move by kernel-sized amounts?

    .venv/bin/python tests/portability/jitter.py

Different CPU kernels change the encoders' codes by about 1e-5 relative (measured: oneDNN on vs off). Numbers
that *select* points from the codes (hull vertices pushed outwards, extreme codes that start and end the
paths, the emptiest point of a random search) can jump under such a change even though each code barely moves.
This recomputes them from the shipped models' codes jittered by 1e-5 relative and prints the largest change:
the spread behind the `heatmap_pushed_codes`, `heatmap_paths_*` and `heatmap_empty_walk` rules in
tests/tolerances.yaml (measured: 0.010 abs; 6.8e-3 abs; 3.0e-4 rel), and how much of the paths rule's
allowance the largest change uses.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import notebook_defaults  # noqa: E402
from recorded_values import load_tolerances, rule_for  # noqa: E402
from test_gaussian_heatmaps import RefuseTraining  # noqa: E402

from helpers import conv_models, heatmaps, latent_paths
from helpers.inference import encode_mean  # noqa: E402
from helpers.locations import SHIPPED_WEIGHTS_DIR
from helpers.studies.gaussian_heatmaps import trajectories
from helpers.training import WeightStore


def shipped_models(p: dict, data) -> dict:
    return {kind.upper(): conv_models.train_or_load_conv(
        kind, data.x_train, config=p["config"], seed=p["seed"], epochs=p["epochs"], patience=p["patience"],
        beta=p["beta"], vae_loss=p["vae_loss"], data_settings={"train_subset": 0, "test_subset": 0},
        extra_callbacks=[RefuseTraining()], store=WeightStore((SHIPPED_WEIGHTS_DIR,), SHIPPED_WEIGHTS_DIR))[0]
        for kind in ("vae", "ae")}


def main(trials: int = 3, relative: float = 1e-5) -> None:
    p = notebook_defaults("02_gaussian_heatmaps")
    data = heatmaps.load_heatmaps(0, 0)
    models = shipped_models(p, data)
    decoders = {name: model.decoder for name, model in models.items()}
    codes = {name: np.concatenate([encode_mean(m, data.x_train), encode_mean(m, data.x_test)])
             for name, m in models.items()}
    factors = np.concatenate([data.y_train, data.y_test])
    rng = np.random.default_rng(0)
    rule = rule_for("heatmap_paths_vae/path/value", load_tolerances())
    base_push = trajectories.perturbation_table(decoders, codes, p["seed"])
    base_paths = {n: trajectories.path_table(decoders[n], trajectories.standard_paths(c, factors, p["path_points"]))
                  for n, c in codes.items()}
    worst = {"pushed codes (abs)": 0.0, "paths (abs)": 0.0, "paths (of the rule)": 0.0, "empty walk (rel)": 0.0}
    for _ in range(trials):
        moved = {n: c * (1 + relative * rng.standard_normal(c.shape)).astype(c.dtype) for n, c in codes.items()}
        push = trajectories.perturbation_table(decoders, moved, p["seed"])
        worst["pushed codes (abs)"] = max(worst["pushed codes (abs)"], float((push - base_push).abs().max().max()))
        for n, c in moved.items():
            paths = trajectories.path_table(decoders[n], trajectories.standard_paths(c, factors, p["path_points"]))
            gap = (paths - base_paths[n]).abs()
            worst["paths (abs)"] = max(worst["paths (abs)"], float(gap.max().max()))
            # the share of the paths rule's allowance, max(abs, rel |value|), that the change uses up (< 1: accepted)
            worst["paths (of the rule)"] = max(worst["paths (of the rule)"], float(
                (gap / np.maximum(rule.abs, rule.rel * base_paths[n].abs())).max().max()))
            walk, walk0 = (latent_paths.empty_traversal(x, np.random.default_rng(p["seed"]), p["path_points"])
                           for x in (c, codes[n]))
            a = trajectories.traversal_table(decoders[n], c, walk[0], walk[2])
            b = trajectories.traversal_table(decoders[n], codes[n], walk0[0], walk0[2])
            worst["empty walk (rel)"] = max(worst["empty walk (rel)"], float(((a - b).abs() / b.abs()).max()))
    for name, value in worst.items():
        print(f"{name:>20}: {value:.3g}")


if __name__ == "__main__":
    main()
