"""`layerwise.mixed_precision`: Keras 3's mixed precision API.

`set_global_policy("mixed_bfloat16")` (or `"mixed_float16"`) makes the layers
created afterwards keep float32 variables and compute in bfloat16 / float16
through `torch.autocast`; a layer given `dtype="float32"` stays in float32
inside a mixed model. Wrap the optimizer in `LossScaleOptimizer` for float16.

Example:

>>> import layerwise as keras
>>> keras.mixed_precision.set_global_policy("mixed_bfloat16")
>>> keras.layers.Dense(4).compute_dtype
'bfloat16'
>>> keras.mixed_precision.set_global_policy("float32")
"""

from layerwise.backend.dtype_policy import DTypePolicy as DTypePolicy
from layerwise.backend.dtype_policy import FloatDTypePolicy as FloatDTypePolicy
from layerwise.backend.dtype_policy import Policy as Policy
from layerwise.backend.dtype_policy import dtype_policy as dtype_policy
from layerwise.backend.dtype_policy import global_policy as global_policy
from layerwise.backend.dtype_policy import set_dtype_policy as set_dtype_policy
from layerwise.backend.dtype_policy import set_global_policy as set_global_policy
from layerwise.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
