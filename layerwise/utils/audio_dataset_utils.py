"""`audio_dataset_from_directory`: a `layerwise.data.Dataset` of WAV files read from folders."""

from __future__ import annotations

import wave

import numpy as np

from layerwise.utils.dataset_utils import list_directory, make_datasets

_PCM_SCALE = {1: (np.uint8, 128.0, 128.0), 2: (np.int16, 0.0, 32768.0),
              4: (np.int32, 0.0, 2147483648.0)}


def read_wav(path, sampling_rate=None, output_sequence_length=None) -> np.ndarray:
    """A PCM WAV file as float32 samples in `[-1, 1)` of shape `(length, channels)`.

    As `tf.audio.decode_wav`: `output_sequence_length` truncates or zero-pads the
    samples. layerwise does not resample: `sampling_rate`, when given, must be the
    file's own rate.
    """
    try:
        with wave.open(str(path), "rb") as f:
            channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
            frames = f.readframes(f.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"Could not read the WAV file {path!r}: {error}. Only PCM WAV "
                         "files (8, 16 or 32 bits) are supported.") from error
    if width not in _PCM_SCALE:
        raise ValueError(f"The WAV file {path!r} has {8 * width}-bit samples; supported: "
                         "8, 16 or 32-bit PCM.")
    if sampling_rate is not None and int(sampling_rate) != rate:
        raise ValueError(
            f"The WAV file {path!r} is sampled at {rate} Hz but `sampling_rate={sampling_rate}`"
            " was requested: layerwise does not resample audio. Pass `sampling_rate=None` or "
            "resample the files beforehand."
        )
    dtype, offset, scale = _PCM_SCALE[width]
    samples = (np.frombuffer(frames, dtype=dtype).astype("float32") - offset) / scale
    samples = samples.reshape(-1, channels)
    if output_sequence_length is not None:
        length = int(output_sequence_length)
        samples = samples[:length]
        if len(samples) < length:
            samples = np.concatenate(
                [samples, np.zeros((length - len(samples), channels), "float32")])
    return samples


class _AudioLoader:
    def __init__(self, sampling_rate, output_sequence_length):
        self.sampling_rate = sampling_rate
        self.output_sequence_length = output_sequence_length

    def __call__(self, path):
        return read_wav(path, self.sampling_rate, self.output_sequence_length)


def _padded_batch(dataset, batch_size):
    return dataset.padded_batch(batch_size)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """Generates a dataset of audio clips from `.wav` files, one sub-folder per class.

    Args:
        directory: Folder of `.wav` files; with `labels="inferred"`, one sub-folder per class.
        labels: `"inferred"`, `None` or a list of integer labels (one per file, sorted paths).
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None`.
        class_names: Explicit order of the class sub-folders.
        batch_size: Clips per batch (default 32); `None` yields single clips.
        sampling_rate: The files' sampling rate, checked (no resampling).
        output_sequence_length: Truncate or zero-pad every clip to this many samples;
            `None` pads each batch to its longest clip.
        ragged: Not supported (torch has no ragged tensors): pass `False`.
        shuffle, seed, validation_split, subset, follow_links, verbose: As in
            `image_dataset_from_directory`.

    Returns:
        A `layerwise.data.Dataset` of `(audio, labels)` batches, `audio` float32 of shape
        `(batch, samples, channels)`; a list of two for `subset="both"`.
    """
    if ragged:
        raise ValueError("`ragged=True` is not supported (torch has no ragged tensors): use "
                         "`output_sequence_length=` or the default per-batch padding.")
    paths, labels, label_mode, class_names, seed = list_directory(
        directory, labels, label_mode, class_names, (".wav",), "audio", shuffle, seed,
        validation_split, subset, follow_links, verbose)
    batch = _padded_batch if output_sequence_length is None else None
    return make_datasets(paths, labels, label_mode, class_names,
                         _AudioLoader(sampling_rate, output_sequence_length), batch_size,
                         shuffle, seed, validation_split, subset, directory, "audio files",
                         batch=batch)
