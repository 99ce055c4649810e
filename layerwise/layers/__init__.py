"""`layerwise.layers`: the building blocks of models."""

from layerwise.layers import mask_ops
from layerwise.layers.activations import ELU as ELU
from layerwise.layers.activations import LeakyReLU as LeakyReLU
from layerwise.layers.activations import PReLU as PReLU
from layerwise.layers.activations import ReLU as ReLU
from layerwise.layers.activations import Softmax as Softmax
from layerwise.layers.attention import AdditiveAttention as AdditiveAttention
from layerwise.layers.attention import Attention as Attention
from layerwise.layers.attention import MultiHeadAttention as MultiHeadAttention
from layerwise.layers.convolutional import Conv1D as Conv1D
from layerwise.layers.convolutional import Conv1DTranspose as Conv1DTranspose
from layerwise.layers.convolutional import Conv2D as Conv2D
from layerwise.layers.convolutional import Conv2DTranspose as Conv2DTranspose
from layerwise.layers.convolutional import Conv3D as Conv3D
from layerwise.layers.convolutional import Conv3DTranspose as Conv3DTranspose
from layerwise.layers.convolutional import Convolution1D as Convolution1D
from layerwise.layers.convolutional import Convolution1DTranspose as Convolution1DTranspose
from layerwise.layers.convolutional import Convolution2D as Convolution2D
from layerwise.layers.convolutional import Convolution2DTranspose as Convolution2DTranspose
from layerwise.layers.convolutional import Convolution3D as Convolution3D
from layerwise.layers.convolutional import Convolution3DTranspose as Convolution3DTranspose
from layerwise.layers.convolutional import DepthwiseConv1D as DepthwiseConv1D
from layerwise.layers.convolutional import DepthwiseConv2D as DepthwiseConv2D
from layerwise.layers.convolutional import SeparableConv1D as SeparableConv1D
from layerwise.layers.convolutional import SeparableConv2D as SeparableConv2D
from layerwise.layers.convolutional import SeparableConvolution1D as SeparableConvolution1D
from layerwise.layers.convolutional import SeparableConvolution2D as SeparableConvolution2D
from layerwise.layers.core import Activation as Activation
from layerwise.layers.core import Dense as Dense
from layerwise.layers.core import Identity as Identity
from layerwise.layers.embedding import Embedding as Embedding
from layerwise.layers.embedding import Masking as Masking
from layerwise.layers.input_layer import Input as Input
from layerwise.layers.input_layer import InputLayer as InputLayer
from layerwise.layers.lambda_layer import Lambda as Lambda
from layerwise.layers.layer import Layer as Layer
from layerwise.layers.merging import Add as Add
from layerwise.layers.merging import Average as Average
from layerwise.layers.merging import Concatenate as Concatenate
from layerwise.layers.merging import Dot as Dot
from layerwise.layers.merging import Maximum as Maximum
from layerwise.layers.merging import Minimum as Minimum
from layerwise.layers.merging import Multiply as Multiply
from layerwise.layers.merging import Subtract as Subtract
from layerwise.layers.merging import add as add
from layerwise.layers.merging import average as average
from layerwise.layers.merging import concatenate as concatenate
from layerwise.layers.merging import dot as dot
from layerwise.layers.merging import maximum as maximum
from layerwise.layers.merging import minimum as minimum
from layerwise.layers.merging import multiply as multiply
from layerwise.layers.merging import subtract as subtract
from layerwise.layers.noise import AlphaDropout as AlphaDropout
from layerwise.layers.noise import GaussianDropout as GaussianDropout
from layerwise.layers.noise import GaussianNoise as GaussianNoise
from layerwise.layers.noise import SpatialDropout1D as SpatialDropout1D
from layerwise.layers.noise import SpatialDropout2D as SpatialDropout2D
from layerwise.layers.noise import SpatialDropout3D as SpatialDropout3D
from layerwise.layers.normalization import BatchNormalization as BatchNormalization
from layerwise.layers.normalization import GroupNormalization as GroupNormalization
from layerwise.layers.normalization import LayerNormalization as LayerNormalization
from layerwise.layers.normalization import UnitNormalization as UnitNormalization
from layerwise.layers.pooling import AveragePooling1D as AveragePooling1D
from layerwise.layers.pooling import AveragePooling2D as AveragePooling2D
from layerwise.layers.pooling import AveragePooling3D as AveragePooling3D
from layerwise.layers.pooling import AvgPool1D as AvgPool1D
from layerwise.layers.pooling import AvgPool2D as AvgPool2D
from layerwise.layers.pooling import AvgPool3D as AvgPool3D
from layerwise.layers.pooling import GlobalAveragePooling1D as GlobalAveragePooling1D
from layerwise.layers.pooling import GlobalAveragePooling2D as GlobalAveragePooling2D
from layerwise.layers.pooling import GlobalAveragePooling3D as GlobalAveragePooling3D
from layerwise.layers.pooling import GlobalAvgPool1D as GlobalAvgPool1D
from layerwise.layers.pooling import GlobalAvgPool2D as GlobalAvgPool2D
from layerwise.layers.pooling import GlobalAvgPool3D as GlobalAvgPool3D
from layerwise.layers.pooling import GlobalMaxPool1D as GlobalMaxPool1D
from layerwise.layers.pooling import GlobalMaxPool2D as GlobalMaxPool2D
from layerwise.layers.pooling import GlobalMaxPool3D as GlobalMaxPool3D
from layerwise.layers.pooling import GlobalMaxPooling1D as GlobalMaxPooling1D
from layerwise.layers.pooling import GlobalMaxPooling2D as GlobalMaxPooling2D
from layerwise.layers.pooling import GlobalMaxPooling3D as GlobalMaxPooling3D
from layerwise.layers.pooling import MaxPool1D as MaxPool1D
from layerwise.layers.pooling import MaxPool2D as MaxPool2D
from layerwise.layers.pooling import MaxPool3D as MaxPool3D
from layerwise.layers.pooling import MaxPooling1D as MaxPooling1D
from layerwise.layers.pooling import MaxPooling2D as MaxPooling2D
from layerwise.layers.pooling import MaxPooling3D as MaxPooling3D
from layerwise.layers.preprocessing import CategoryEncoding as CategoryEncoding
from layerwise.layers.preprocessing import CenterCrop as CenterCrop
from layerwise.layers.preprocessing import Discretization as Discretization
from layerwise.layers.preprocessing import Hashing as Hashing
from layerwise.layers.preprocessing import IntegerLookup as IntegerLookup
from layerwise.layers.preprocessing import Normalization as Normalization
from layerwise.layers.preprocessing import RandomBrightness as RandomBrightness
from layerwise.layers.preprocessing import RandomContrast as RandomContrast
from layerwise.layers.preprocessing import RandomCrop as RandomCrop
from layerwise.layers.preprocessing import RandomFlip as RandomFlip
from layerwise.layers.preprocessing import RandomRotation as RandomRotation
from layerwise.layers.preprocessing import RandomTranslation as RandomTranslation
from layerwise.layers.preprocessing import RandomZoom as RandomZoom
from layerwise.layers.preprocessing import Rescaling as Rescaling
from layerwise.layers.preprocessing import Resizing as Resizing
from layerwise.layers.preprocessing import StringLookup as StringLookup
from layerwise.layers.preprocessing import TextVectorization as TextVectorization
from layerwise.layers.regularization import ActivityRegularization as ActivityRegularization
from layerwise.layers.regularization import Dropout as Dropout
from layerwise.layers.reshaping import Flatten as Flatten
from layerwise.layers.reshaping import Permute as Permute
from layerwise.layers.reshaping import RepeatVector as RepeatVector
from layerwise.layers.reshaping import Reshape as Reshape
from layerwise.layers.reshaping_spatial import Cropping1D as Cropping1D
from layerwise.layers.reshaping_spatial import Cropping2D as Cropping2D
from layerwise.layers.reshaping_spatial import Cropping3D as Cropping3D
from layerwise.layers.reshaping_spatial import UpSampling1D as UpSampling1D
from layerwise.layers.reshaping_spatial import UpSampling2D as UpSampling2D
from layerwise.layers.reshaping_spatial import UpSampling3D as UpSampling3D
from layerwise.layers.reshaping_spatial import ZeroPadding1D as ZeroPadding1D
from layerwise.layers.reshaping_spatial import ZeroPadding2D as ZeroPadding2D
from layerwise.layers.reshaping_spatial import ZeroPadding3D as ZeroPadding3D
from layerwise.layers.rnn import GRU as GRU
from layerwise.layers.rnn import LSTM as LSTM
from layerwise.layers.rnn import RNN as RNN
from layerwise.layers.rnn import Bidirectional as Bidirectional
from layerwise.layers.rnn import ConvLSTM1D as ConvLSTM1D
from layerwise.layers.rnn import ConvLSTM2D as ConvLSTM2D
from layerwise.layers.rnn import ConvLSTM3D as ConvLSTM3D
from layerwise.layers.rnn import GRUCell as GRUCell
from layerwise.layers.rnn import LSTMCell as LSTMCell
from layerwise.layers.rnn import SimpleRNN as SimpleRNN
from layerwise.layers.rnn import SimpleRNNCell as SimpleRNNCell
from layerwise.layers.rnn import StackedRNNCells as StackedRNNCells
from layerwise.layers.rnn import TimeDistributed as TimeDistributed
from layerwise.registry import register_names
from layerwise.registry.serialization import deserialize_keras_object, serialize_keras_object

# The name table of the layer family: every layer class this module exports, by name.
register_names("layer", mask_ops.OPS)  # Keras 3's mask `ops` nodes; exported layers win
register_names("layer", {name: obj for name, obj in dict(globals()).items()
                         if isinstance(obj, type) and issubclass(obj, Layer)})


def serialize(layer) -> dict:
    """Returns the Keras-format dict (`module`, `class_name`, `config`, ...) of a layer."""
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects=None) -> Layer:
    """Builds a layer from the dict returned by `serialize` (or written by Keras)."""
    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier):
    """Returns a layer from a config dict, or the layer itself."""
    if isinstance(identifier, Layer):
        return identifier
    return deserialize(identifier)
