"""Recurrent layers: cells, `RNN`, `SimpleRNN`/`LSTM`/`GRU`, wrappers.

`cells.py` holds one timestep of each built-in layer in Keras' weight layout,
`loop.py` the timestep loop with Keras' masking rules, `fused.py` the bridge
to torch's fused kernels (the only `torch._VF` use), `rnn.py` the `RNN` layer
that picks between them, `recurrent.py` the named layers.
"""

from layerwise.layers.rnn.bidirectional import Bidirectional as Bidirectional
from layerwise.layers.rnn.cells import GRUCell as GRUCell
from layerwise.layers.rnn.cells import LSTMCell as LSTMCell
from layerwise.layers.rnn.cells import SimpleRNNCell as SimpleRNNCell
from layerwise.layers.rnn.conv_lstm import ConvLSTM1D as ConvLSTM1D
from layerwise.layers.rnn.conv_lstm import ConvLSTM2D as ConvLSTM2D
from layerwise.layers.rnn.conv_lstm import ConvLSTM3D as ConvLSTM3D
from layerwise.layers.rnn.recurrent import GRU as GRU
from layerwise.layers.rnn.recurrent import LSTM as LSTM
from layerwise.layers.rnn.recurrent import SimpleRNN as SimpleRNN
from layerwise.layers.rnn.rnn import RNN as RNN
from layerwise.layers.rnn.stacked import StackedRNNCells as StackedRNNCells
from layerwise.layers.rnn.time_distributed import TimeDistributed as TimeDistributed
