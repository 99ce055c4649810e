"""`plot_model` renders a PNG with graphviz, or says how to install it."""

from __future__ import annotations

import shutil
import struct

import pytest

import layerwise


def _model():
    L = layerwise.layers
    a, b = layerwise.Input((4,), name="a"), layerwise.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5)(a), b])
    return layerwise.Model([a, b], [L.Dense(1, name="o1")(h), L.Dense(2, name="o2")(h)])


def test_plot_model_writes_a_png(tmp_path):
    pytest.importorskip("pydot")
    if shutil.which("dot") is None:
        pytest.skip("graphviz `dot` is not installed (apt-get install -y graphviz; .ci/run does)")
    path = tmp_path / "model.png"
    assert layerwise.utils.plot_model(_model(), to_file=str(path), show_shapes=True) is None
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 200 < width < 5000 and 200 < height < 5000
    # The Keras 2 path works too.
    from layerwise.utils.vis_utils import model_to_dot

    dot = model_to_dot(_model(), show_shapes=True)
    assert len(dot.get_nodes()) >= 6 and len(dot.get_edges()) == 5


def test_plot_model_without_graphviz_explains_the_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        layerwise.utils.plot_model(_model(), to_file=str(tmp_path / "m.png"))
