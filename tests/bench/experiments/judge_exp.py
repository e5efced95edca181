import time, sys, helpers.env, numpy as np, keras
from helpers.studies import tsne_mnist_interpolation as s
d = s.load_mnist(4000, 1000, 0)
rng = np.random.default_rng(0)
xtr, ytr, xval, yval = d.x_train[:-500], d.y_train[:-500], d.x_train[-500:], d.y_train[-500:]
out_tr, out_val = s.non_digit_images(1000, rng), s.non_digit_images(200, rng)
X = np.concatenate([xtr, out_tr]); Y = np.concatenate([ytr, np.full(1000, 10)])
XV = np.concatenate([xval, out_val]); YV = np.concatenate([yval, np.full(200, 10)])
keras.utils.set_random_seed(0)
m = s.build_digit_classifier(1e-3, seed=0); m(X[:1])
t=time.perf_counter()
h = m.fit((X, Y), epochs=int(sys.argv[1]), batch_size=128, shuffle=True, validation_data=(XV, YV), verbose=2,
  callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)])
print("sec", time.perf_counter()-t, len(h.epoch))
m.save_weights("/tmp/exp/judge.weights.h5")
j = s.DigitJudge(m, d.x_train, d.x_test)
rng = np.random.default_rng(1)
tests = {"blank0": np.zeros((5,28,28,1),np.float32), "blank1": np.ones((5,28,28,1),np.float32),
 "uniform": rng.random((200,28,28,1)).astype(np.float32), "sparse": (rng.random((200,28,28,1))<0.15).astype(np.float32),
 "blur": np.stack([np.clip(d.x_test[i]*0.5+d.x_test[i+1]*0.5,0,1) for i in range(200)]), "test": d.x_test}
for k,v in tests.items():
    c = j.confidence(v); print(k, c.mean().round(3), (c>=0.9).mean().round(3), np.bincount(j.predicted(v),minlength=10))
print("acc", (j.predicted(d.x_test)==d.y_test).mean())
