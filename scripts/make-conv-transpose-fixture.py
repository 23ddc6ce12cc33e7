"""Writes test/fixtures/conv-transpose-torch.json, PyTorch's values for test/conv-transpose.test.ts.

    /usr/bin/python3 scripts/make-conv-transpose-fixture.py

torch.nn.ConvTranspose2d over geometries that exercise every option (stride, padding,
output_padding, dilation, groups, no bias, 1×1, a non-square kernel): the weight and bias (drawn
here, loaded into Descent's layer), input, upstream gradient, output, and the input, weight and
bias gradients (torch 1.13, float32), tensors as {shape, data} with every float32 value written
exactly.
"""
import json

import numpy as np
import torch

from torch_fixture import tensor, write_cases

rng = np.random.default_rng(11)


# (in, out, kernel, options, input shape)
LAYERS = [
    (3, 2, 3, dict(), (2, 3, 5, 6)),
    (4, 6, 3, dict(stride=2, padding=1, output_padding=1), (2, 4, 3, 4)),
    (2, 3, (2, 4), dict(stride=(2, 1), padding=(0, 1)), (2, 2, 3, 4)),
    (4, 4, 3, dict(dilation=2, padding=2, groups=2, bias=False), (1, 4, 5, 5)),
    (6, 4, 1, dict(), (2, 6, 3, 3)),
    (6, 9, 3, dict(stride=3, groups=3, output_padding=2), (2, 6, 2, 3)),
    (2, 2, 3, dict(stride=1, dilation=2, output_padding=1), (1, 2, 4, 4)),
    (8, 4, 4, dict(stride=2, padding=1), (2, 8, 4, 5)),
    (5, 3, 5, dict(stride=2, padding=2, output_padding=1), (1, 5, 1, 1)),
]
NAMES = {'output_padding': 'outputPadding'}
cases = []
for cin, cout, kernel, kwargs, shape in LAYERS:
    layer = torch.nn.ConvTranspose2d(cin, cout, kernel, **kwargs)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(rng.standard_normal(tuple(layer.weight.shape)).astype(np.float32) * 0.5))
        if layer.bias is not None:
            layer.bias.copy_(torch.from_numpy(rng.standard_normal(tuple(layer.bias.shape)).astype(np.float32)))
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).requires_grad_(True)
    y = layer(x)
    g = torch.from_numpy(rng.standard_normal(tuple(y.shape)).astype(np.float32))
    y.backward(g)
    options = {NAMES.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    expected = {'output': tensor(y), 'gradInput': tensor(x.grad), 'gradWeight': tensor(layer.weight.grad)}
    if layer.bias is not None:
        expected['gradBias'] = tensor(layer.bias.grad)
    cases.append({'name': f'ConvTranspose2d({cin}, {cout}, {json.dumps(kernel if isinstance(kernel, int) else list(kernel))}, {json.dumps(options)}) on {list(shape)}',
                  'inChannels': cin, 'outChannels': cout, 'kernelSize': kernel if isinstance(kernel, int) else list(kernel), 'options': options,
                  'weight': tensor(layer.weight), 'bias': tensor(layer.bias) if layer.bias is not None else None,
                  'input': tensor(x), 'gradOutput': tensor(g), 'expected': expected})

write_cases('conv-transpose-torch.json', cases)
