"""Hand-written PyTorch peers of the applications benchmark (torchvision is not needed).

VGG16's convolutional base and ResNet50 with its top, written with `nn.Conv2d`,
`nn.BatchNorm2d`, `nn.MaxPool2d` ... in the same shapes as Keras' applications (same
parameter counts: 14,714,688 and 25,636,712), run the way a careful PyTorch user
would: NCHW tensors in `channels_last` memory format, `eval()` and
`torch.inference_mode()` for inference, a plain loop with `zero_grad(set_to_none=True)`
for training.
"""

from __future__ import annotations

import torch
from torch import nn

# VGG16: (filters, convolutions) per block; block5_conv1 is module FINE_TUNE_FROM.
VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
FINE_TUNE_FROM = 24  # index of block5_conv1 in `vgg16_features()`
BN_EPS = 1.001e-5  # Keras' ResNet50 BatchNormalization epsilon


def vgg16_features() -> nn.Sequential:
    """VGG16 without its top: 13 conv3x3 + ReLU, a 2x2 max-pool after each block."""
    mods: list[nn.Module] = []
    cin = 3
    for filters, convs in VGG16_BLOCKS:
        for _ in range(convs):
            mods += [nn.Conv2d(cin, filters, 3, padding=1), nn.ReLU(inplace=True)]
            cin = filters
        mods.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*mods)


class Bottleneck(nn.Module):
    """ResNet50's `block1` (Keras' `stack1` block): 1x1 - 3x3 - 1x1 plus a shortcut."""

    def __init__(self, cin: int, filters: int, stride: int, shortcut: bool):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, filters, 1, stride), nn.BatchNorm2d(filters, eps=BN_EPS),
            nn.ReLU(inplace=True), nn.Conv2d(filters, filters, 3, padding=1),
            nn.BatchNorm2d(filters, eps=BN_EPS), nn.ReLU(inplace=True),
            nn.Conv2d(filters, 4 * filters, 1), nn.BatchNorm2d(4 * filters, eps=BN_EPS))
        self.shortcut = nn.Sequential(
            nn.Conv2d(cin, 4 * filters, 1, stride),
            nn.BatchNorm2d(4 * filters, eps=BN_EPS)) if shortcut else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.shortcut(x) + self.body(x)).relu_()


def resnet50(classes: int = 1000) -> nn.Sequential:
    """ResNet50 with its top (global average pool, Dense(classes), softmax)."""
    mods: list[nn.Module] = [
        nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.BatchNorm2d(64, eps=BN_EPS),
        nn.ReLU(inplace=True), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)]
    cin = 64
    for filters, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            mods.append(Bottleneck(cin, filters, stride if b == 0 else 1, b == 0))
            cin = 4 * filters
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes), nn.Softmax(-1)]
    return nn.Sequential(*mods)


def to_nchw(x) -> torch.Tensor:
    """NHWC numpy images as an NCHW view in channels_last memory (no copy)."""
    return torch.from_numpy(x).permute(0, 3, 1, 2)


def inference_case(model: nn.Module, x, batch: int):
    """`run()` predicting every batch of `x` in inference mode."""
    model = model.to(memory_format=torch.channels_last).eval()
    xs = to_nchw(x)

    def run():
        with torch.inference_mode():
            return torch.cat([model(xs[i:i + batch]) for i in range(0, len(xs), batch)])
    return run


def fine_tune_case(x, y, batch: int):
    """`run()` training one epoch: VGG16 frozen below block5_conv1, Flatten, Dense(256,
    relu), Dense(1) on logits, RMSprop(1e-5) with Keras' rho/epsilon, BCE."""
    features = vgg16_features()
    for i, layer in enumerate(features):
        for p in layer.parameters():
            p.requires_grad_(i >= FINE_TUNE_FROM)
    side = x.shape[1] // 32
    head = nn.Sequential(nn.Flatten(), nn.Linear(512 * side * side, 256), nn.ReLU(inplace=True),
                         nn.Linear(256, 1))
    net = nn.Sequential(features, head).to(memory_format=torch.channels_last)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.RMSprop(params, lr=1e-5, alpha=0.9, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    xs, ys = to_nchw(x), torch.from_numpy(y)

    def run():
        net.train()
        total = torch.zeros(())
        for idx in torch.randperm(len(xs)).split(batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xs[idx].contiguous(memory_format=torch.channels_last)), ys[idx])
            loss.backward()
            opt.step()
            total += loss.detach()
        return float(total)  # one host read per epoch, like Keras' logs
    return run


def count_params(model: nn.Module) -> int:
    """Parameters plus BatchNorm moving statistics, as Keras' `count_params()` counts."""
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(
        ("running_mean", "running_var")))
    return sum(p.numel() for p in model.parameters()) + stats
