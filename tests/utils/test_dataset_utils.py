"""`image_dataset_from_directory`, `text_dataset_from_directory`,
`timeseries_dataset_from_array` and `split_dataset` (the `layerwise.data.Dataset` they
return is tested in tests/data/)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import layerwise
from layerwise.data import Dataset, EagerArray
from layerwise.utils import dataset_utils


def write_images(root, classes=("cats", "dogs"), per_class=6, seed=0, ext="png"):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.RandomState(seed)
    for cls in classes:
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            h, w = rng.randint(10, 30, size=2)
            Image.fromarray(rng.randint(0, 256, (h, w, 3), dtype=np.uint8)).save(
                root / cls / f"{i}.{ext}")
    (root / ".hidden").mkdir(exist_ok=True)
    (root / cls / "notes.txt").write_text("not an image")
    return root


def write_texts(root, classes=("neg", "pos"), per_class=5):
    for cls in classes:
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            (root / cls / f"{i}.txt").write_text(f"{cls} review {i} " * (i + 1))
    return root


# ------------------------------------------------------------------ images
def test_image_dataset_basics(tmp_path, capsys):
    root = write_images(tmp_path / "imgs")
    ds = layerwise.utils.image_dataset_from_directory(root, image_size=(8, 12), batch_size=5,
                                                      seed=1)
    assert "Found 12 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"] and len(ds.file_paths) == 12
    assert len(ds) == 3
    x, y = next(iter(ds))
    assert x.shape == (5, 8, 12, 3) and x.dtype == np.float32 and isinstance(x, EagerArray)
    assert y.dtype == np.int32 and y.shape == (5,)
    assert 0 <= float(x.min()) and float(x.max()) <= 255
    labels = [int(label) for _, ys in ds for label in ys]
    expected = [0 if os.sep + "cats" + os.sep in p else 1 for p in ds.file_paths]
    assert sorted(labels) == sorted(expected) == [0] * 6 + [1] * 6


@pytest.mark.parametrize("label_mode, shape, dtype", [
    ("int", (4,), np.int32), ("categorical", (4, 2), np.float32),
    ("binary", (4, 1), np.float32)])
def test_image_dataset_label_modes(tmp_path, label_mode, shape, dtype):
    root = write_images(tmp_path / "imgs")
    ds = layerwise.utils.image_dataset_from_directory(
        root, image_size=(6, 6), batch_size=4, label_mode=label_mode, shuffle=False,
        verbose=False)
    _, y = next(iter(ds))
    assert y.shape == shape and y.dtype == dtype
    images_only = layerwise.utils.image_dataset_from_directory(
        root, image_size=(6, 6), batch_size=4, labels=None, verbose=False)
    first = next(iter(images_only))
    assert isinstance(first, np.ndarray) and first.shape == (4, 6, 6, 3)
    assert images_only.class_names is None


@pytest.mark.keras
def test_image_dataset_subsets_match_keras_split(keras, tmp_path):
    from keras.src.utils import dataset_utils as k_dataset_utils

    root = write_images(tmp_path / "imgs", per_class=10)
    train, val = layerwise.utils.image_dataset_from_directory(
        root, image_size=(5, 5), batch_size=4, validation_split=0.3, subset="both", seed=42,
        verbose=False)
    paths, labels, _ = k_dataset_utils.index_directory(
        str(root), "inferred", formats=dataset_utils.IMAGE_FORMATS, seed=42, verbose=False)
    assert train.file_paths == paths[:-6] and val.file_paths == paths[-6:]
    single = layerwise.utils.image_dataset_from_directory(
        root, image_size=(5, 5), validation_split=0.3, subset="validation", seed=42,
        verbose=False)
    assert single.file_paths == val.file_paths
    assert len(train) == 4 and len(val) == 2
    with pytest.raises(ValueError, match="seed"):
        layerwise.utils.image_dataset_from_directory(root, validation_split=0.2,
                                                     subset="training")
    with pytest.raises(ValueError, match="validation_split"):
        layerwise.utils.image_dataset_from_directory(root, subset="training", seed=1)


@pytest.mark.keras
@pytest.mark.parametrize("kwargs", [
    dict(), dict(interpolation="nearest"), dict(crop_to_aspect_ratio=True),
    dict(pad_to_aspect_ratio=True), dict(color_mode="grayscale"), dict(color_mode="rgba"),
    dict(data_format="channels_first")])
def test_image_loading_matches_keras(keras, tmp_path, kwargs):
    from keras.src.utils import image_dataset_utils as k_utils

    root = write_images(tmp_path / "imgs", per_class=2)
    ds = layerwise.utils.image_dataset_from_directory(
        root, image_size=(9, 7), batch_size=None, shuffle=False, verbose=False, **kwargs)
    channels = {"grayscale": 1, "rgba": 4}.get(kwargs.get("color_mode"), 3)
    for path, (x, _) in zip(ds.file_paths, ds):
        theirs = k_utils._load_image_grain(
            path, (9, 7), channels, kwargs.get("interpolation", "bilinear"),
            kwargs.get("data_format", "channels_last"),
            crop_to_aspect_ratio=kwargs.get("crop_to_aspect_ratio", False),
            pad_to_aspect_ratio=kwargs.get("pad_to_aspect_ratio", False))
        np.testing.assert_allclose(x.numpy(), np.asarray(theirs), rtol=1e-5, atol=1e-3)


def test_image_dataset_trains_and_accepts_explicit_labels(tmp_path):
    root = write_images(tmp_path / "imgs")
    ds = layerwise.utils.image_dataset_from_directory(root, image_size=(8, 8), batch_size=4,
                                                      seed=0, verbose=False)
    model = layerwise.Sequential([layerwise.Input((8, 8, 3)), layerwise.layers.Rescaling(1 / 255),
                                  layerwise.layers.Flatten(),
                                  layerwise.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    augmented = ds.map(lambda x, y: (layerwise.layers.RandomFlip()(x), y))
    history = model.fit(augmented, epochs=2, verbose=0, validation_data=ds)
    assert len(history.history["val_loss"]) == 2
    flat = tmp_path / "flat"
    flat.mkdir()
    for i in range(3):
        (flat / f"{i}.png").write_bytes((root / "cats" / f"{i}.png").read_bytes())
    ds = layerwise.utils.image_dataset_from_directory(flat, labels=[2, 0, 1], image_size=(4, 4),
                                                      shuffle=False, verbose=False)
    assert ds.class_names == ["0", "1", "2"] and next(iter(ds))[1].tolist() == [2, 0, 1]


def test_directory_reads_are_parallel_and_prefetched_in_order(tmp_path):
    root = write_images(tmp_path / "imgs")
    ds = layerwise.utils.image_dataset_from_directory(root, image_size=(6, 6), batch_size=3,
                                                      shuffle=False, verbose=False)
    first = [y.tolist() for _, y in ds]
    assert first == [y.tolist() for _, y in ds] == [[0, 0, 0], [0, 0, 0], [1, 1, 1], [1, 1, 1]]


def test_directory_shuffle_is_seeded_and_new_each_pass(tmp_path):
    root = write_images(tmp_path / "imgs", per_class=20)

    def orders(seed):
        ds = layerwise.utils.image_dataset_from_directory(root, image_size=(2, 2), batch_size=40,
                                                          seed=seed, verbose=False)
        return [[int(v) for v in np.asarray(x).sum(axis=(1, 2, 3))] for x, _ in ds], \
               [[int(v) for v in np.asarray(x).sum(axis=(1, 2, 3))] for x, _ in ds]

    first, second = orders(5)
    assert sorted(first[0]) == sorted(second[0]) and first != second
    assert orders(5) == (first, second)


# ------------------------------------------------------------------ text
def test_text_dataset(tmp_path, capsys):
    root = write_texts(tmp_path / "texts")
    ds = layerwise.utils.text_dataset_from_directory(root, batch_size=4, seed=0, max_length=12)
    assert "Found 10 files belonging to 2 classes." in capsys.readouterr().out
    texts, labels = next(iter(ds))
    assert isinstance(texts, np.ndarray) and texts.shape == (4,)
    assert isinstance(texts.numpy()[0], bytes) and len(texts[0]) <= 12  # tf.data's tf.string
    assert labels.dtype == np.int32
    for text, label in zip(texts, labels):
        assert text.decode().startswith(ds.class_names[int(label)])
    train, val = layerwise.utils.text_dataset_from_directory(
        root, batch_size=None, validation_split=0.2, subset="both", seed=7, verbose=False)
    assert len(train) == 8 and len(val) == 2
    vectorize = layerwise.layers.TextVectorization(output_sequence_length=6)
    vectorize.adapt(train.batch(4).map(lambda text, label: text))
    x, y = next(iter(train.batch(4).map(lambda text, label: (vectorize(text), label))))
    assert x.shape == (4, 6) and x.dtype == np.int64


# ------------------------------------------------------------------ time series
def windows(data, length, stride=1, rate=1, start=0, end=None):
    end = len(data) if end is None else end
    n = end - start - (length - 1) * rate
    return [data[start + p:start + p + length * rate:rate] for p in range(0, n, stride)]


@pytest.mark.parametrize("kwargs", [dict(), dict(sequence_stride=3), dict(sampling_rate=2),
                                    dict(start_index=5, end_index=40),
                                    dict(sequence_stride=2, sampling_rate=3, start_index=2)])
def test_timeseries_windows_and_targets(kwargs):
    data = np.arange(100).reshape(50, 2)
    targets = np.arange(50) * 10
    ds = layerwise.utils.timeseries_dataset_from_array(data, targets, sequence_length=4,
                                                       batch_size=5, **kwargs)
    got_x = np.concatenate([x.numpy() for x, _ in ds])
    got_y = np.concatenate([y.numpy() for _, y in ds])
    expected = windows(data, 4, kwargs.get("sequence_stride", 1), kwargs.get("sampling_rate", 1),
                       kwargs.get("start_index", 0), kwargs.get("end_index"))
    np.testing.assert_array_equal(got_x, np.stack(expected))
    np.testing.assert_array_equal(got_y, [w[0, 0] // 2 * 10 for w in expected])


def test_timeseries_keras_docstring_examples():
    data = np.arange(100)
    ds = layerwise.utils.timeseries_dataset_from_array(data[:-10], data[10:],
                                                       sequence_length=10)
    for batch in ds:
        inputs, targets = batch
        assert np.array_equal(inputs[0], data[:10])
        assert np.array_equal(targets[0], data[10])
        break
    x = np.arange(20)
    ds = layerwise.utils.timeseries_dataset_from_array(x[:-2], x[1:-1], sequence_length=2,
                                                       batch_size=1)
    first = next(iter(ds))
    assert first[0].tolist() == [[0, 1]] and first[1].tolist() == [1]


def test_timeseries_shuffle_and_errors():
    data = np.arange(30.0)
    ds = layerwise.utils.timeseries_dataset_from_array(data, None, 3, batch_size=None,
                                                       shuffle=True, seed=1)
    firsts = [int(w[0]) for w in ds]
    assert sorted(firsts) == list(range(28)) and firsts != list(range(28))
    with pytest.raises(ValueError, match="sampling_rate"):
        layerwise.utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="start_index"):
        layerwise.utils.timeseries_dataset_from_array(data, None, 3, start_index=40)


# ------------------------------------------------------------------ split
def test_split_dataset_arrays_and_tuples():
    left, right = layerwise.utils.split_dataset(np.arange(10), left_size=0.8)
    assert [int(v) for v in left] == list(range(8)) and [int(v) for v in right] == [8, 9]
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = layerwise.utils.split_dataset((x, y), right_size=3, shuffle=True, seed=1)
    assert len(left) == 7 and len(right) == 3
    seen = sorted([int(b[1]) for b in left] + [int(b[1]) for b in right])
    assert seen == list(range(10))
    xb, yb = next(iter(left.batch(4)))
    assert xb.shape == (4, 2) and yb.shape == (4,)


def test_split_dataset_unbatches_datasets_as_keras_and_splits_torch_datasets():
    ds = Dataset.from_tensor_slices((np.arange(12), np.arange(12) * 10)).batch(4)
    left, right = layerwise.utils.split_dataset(ds, left_size=0.75)
    assert len(left) == 9 and len(right) == 3
    assert [(int(x), int(y)) for x, y in right] == [(9, 90), (10, 100), (11, 110)]
    tds = torch.utils.data.TensorDataset(torch.arange(10))
    left, right = layerwise.utils.split_dataset(tds, left_size=6)
    assert isinstance(left, torch.utils.data.Subset) and len(left) == 6 and len(right) == 4


@pytest.mark.keras
@pytest.mark.parametrize("left, right", [(0.8, None), (None, 0.25), (3, None), (0.5, 0.3),
                                         (None, 7)])
def test_split_sizes_match_keras(keras, left, right):
    from keras.src.utils import dataset_utils as k_dataset_utils

    assert dataset_utils._rescale_split_sizes(left, right, 10) == \
        k_dataset_utils._rescale_dataset_split_sizes(left, right, 10)


def test_split_dataset_errors():
    with pytest.raises(ValueError, match="left_size"):
        layerwise.utils.split_dataset(np.arange(5))
    with pytest.raises(ValueError, match="left_size"):
        layerwise.utils.split_dataset(np.arange(5), left_size=1.5)
    with pytest.raises(TypeError, match="dataset"):
        layerwise.utils.split_dataset("abc", left_size=0.5)
    with pytest.raises(ValueError, match="different"):
        layerwise.utils.split_dataset((np.arange(3), np.arange(4)), left_size=0.5)


# ------------------------------------------------------------------ audio
def write_wavs(root, rates=16000, lengths=(40, 64, 50), classes=("no", "yes"), width=2,
               channels=1):
    import wave

    rng = np.random.RandomState(3)
    for cls in classes:
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i, n in enumerate(lengths):
            dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
            info = np.iinfo(dtype)
            samples = rng.randint(info.min, info.max, size=(n, channels), dtype=dtype)
            with wave.open(str(root / cls / f"{i}.wav"), "wb") as f:
                f.setnchannels(channels)
                f.setsampwidth(width)
                f.setframerate(rates)
                f.writeframes(samples.tobytes())
    return root


def test_audio_dataset_pads_batches_truncates_and_labels(tmp_path):
    root = write_wavs(tmp_path / "audio")
    ds = layerwise.utils.audio_dataset_from_directory(root, batch_size=3, shuffle=False,
                                                      verbose=False)
    assert ds.class_names == ["no", "yes"] and len(ds) == 2
    audio, labels = next(iter(ds))
    assert audio.shape == (3, 64, 1) and audio.dtype == np.float32
    assert labels.tolist() == [0, 0, 0]
    assert np.all(audio[0, 40:] == 0) and np.abs(audio).max() <= 1.0  # padded, in [-1, 1]
    fixed = layerwise.utils.audio_dataset_from_directory(
        root, batch_size=2, output_sequence_length=48, label_mode="categorical", seed=1,
        verbose=False)
    audio, labels = next(iter(fixed))
    assert audio.shape == (2, 48, 1) and labels.shape == (2, 2)


def test_audio_reads_pcm_widths_and_channels_like_decode_wav(tmp_path):
    import wave

    from layerwise.utils.audio_dataset_utils import read_wav

    root = write_wavs(tmp_path / "stereo", lengths=(5,), classes=("a",), channels=2)
    with wave.open(str(root / "a" / "0.wav"), "rb") as f:
        raw = np.frombuffer(f.readframes(5), dtype=np.int16).reshape(5, 2)
    np.testing.assert_allclose(read_wav(root / "a" / "0.wav"), raw / 32768.0)
    eight = write_wavs(tmp_path / "u8", lengths=(4,), classes=("a",), width=1)
    assert read_wav(eight / "a" / "0.wav").dtype == np.float32
    with pytest.raises(ValueError, match="sampling_rate"):
        read_wav(root / "a" / "0.wav", sampling_rate=8000)
    (tmp_path / "bad.wav").write_bytes(b"RIFFnot really")
    with pytest.raises(ValueError, match="WAV"):
        read_wav(tmp_path / "bad.wav")
    with pytest.raises(ValueError, match="ragged"):
        layerwise.utils.audio_dataset_from_directory(root, ragged=True)
