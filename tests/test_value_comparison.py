"""The tolerance comparison of recorded numbers: it accepts what other kernels and threads change,
and it flags real regressions (a worse headline error, a perturbed decoder)."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from recorded_values import (
    ROOT,
    Tolerance,
    differences,
    flat_differences,
    flat_records,
    flatten,
    load_tolerances,
    rule_for,
    stored_records,
)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
PORTABILITY = sorted((ROOT / "tests" / "portability").glob("*.json"))


@pytest.fixture(scope="module")
def stored() -> dict:
    records = {}
    for notebook in NOTEBOOKS:
        found = stored_records(notebook)
        assert not set(found) & set(records), f"{notebook.name} reuses a record key of another notebook"
        records.update(found)
    return records


def test_flatten_names_every_number_by_its_path():
    assert flatten({"VAE": {"mean": 0.2, "p": [1, 2]}}, "errors") == {
        "errors/VAE/mean": 0.2, "errors/VAE/p/0": 1, "errors/VAE/p/1": 2}


def test_differences_within_and_beyond_a_tolerance():
    rules = [Tolerance("k/*", abs=0.01, rel=0.0, why="test")]
    assert differences({"k": {"a": 1.0, "s": "x"}}, {"k": {"a": 1.005, "s": "x"}}, rules) == []
    problems = differences({"k": {"a": 1.0, "s": "x"}}, {"k": {"a": 1.02, "s": "y"}}, rules)
    assert len(problems) == 2 and problems[0].startswith("k/a") and problems[1].startswith("k/s")


def test_missing_extra_and_unruled_values_are_problems():
    rules = [Tolerance("k/a", abs=0.0, rel=0.0, why="test")]
    problems = differences({"k": {"a": 1, "b": 2}}, {"k": {"a": 1, "c": 3}}, rules)
    assert any("k/b: stored but not computed" in p for p in problems)
    assert any("k/c: computed but not stored" in p for p in problems)
    problems = differences({"k": {"z": 1}}, {"k": {"z": 1}}, rules)
    assert problems == ["k/z: no tolerance rule in tests/tolerances.yaml"]


def test_every_rule_says_why_and_every_stored_number_has_a_rule(stored):
    rules = load_tolerances()
    assert all(rule.why.strip() and rule.abs >= 0 and rule.rel >= 0 for rule in rules)
    unruled = [path for key, values in stored.items() for path in flatten(values, key) if rule_for(path, rules) is None]
    assert not unruled, f"no tolerance rule for {unruled[:10]}"


@pytest.mark.parametrize("run", PORTABILITY, ids=[p.stem for p in PORTABILITY])
def test_numbers_measured_with_other_kernels_and_threads_are_accepted(run, stored):
    """tests/portability/*.json are the records of real runs (make portability): oneDNN off, one thread."""
    computed = json.loads(run.read_text())
    # Numbers recorded by both are compared; a run that no longer covers most of what the notebooks record is stale.
    flat_stored, flat_run = flat_records(stored), flat_records(computed)
    shared = set(flat_stored) & set(flat_run)
    assert len(shared) >= 0.9 * len(flat_stored), f"{run.name} covers {len(shared)} of {len(flat_stored)}: rerun it"
    problems = flat_differences({p: flat_stored[p] for p in shared}, {p: flat_run[p] for p in shared},
                                load_tolerances())
    assert not problems, "\n".join(problems)


def test_portability_runs_are_on_file():
    assert {p.stem for p in PORTABILITY} >= {"onednn-off", "one-thread"}, "run `make portability`"


@pytest.mark.parametrize("path, factor", [("heatmap_errors/VAE, mean z/mean", 1.05), ("heatmap_errors/AE/mean", 1.05),
                                          ("cone_path_lengths/latent geodesic/input-space length", 1.05),
                                          ("mnist_reconstruction/AE/test BCE per image", 1.05)])
def test_a_headline_five_per_cent_worse_is_flagged(stored, path, factor):
    key, *rest = path.split("/")
    worse = copy.deepcopy(stored)
    node = worse[key]
    for part in rest[:-1]:
        node = node[part]
    node[rest[-1]] *= factor
    problems = differences(stored, worse, load_tolerances())
    assert problems and all(p.startswith(path) for p in problems)


@pytest.fixture(scope="module")
def heatmap_models():
    """Notebook 02's data and shipped models at its default parameters (never retrains)."""
    from conftest import notebook_defaults
    from test_gaussian_heatmaps import RefuseTraining

    from helpers import conv_models, heatmaps
    from helpers.locations import SHIPPED_WEIGHTS_DIR
    from helpers.training import WeightStore

    p = notebook_defaults("02_gaussian_heatmaps")
    data = heatmaps.load_heatmaps(p["train_subset"], p["test_subset"])
    models = [conv_models.train_or_load_conv(
        kind, data.x_train, config=p["config"], seed=p["seed"], epochs=p["epochs"], patience=p["patience"],
        beta=p["beta"], vae_loss=p["vae_loss"], data_settings={"train_subset": p["train_subset"],
                                                                "test_subset": p["test_subset"]},
        extra_callbacks=[RefuseTraining()], store=WeightStore((SHIPPED_WEIGHTS_DIR,), SHIPPED_WEIGHTS_DIR))[0]
        for kind in ("vae", "ae")]
    return data, *models


def heatmap_error_record(data, vae, ae) -> dict:
    """The notebook's `heatmap_errors` record, computed the way notebook 02 computes it."""
    from helpers.report import to_plain
    from helpers.studies.gaussian_heatmaps import recovery

    recon = recovery.reconstructions(vae, ae, data.x_test, 19)  # notebook 02's default seed
    errors = {name: recovery.frobenius_errors(data.x_test, images) for name, images in recon.items()}
    return {"heatmap_errors": to_plain(recovery.error_summary(errors))}


def test_the_shipped_decoders_reproduce_the_stored_errors(stored, heatmap_models):
    computed = heatmap_error_record(*heatmap_models)
    assert differences({"heatmap_errors": stored["heatmap_errors"]}, computed, load_tolerances()) == []


def test_a_perturbed_decoder_is_flagged(stored, heatmap_models):
    data, vae, ae = heatmap_models
    original = [w.copy() for w in vae.decoder.get_weights()]
    rng = np.random.default_rng(0)
    try:
        # 2 % multiplicative noise on every decoder weight: a small, real change of the model.
        vae.decoder.set_weights([w * (1 + 0.02 * rng.standard_normal(w.shape)).astype(w.dtype) for w in original])
        computed = heatmap_error_record(data, vae, ae)
    finally:
        vae.decoder.set_weights(original)
    problems = differences({"heatmap_errors": stored["heatmap_errors"]}, computed, load_tolerances())
    assert any(p.startswith("heatmap_errors/VAE, mean z") for p in problems), problems
    assert not any(p.startswith("heatmap_errors/AE/") for p in problems), "the AE was not touched"


def test_tolerances_file_is_where_the_tests_say():
    assert Path(ROOT / "tests" / "tolerances.yaml").exists()
