"""usage: vae_exp.py NAME LATENT WARMUP_EPOCHS MAX_EPOCHS PATIENCE [anchor]"""
import sys, time, json
import helpers.env
import numpy as np, keras
from helpers import models, model_io, samplers, training
from helpers.studies import tsne_mnist_interpolation as s
name, latent, warm, max_ep, patience = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
anchor = len(sys.argv) > 6 and sys.argv[6] == "anchor"
aug = len(sys.argv) > 6 and sys.argv[6] == "aug"
d = s.load_mnist(4000, 1000, 0)
nval = 500
xtr, xval = d.x_train[:-nval], d.x_train[-nval:]
if anchor:
    xtr, xval = d.x_train, d.x_test
keras.utils.set_random_seed(0)
clf = s.build_digit_classifier(1e-3, seed=0); clf(d.x_train[:1])
clf.load_weights("/tmp/exp/judge.weights.h5")
judge = s.DigitJudge(clf, d.x_train, d.x_test)
steps = int(np.ceil(len(xtr) / 128))
keras.utils.set_random_seed(1 if 'seed1' in name else 0)
if anchor:
    from keras import layers
    xi = keras.Input((28, 28, 1)); h = layers.Conv2D(32, 3, strides=2, activation="relu", padding="same")(xi)
    h = layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(h); h = layers.Flatten()(h)
    h = layers.Dense(16, activation="relu")(h)
    enc = keras.Model(xi, [layers.Dense(latent)(h), layers.Dense(latent)(h)])
    zi = keras.Input((latent,)); h = layers.Dense(7 * 7 * 64, activation="relu")(zi); h = layers.Reshape((7, 7, 64))(h)
    h = layers.Conv2DTranspose(64, 3, strides=2, activation="relu", padding="same")(h)
    h = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(h)
    out = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(h)
    m = models.VAE(enc, keras.Model(zi, out), beta=1.0, seed=0, reconstruction="bernoulli")
    m.compile(optimizer=keras.optimizers.Adam())
elif "deep" in name:
    from keras import layers
    xi = keras.Input((28, 28, 1)); h = s._conv_trunk(xi); h = layers.Dense(256)(h); h = layers.ELU()(h)
    enc = keras.Model(xi, [layers.Dense(latent)(h), layers.Dense(latent)(h)])
    zi = keras.Input((latent,)); h = layers.ELU()(layers.Dense(256)(zi)); h = layers.ELU()(layers.Dense(7*7*64)(h))
    h = layers.Reshape((7, 7, 64))(h); h = layers.UpSampling2D(2)(h); h = layers.ELU()(layers.Conv2D(64, 3, padding="same")(h))
    h = layers.UpSampling2D(2)(h); h = layers.ELU()(layers.Conv2D(32, 3, padding="same")(h))
    out = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(h)
    m = models.VAE(enc, keras.Model(zi, out), beta=1.0, seed=0, reconstruction="bernoulli", kl_warmup_steps=warm * steps)
    m.compile(optimizer=keras.optimizers.Adam(1e-3))
elif "mlp" in name:
    from keras import layers
    widths = [512, 256] if "mlp2" in name else [512] if "mlp512" in name else [256]
    xi = keras.Input((28, 28, 1)); h = s._conv_trunk(xi)
    for w in widths: h = layers.ELU()(layers.Dense(w)(h))
    enc = keras.Model(xi, [layers.Dense(latent)(h), layers.Dense(latent)(h)])
    zi = keras.Input((latent,)); h = zi
    for w in widths[::-1]: h = layers.ELU()(layers.Dense(w)(h))
    dec0 = s.build_decoder(widths[0])
    dec = keras.Model(zi, dec0(h))
    m = models.VAE(enc, dec, beta=1.0, seed=0, reconstruction="bernoulli", kl_warmup_steps=warm * steps)
    m.compile(optimizer=keras.optimizers.Adam(1e-3))
else:
    m = s.build_mnist_vae(latent, 1.0, 1e-3, seed=0)
    if warm:
        enc, dec = m.encoder, m.decoder
        m = models.VAE(enc, dec, beta=1.0, seed=0, reconstruction="bernoulli", kl_warmup_steps=warm * steps)
        m.compile(optimizer=keras.optimizers.Adam(1e-3))
m(xtr[:1])
cbs = [training.KLPerDimension(xval)]
if patience:
    cbs.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True, start_from_epoch=warm))
if "plateau" in name:
    cbs.insert(1, keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5, min_lr=1e-5))
x_fit = xtr
t = time.perf_counter()
if "aug" in name:
    import tensorflow as tf
    shift = keras.layers.RandomTranslation(2/28, 2/28, fill_mode="constant", seed=0)
    ds = tf.data.Dataset.from_tensor_slices(xtr).shuffle(4000, seed=0).batch(128).map(lambda b: shift(b, training=True))
    h = m.fit(ds, epochs=max_ep, validation_data=(xval,), callbacks=cbs, verbose=0)
else:
    h = m.fit(xtr, epochs=max_ep, batch_size=128, validation_data=(xval,), callbacks=cbs, verbose=0)
sec = time.perf_counter() - t
hist = {k: [float(v) for v in vals] for k, vals in h.history.items()}
def elbo(x):
    return -float(np.mean([m.test_on_batch(x[i:i+500], return_dict=True)["loss"] for i in range(0, len(x), 500)]))
res = {"name": name, "epochs": len(h.epoch), "seconds": sec, "train_elbo": elbo(xtr), "val_elbo": elbo(xval), "test_elbo": elbo(d.x_test)}
kl = np.array([hist[f"val_kl_dim_{j}"] for j in range(latent)])
res["active_final"] = int((kl[:, -1] > 0.05).sum()) if False else int((kl[:, -1] > 0.1).sum())
if latent == 2:
    grid = s.grid_codes(s.prior_quantile_axis(15), s.prior_quantile_axis(15))
    img = model_io.decode(m.decoder, grid)
    conf = judge.confidence(img); pred = judge.predicted(img)
    res["grid_ok"] = float(np.mean(conf >= 0.9)); res["grid_digits"] = sorted(set(pred[conf >= 0.9].tolist()))
    np.save(f"/tmp/exp/{name}_grid.npy", img)
z = samplers.sample_prior(1000, latent, 0)
img = model_io.decode(m.decoder, z)
res["prior_ok"] = float(np.mean(judge.confidence(img) >= 0.9))
res["prior_digits"] = np.bincount(judge.predicted(img)[judge.confidence(img) >= 0.9], minlength=10).tolist()
json.dump({"res": res, "hist": hist}, open(f"/tmp/exp/{name}.json", "w"))
m.save_weights(f"/tmp/exp/{name}.weights.h5")
print(json.dumps(res), flush=True)
