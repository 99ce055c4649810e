"""Keras 2 `preprocessing.text` / `preprocessing.sequence`: hand-checked cases.

Keras 2.15 is not installable here; the expected values below were worked out
by hand from its source (the algorithms are ported line by line).
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

import layerwise
from layerwise.preprocessing import sequence, text

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "cat, cat; dog?"]


def test_text_to_word_sequence():
    assert text.text_to_word_sequence("Hello, World!\tHi.") == ["hello", "world", "hi"]
    assert text.text_to_word_sequence("A-B", filters="", lower=False) == ["A-B"]
    assert text.text_to_word_sequence("a|b||c", split="|") == ["a", "b", "c"]


def test_tokenizer_word_index_orders_by_count_then_first_seen():
    tok = text.Tokenizer()
    tok.fit_on_texts(TEXTS)
    # counts: the 3, cat 3, dog 2, then the 1-count words in order of appearance.
    assert list(tok.word_index.items()) == [
        ("the", 1), ("cat", 2), ("dog", 3), ("sat", 4), ("on", 5), ("mat", 6), ("ate", 7),
        ("my", 8), ("homework", 9)]
    assert tok.word_docs["cat"] == 2 and tok.word_counts["cat"] == 3
    assert tok.document_count == 3
    assert tok.texts_to_sequences(["the cat ate a fish"]) == [[1, 2, 7]]
    assert tok.sequences_to_texts([[1, 2, 7, 99]]) == ["the cat ate"]


def test_tokenizer_num_words_and_oov():
    tok = text.Tokenizer(num_words=4, oov_token="<unk>")
    tok.fit_on_texts(TEXTS)
    assert tok.word_index["<unk>"] == 1 and tok.word_index["the"] == 2
    # indices >= num_words become the OOV index; unknown words too.
    assert tok.texts_to_sequences(["the cat dog sat zebra"]) == [[2, 3, 1, 1, 1]]
    assert tok.sequences_to_texts([[2, 3, 4]]) == ["the cat <unk>"]
    plain = text.Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(["the cat dog"]) == [[1, 2]]


def test_texts_to_matrix_modes():
    tok = text.Tokenizer()
    tok.fit_on_texts(TEXTS)
    docs = ["cat cat the", ""]
    binary = tok.texts_to_matrix(docs, mode="binary")
    assert binary.shape == (2, 10)
    assert binary[0].tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0] and not binary[1].any()
    count = tok.texts_to_matrix(docs, mode="count")
    assert count[0, 2] == 2 and count[0, 1] == 1
    freq = tok.texts_to_matrix(docs, mode="freq")
    np.testing.assert_allclose(freq[0, [1, 2]], [1 / 3, 2 / 3])
    tfidf = tok.texts_to_matrix(docs, mode="tfidf")
    # "cat": tf = 1 + ln 2, idf = ln(1 + 3 / (1 + 2)); "the": tf = 1, idf = ln(1 + 3 / 3).
    np.testing.assert_allclose(tfidf[0, 2], (1 + np.log(2)) * np.log(2))
    np.testing.assert_allclose(tfidf[0, 1], np.log(2))
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok.texts_to_matrix(docs, mode="bogus")
    with pytest.raises(ValueError, match="num_words"):
        text.Tokenizer().texts_to_matrix(docs)


def test_char_level_and_token_lists_and_json_round_trip():
    tok = text.Tokenizer(char_level=True)
    tok.fit_on_texts(["abba", "Ac"])
    assert tok.word_index == {"a": 1, "b": 2, "c": 3}
    lists = text.Tokenizer()
    lists.fit_on_texts([["New York", "is"], ["new york"]])
    assert lists.word_index == {"new york": 1, "is": 2}
    tok2 = text.tokenizer_from_json(tok.to_json())
    assert tok2.word_index == tok.word_index and tok2.index_word == tok.index_word
    assert tok2.texts_to_sequences(["cab"]) == [[3, 1, 2]]
    assert tok2.index_docs == {1: 2, 2: 1, 3: 1}


def test_hashing_trick_and_one_hot():
    def md5_index(word, n):
        return int(hashlib.md5(word.encode()).hexdigest(), 16) % (n - 1) + 1

    assert text.hashing_trick("The cat, the", 10, hash_function="md5") == [
        md5_index("the", 10), md5_index("cat", 10), md5_index("the", 10)]
    assert text.hashing_trick("a b", 5, hash_function=len) == [2, 2]
    out = text.one_hot("x y x", 7)
    assert len(out) == 3 and out[0] == out[2] and all(1 <= i <= 6 for i in out)


def test_pad_sequences_keras2_path():
    assert sequence.pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post").tolist() == [
        [2, 3], [4, 0]]
    assert layerwise.preprocessing.sequence.pad_sequences([[1], [2, 3]]).tolist() == [
        [0, 1], [2, 3]]


def test_skipgrams_pairs_negatives_and_seeded_shuffle():
    couples, labels = sequence.skipgrams([1, 0, 2, 3], 5, window_size=2, negative_samples=0,
                                         shuffle=False, categorical=True)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]  # index 0 skipped both ways
    assert labels == [[0, 1]] * 4
    random.seed(0)
    couples, labels = sequence.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=1.0,
                                         seed=7)
    assert len(couples) == 8 and sorted(labels) == [0] * 4 + [1] * 4
    for (w, c), label in zip(couples, labels):
        assert label == 0 or abs(w - c) == 1
    random.seed(0)
    again, _ = sequence.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=1.0, seed=7)
    assert again == couples
    table = np.zeros(4)  # sampling probability 0: every word skipped
    assert sequence.skipgrams([1, 2, 3], 4, sampling_table=table) == ([], [])


def test_make_sampling_table_formula():
    table = sequence.make_sampling_table(4, sampling_factor=1e-5)
    rank = np.array([1.0, 1.0, 2.0, 3.0])
    f = 1e-5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
    np.testing.assert_allclose(table, np.sqrt(f))
    assert sequence.make_sampling_table(3, sampling_factor=10.0).tolist() == [1.0, 1.0, 1.0]


def test_timeseries_generator_windows():
    data = np.arange(20).reshape(10, 2)
    gen = sequence.TimeseriesGenerator(data, np.arange(10), length=4, sampling_rate=2,
                                       stride=2, batch_size=2)
    # windows end before rows 4, 6 (batch 0) and 8 (batch 1).
    assert len(gen) == 2
    x, y = gen[0]
    assert x.shape == (2, 2, 2) and y.tolist() == [4, 6]
    assert x[0].tolist() == [[0, 1], [4, 5]]
    assert gen[1][1].tolist() == [8]
    rev = sequence.TimeseriesGenerator(data, np.arange(10), length=2, reverse=True,
                                       batch_size=1)
    assert rev[0][0].tolist() == [[[2, 3], [0, 1]]]
    with pytest.raises(ValueError, match="same length"):
        sequence.TimeseriesGenerator(data, np.arange(3), length=2)
    with pytest.raises(ValueError, match="start_index"):
        sequence.TimeseriesGenerator(data, np.arange(10), length=12)


def test_text_vectorization_inputs_and_callables():
    def standardize(x):
        return np.char.upper(np.asarray(x, dtype=str))

    def split(x):
        return [s.split("-") for s in x]

    layer = layerwise.layers.TextVectorization(standardize=standardize, split=split,
                                               output_sequence_length=3)
    layer.adapt(["a-b", "b-c-b"])
    # Keras: by count, ties by the tokens in reverse order (np.lexsort(...)[::-1]).
    assert layer.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    want = [[4, 2, 0], [2, 3, 2]]
    for data in (["a-b", "b-c-b"], [b"a-b", b"b-c-b"], np.array(["a-b", "b-c-b"]),
                 np.array([b"a-b", b"b-c-b"])):
        assert np.asarray(layer(data)).tolist() == want
