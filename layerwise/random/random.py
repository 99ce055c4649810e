"""Random ops of `keras.random`, on torch generators.

An int `seed` gives the same values on every call (and the same values as Keras 3 on its
torch backend); a `SeedGenerator` gives new, reproducible values per call; `seed=None`
draws from torch's global generator, which `utils.set_random_seed` seeds.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.backend.dtypes import convert_to_tensor
from layerwise.random.seed_generator import SeedGenerator, draw_seed, torch_generator


def _dtype(dtype) -> torch.dtype:
    return to_torch_dtype(dtype or floatx())


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Samples from a normal distribution."""
    return torch.normal(mean, stddev, size=_shape(shape), generator=torch_generator(seed),
                        dtype=_dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Samples uniformly from `[minval, maxval)`."""
    shape = _shape(shape)
    values = torch.rand(shape or (1,), generator=torch_generator(seed), dtype=_dtype(dtype))
    values = (maxval - minval) * values + minval
    return values if shape else values[0]


def randint(shape, minval, maxval, dtype="int32", seed=None) -> torch.Tensor:
    """Samples integers uniformly from `[minval, maxval)`."""
    return torch.randint(low=minval, high=maxval, size=_shape(shape),
                         generator=torch_generator(seed), dtype=to_torch_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal samples, redrawn when more than two standard deviations from the mean."""
    shape = _shape(shape)
    dtype = _dtype(dtype)
    x = normal(shape + (4,), 0.0, 1.0, dtype=dtype, seed=seed)
    first_valid = ((x > -2) & (x < 2)).max(-1, keepdim=True)[1]
    return x.gather(-1, first_valid).squeeze(-1) * stddev + mean


def categorical(logits, num_samples, dtype="int32", seed=None) -> torch.Tensor:
    """Draws `num_samples` class indices per row of `logits`."""
    probs = torch.softmax(convert_to_tensor(logits), dim=-1)
    return torch.multinomial(probs, num_samples, replacement=True,
                             generator=torch_generator(seed)).to(to_torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None) -> torch.Tensor:
    """Zeroes a `rate` fraction of `inputs` and scales the rest by `1 / (1 - rate)`."""
    inputs = convert_to_tensor(inputs)
    if rate == 1.0:
        return torch.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    seeded = seed is not None and not (isinstance(seed, SeedGenerator)
                                       and seed._initial_seed is None)
    if not seeded and noise_shape is None:
        return F.dropout(inputs, p=rate, training=True)
    keep = 1.0 - rate
    shape = inputs.shape if noise_shape is None else [
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    mask = torch.bernoulli(torch.full(tuple(shape), keep), generator=torch_generator(seed))
    mask = torch.broadcast_to(mask.bool(), inputs.shape)
    return torch.where(mask, inputs / keep, torch.zeros_like(inputs))


def shuffle(x, axis=0, seed=None) -> torch.Tensor:
    """Shuffles `x` along `axis`."""
    x = convert_to_tensor(x)
    perm = torch.rand(x.shape[:axis + 1], generator=torch_generator(seed)).argsort(axis)
    for _ in range(x.ndim - axis - 1):
        perm = perm.unsqueeze(-1)
    perm = perm.repeat(*([1] * (axis + 1)), *x.shape[axis + 1:])
    return x.gather(axis, perm)


def _with_seed(seed, sample):
    """Runs `sample()` on the global RNG seeded from `seed`, then restores the RNG."""
    value = draw_seed(seed)
    if value is None:
        return sample()
    state = torch.random.get_rng_state()
    torch.manual_seed(value)
    try:
        return sample()
    finally:
        torch.random.set_rng_state(state)


def gamma(shape, alpha, dtype=None, seed=None) -> torch.Tensor:
    """Samples from a gamma distribution with concentration `alpha` (rate 1)."""
    shape = _shape(shape)
    alpha = torch.broadcast_to(convert_to_tensor(alpha), shape)
    dist = torch.distributions.Gamma(alpha, torch.ones(shape))
    return _with_seed(seed, dist.sample).to(_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None) -> torch.Tensor:
    """Samples from a beta distribution."""
    shape = _shape(shape)
    dist = torch.distributions.Beta(torch.broadcast_to(convert_to_tensor(alpha), shape),
                                    torch.broadcast_to(convert_to_tensor(beta), shape))
    return _with_seed(seed, dist.sample).to(_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> torch.Tensor:
    """Samples from a binomial distribution."""
    shape = _shape(shape)
    dist = torch.distributions.Binomial(
        total_count=torch.broadcast_to(convert_to_tensor(counts), shape),
        probs=torch.broadcast_to(convert_to_tensor(probabilities), shape))
    return _with_seed(seed, dist.sample).to(_dtype(dtype))
