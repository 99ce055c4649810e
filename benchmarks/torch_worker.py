"""Train one workload with a hand-written PyTorch loop; write timings as JSON.

This is the "what a PyTorch user would write" baseline: ``nn.Sequential`` of
Linear/ReLU (W5: Conv2d/ReLU/MaxPool2d on NCHW data, converted from the
shared NHWC arrays once before timing, then Flatten/Linear) without the final
softmax/sigmoid, the loss on logits
(``F.cross_entropy`` / ``F.binary_cross_entropy_with_logits``), ``torch.optim``
with Keras' default hyperparameters, the data as tensors sliced per batch
after a ``randperm`` shuffle each epoch, and loss/accuracy accumulated as
tensors and read once per epoch.

    python benchmarks/torch_worker.py --workload W1 --out r.json
"""

from __future__ import annotations

import itertools
import time

import torch
import torch.nn.functional as F
from torch import nn

import sequence_models
import timing
import worker_util
import workloads


def build_model(workload: workloads.Workload) -> nn.Module:
    """Linear/ReLU stack producing logits (no final activation).

    Weights use Keras' default initialisation (Glorot uniform, zero bias)
    rather than torch's, so that every framework solves the same problem and
    the final accuracies are comparable; it does not affect the timings.
    """
    if workload.is_text:
        return sequence_models.build_torch_text(workload)
    if workload.is_cnn:
        return build_cnn(workload)
    layers: list[nn.Module] = []
    dims = workload.units
    for i, (d_in, d_out) in enumerate(itertools.pairwise(dims)):
        linear = nn.Linear(d_in, d_out)
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def build_cnn(workload: workloads.Workload) -> nn.Sequential:
    """The W5 CNN as a PyTorch user writes it: NCHW Conv2d/ReLU/MaxPool2d, logits out.

    Same Keras-style initialisation (Glorot uniform, zero bias) as the MLPs.
    """
    height, width, channels = workload.image_shape
    layers: list[nn.Module] = []
    for kind, size, kernel, _ in workloads.CNN_LAYERS:
        if kind == "conv":
            conv = nn.Conv2d(channels, size, kernel)
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)
            layers += [conv, nn.ReLU()]
            channels, height, width = size, height - kernel + 1, width - kernel + 1
        elif kind == "pool":
            layers.append(nn.MaxPool2d(size))
            height, width = height // size, width // size
        elif kind == "flatten":
            layers.append(nn.Flatten())
        else:  # the final Dense, without its softmax (the loss takes logits)
            linear = nn.Linear(channels * height * width, size)
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)
            layers.append(linear)
    return nn.Sequential(*layers)


def make_optimizer(name: str, params) -> torch.optim.Optimizer:
    """torch.optim optimizers with Keras' default hyperparameters."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01)
    if name == "adam":
        return torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=0.001, alpha=0.9, eps=1e-7)
    raise ValueError(name)


def loss_and_correct(loss_name: str, logits: torch.Tensor, target: torch.Tensor):
    """Mean loss and the number of correct predictions, both as tensors."""
    if loss_name == "binary_crossentropy":
        loss = F.binary_cross_entropy_with_logits(logits, target)
        correct = ((logits > 0) == (target > 0.5)).sum()
    elif loss_name == "sparse_categorical_crossentropy":
        loss = F.cross_entropy(logits, target)
        correct = (logits.argmax(1) == target).sum()
    else:  # categorical: one-hot probability targets (torch >= 1.10)
        loss = F.cross_entropy(logits, target)
        correct = (logits.argmax(1) == target.argmax(1)).sum()
    return loss, correct


def train_epoch(model, optimizer, loss_name, x, y, batch_size):
    """One shuffled pass over (x, y); returns (mean loss, accuracy) floats."""
    n = x.shape[0]
    perm = torch.randperm(n)
    loss_sum = torch.zeros(())
    correct = torch.zeros((), dtype=torch.int64)
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad(set_to_none=True)
        loss, batch_correct = loss_and_correct(loss_name, model(xb), yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.detach() * idx.numel()
        correct += batch_correct
    return loss_sum.item() / n, correct.item() / n


def probabilities(loss_name: str, logits: torch.Tensor) -> torch.Tensor:
    """What Keras' predict returns: the sigmoid / softmax of the logits."""
    if loss_name == "binary_crossentropy":
        return torch.sigmoid(logits)
    return torch.softmax(logits, dim=1)


def time_predict(model: nn.Module, x: torch.Tensor, workload: workloads.Workload) -> dict:
    """Samples/s of the PyTorch user's predict loop: eval mode, inference_mode,
    batches of ``predict_batch``, probabilities concatenated into one NumPy array."""
    rows = workload.predict_rows(len(x))
    inputs = x[:rows]

    def predict():
        with torch.inference_mode():
            outs = [probabilities(workload.loss, model(xb))
                    for xb in inputs.split(workload.predict_batch)]
            return torch.cat(outs).numpy()

    model.eval()
    times = worker_util.time_passes(predict)
    model.train()
    return worker_util.predict_summary(times, rows, workload.predict_batch)


def run(workload: workloads.Workload, threads: int, budget_s: float, predict: bool,
        stages: worker_util.Stages) -> dict:
    """Train ``workload`` (then time predict) and return the summary and final metrics."""
    torch.set_num_threads(threads)
    torch.manual_seed(workloads.SEED)
    stages.mark("imported")
    x_np, y_np = workloads.load_training_data(workload)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    if workload.is_cnn:  # PyTorch's native NCHW layout, converted once before timing
        x = x.permute(0, 3, 1, 2).contiguous()
    if workload.is_text:  # token ids as int64, as nn.Embedding users keep them
        x = x.long()
    stages.mark("data")
    model = build_model(workload)
    stages.mark("built")
    optimizer = make_optimizer(workload.optimizer, model.parameters())
    stages.mark("compiled")
    epoch_times: list[float] = []
    logs: dict = {}
    while not timing.should_stop(epoch_times, workload.epochs, budget_s):
        start = time.perf_counter()
        loss, accuracy = train_epoch(model, optimizer, workload.loss, x, y,
                                     workload.batch_size)
        epoch_times.append(time.perf_counter() - start)
        logs = {"accuracy": accuracy, "loss": loss}
    stages.mark("trained")
    result = timing.summarize(epoch_times, workload.epoch_samples)
    result["final_logs"] = logs
    result["backend"] = "torch"
    result["version"] = torch.__version__
    if predict and workload.predict_batch:
        result.update(time_predict(model, x, workload))
        stages.mark("predicted")
    return result


def main(argv=None) -> None:
    stages = worker_util.Stages()
    stages.mark("started")
    args = worker_util.parse_worker_args(__doc__.splitlines()[0], argv)
    workload = worker_util.effective_workload(args)
    result = run(workload, args.threads, args.budget, args.predict and not args.startup, stages)
    worker_util.write_result(args.out, result, stages)


if __name__ == "__main__":
    main()
