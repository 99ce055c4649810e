"""`layerwise.applications`: pretrained models and their input preprocessing."""

from layerwise.applications import imagenet_utils as imagenet_utils
from layerwise.applications import vgg16 as vgg16
from layerwise.applications import vgg19 as vgg19
from layerwise.applications.vgg import VGG16 as VGG16
from layerwise.applications.vgg import VGG19 as VGG19
from layerwise.applications import resnet as resnet
from layerwise.applications import resnet50 as resnet50
from layerwise.applications import resnet_v2 as resnet_v2
from layerwise.applications.resnet import ResNet50 as ResNet50
from layerwise.applications.resnet import ResNet50V2 as ResNet50V2
from layerwise.applications.resnet import ResNet101 as ResNet101
from layerwise.applications.resnet import ResNet101V2 as ResNet101V2
from layerwise.applications.resnet import ResNet152 as ResNet152
from layerwise.applications.resnet import ResNet152V2 as ResNet152V2
from layerwise.applications import mobilenet as mobilenet
from layerwise.applications import mobilenet_v2 as mobilenet_v2
from layerwise.applications.mobilenet import MobileNet as MobileNet
from layerwise.applications.mobilenet_v2 import MobileNetV2 as MobileNetV2
from layerwise.applications import mobilenet_v3 as mobilenet_v3
from layerwise.applications.mobilenet_v3 import MobileNetV3Large as MobileNetV3Large
from layerwise.applications.mobilenet_v3 import MobileNetV3Small as MobileNetV3Small
