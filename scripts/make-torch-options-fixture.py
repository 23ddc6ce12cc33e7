"""Writes test/fixtures/torch-options.json, PyTorch's values for test/torch-options.test.ts.

    /usr/bin/python3 scripts/make-torch-options-fixture.py

AvgPool2d with divisor_override (with padding, strides, ceil_mode and count_include_pad both
ways, which the override makes moot): input, upstream gradient, output and input gradient (torch
1.13, float32), tensors as {shape, data} with every float32 value written exactly.
"""
import json

import numpy as np
import torch

from torch_fixture import tensor, write_cases

rng = np.random.default_rng(7)


POOLS = [
    (dict(kernel_size=3, divisor_override=5), (2, 3, 7, 8)),
    (dict(kernel_size=(2, 3), stride=(2, 1), padding=1, divisor_override=2), (1, 2, 5, 7)),
    (dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=7), (2, 2, 8, 9)),
    (dict(kernel_size=2, divisor_override=1), (1, 3, 5, 5)),
]
NAMES = {'kernel_size': 'kernelSize', 'ceil_mode': 'ceilMode', 'count_include_pad': 'countIncludePad', 'divisor_override': 'divisorOverride'}
cases = []
for kwargs, shape in POOLS:
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).requires_grad_(True)
    y = torch.nn.AvgPool2d(**kwargs)(x)
    g = torch.from_numpy(rng.standard_normal(tuple(y.shape)).astype(np.float32))
    y.backward(g)
    options = {NAMES.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    cases.append({'name': f'AvgPool2d {json.dumps(options)} on {list(shape)}', 'layer': 'AvgPool2d', 'options': options,
                  'input': tensor(x), 'gradOutput': tensor(g), 'expected': {'output': tensor(y), 'gradInput': tensor(x.grad)}})

write_cases('torch-options.json', cases)
