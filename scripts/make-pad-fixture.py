"""Writes test/fixtures/pad-torch.json, PyTorch's values for test/pad.test.ts (Node and Chromium).

    /usr/bin/python3 scripts/make-pad-fixture.py

torch.nn.functional.pad in each mode (constant with a value, reflect, replicate, circular) on the
last one or two dimensions, and Conv2d with each padding_mode, explicit and 'same' padding, strides,
dilation and groups: input, upstream gradient, output and gradients (torch 1.13, float32). Sizes are
odd and include planes of one row or column where the mode allows. Tensors are {shape, data} with
every float32 value written exactly, as ../shared/golden writes them.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

from torch_fixture import tensor, write_cases

rng = np.random.default_rng(15)


def randn(*shape):
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


cases = []
PADS = [
    ('reflect', (2, 1, 1, 3), (2, 3, 5, 4)),
    ('reflect', (1, 2), (2, 3, 5)),
    ('reflect', (0, 0, 2, 0), (1, 2, 3, 1)),
    ('replicate', (3, 0, 2, 4), (2, 2, 3, 5)),
    ('replicate', (2, 2, 1, 1), (1, 1, 1, 1)),
    ('replicate', (1, 3), (3, 2, 1)),
    ('circular', (2, 3, 1, 2), (2, 2, 3, 3)),
    ('circular', (1, 1, 3, 0), (1, 3, 3, 5)),
    ('circular', (2, 1), (2, 2, 2)),
    ('constant', (1, 2, 0, 3), (2, 3, 4, 5)),
    ('constant', (2, 0), (3, 5)),
]
for i, (mode, pad, shape) in enumerate(PADS):
    x = randn(*shape).requires_grad_(True)
    value = 1.5 if mode == 'constant' and i % 2 else 0.0
    y = F.pad(x, pad, mode=mode, value=value) if mode == 'constant' else F.pad(x, pad, mode=mode)
    g = randn(*y.shape)
    y.backward(g)
    options = {'mode': mode}
    if value:
        options['value'] = value
    cases.append({'name': f'pad {mode} {list(pad)} on {list(shape)}', 'op': 'pad', 'padding': list(pad), 'options': options,
                  'input': tensor(x), 'gradOutput': tensor(g), 'expected': {'output': tensor(y), 'gradInput': tensor(x.grad)}})

CONVS = [
    ('reflect', dict(in_channels=2, out_channels=3, kernel_size=3, padding=1), (2, 2, 5, 6)),
    ('reflect', dict(in_channels=3, out_channels=2, kernel_size=(3, 5), padding=(2, 1), stride=2), (1, 3, 7, 5)),
    ('replicate', dict(in_channels=2, out_channels=4, kernel_size=3, padding='same', dilation=2), (2, 2, 5, 7)),
    ('replicate', dict(in_channels=4, out_channels=4, kernel_size=3, padding=2, groups=4, bias=False), (2, 4, 3, 4)),
    ('circular', dict(in_channels=2, out_channels=3, kernel_size=(2, 4), padding='same'), (2, 2, 5, 6)),
    ('circular', dict(in_channels=1, out_channels=2, kernel_size=3, padding=(1, 2), stride=(1, 2)), (3, 1, 4, 5)),
    ('zeros', dict(in_channels=2, out_channels=2, kernel_size=3, padding=1), (1, 2, 4, 4)),
]
OPTION_NAMES = {'in_channels': 'inChannels', 'out_channels': 'outChannels', 'kernel_size': 'kernelSize'}
for mode, kwargs, shape in CONVS:
    torch.manual_seed(len(cases))
    conv = torch.nn.Conv2d(padding_mode=mode, **kwargs)
    x = randn(*shape).requires_grad_(True)
    y = conv(x)
    g = randn(*y.shape)
    y.backward(g)
    options = {OPTION_NAMES.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    options['paddingMode'] = mode
    cases.append({
        'name': f'Conv2d paddingMode {mode} {json.dumps(options)}', 'op': 'Conv2d', 'options': options,
        'params': {name: tensor(p) for name, p in conv.named_parameters()},
        'input': tensor(x), 'gradOutput': tensor(g),
        'expected': {'output': tensor(y), 'gradInput': tensor(x.grad),
                     'gradParams': {name: tensor(p.grad) for name, p in conv.named_parameters()}},
    })

write_cases('pad-torch.json', cases)
