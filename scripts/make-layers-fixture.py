"""Writes test/fixtures/layers-torch.json, PyTorch's values for test/torch-layers.test.ts.

    /usr/bin/python3 scripts/make-layers-fixture.py

Layers given by torch.nn name, positional arguments and options, each case run as is by the test.
The 1-D layers over [N, C, L] (and one [C, L] sample) with every option: Conv1d (stride, padding,
'same' with an even kernel, dilation, groups, no bias, 1×1, the three padding modes), MaxPool1d
(stride, padding, dilation, ceil_mode), AvgPool1d (padding, ceil_mode, count_include_pad),
AdaptiveAvgPool1d and AdaptiveMaxPool1d (even, uneven and overlapping windows); AdaptiveMaxPool2d
(None for a side, more outputs than inputs, the global max); ConvTranspose2d over geometries that
exercise every option (stride, padding, output_padding, dilation, groups, no bias, 1×1, a
non-square kernel); AvgPool2d with divisor_override (with padding, strides, ceil_mode and
count_include_pad both ways, which the override makes moot); the activations SiLU, Mish, ELU
(alpha), SELU, Hardswish, Hardsigmoid and ReLU6 on values around their kinks; PReLU (one slope, one
per channel); GroupNorm (groups of
several channels, of one, one group; 2-D to 5-D inputs; eps; without affine); InstanceNorm1d and
InstanceNorm2d (batched and one sample, affine or not); Upsample (nearest, nearest-exact, linear,
bilinear; up and down, by size and by factor, align_corners, recompute_scale_factor); the padding
layers (each side its own size; 2-D and 3-D / 3-D and 4-D inputs); CrossEntropyLoss and NLLLoss
in torch's K-dimensional form (class indices and probabilities, label smoothing, each reduction),
KLDivLoss (each reduction with batchmean, log_target, zero targets), the target given in the case; LSTM, GRU and RNN (layers, batch_first, no bias, one unbatched
sequence, bidirectional, a given initial state, RNN's relu, LSTM's proj_size; their `output` and
h_n / c_n). For each: the parameters
(drawn here, loaded into Descent's layer), input, upstream gradient, output, and the input and
parameter gradients (torch 1.13, float32), tensors as {shape, data} with every float32 value
written exactly.
"""
import json

import numpy as np
import torch

from torch_fixture import tensor, write_cases

rng = np.random.default_rng(17)

# (layer, positional arguments, options, input shape)
LAYERS = [
    ('Conv1d', (3, 4, 3), dict(), (2, 3, 9)),
    ('Conv1d', (4, 6, 3), dict(stride=2, padding=1), (2, 4, 10)),
    ('Conv1d', (2, 3, 4), dict(padding='same'), (3, 2, 7)),
    ('Conv1d', (4, 4, 3), dict(dilation=2, padding=2, groups=2, bias=False), (1, 4, 8)),
    ('Conv1d', (6, 6, 5), dict(groups=6, padding=2), (2, 6, 11)),
    ('Conv1d', (6, 4, 1), dict(), (2, 6, 5)),
    ('Conv1d', (5, 3, 2), dict(), (5, 13)),
    ('Conv1d', (2, 3, 3), dict(padding=2, padding_mode='reflect'), (2, 2, 6)),
    ('Conv1d', (2, 2, 4), dict(padding='same', padding_mode='circular'), (2, 2, 5)),
    ('Conv1d', (3, 2, 3), dict(padding=3, stride=3, padding_mode='replicate'), (1, 3, 4)),
    ('Conv1d', (16, 8, 3), dict(padding=1), (9, 16, 12)),
    ('MaxPool1d', (2,), dict(), (2, 3, 9)),
    ('MaxPool1d', (3,), dict(stride=2, padding=1, dilation=2, ceil_mode=True), (2, 2, 10)),
    ('MaxPool1d', (4,), dict(stride=1), (3, 7)),
    ('AvgPool1d', (3,), dict(stride=2, padding=1), (2, 3, 8)),
    ('AvgPool1d', (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 2, 8)),
    ('AvgPool1d', (2,), dict(), (3, 5)),
    ('AdaptiveAvgPool1d', (3,), dict(), (2, 3, 8)),
    ('AdaptiveAvgPool1d', (1,), dict(), (2, 4, 7)),
    ('AdaptiveAvgPool1d', (5,), dict(), (3, 5)),
    ('AdaptiveMaxPool1d', (3,), dict(), (2, 3, 8)),
    ('AdaptiveMaxPool1d', (1,), dict(), (2, 4, 7)),
    ('AdaptiveMaxPool1d', (4,), dict(), (2, 3)),
    ('AdaptiveMaxPool2d', (1,), dict(), (2, 3, 5, 6)),
    ('AdaptiveMaxPool2d', ((3, 2),), dict(), (2, 2, 7, 5)),
    ('AdaptiveMaxPool2d', ((None, 3),), dict(), (1, 2, 4, 9)),
    ('AdaptiveMaxPool2d', ((6, 4),), dict(), (3, 4, 3)),
    ('ConvTranspose2d', (3, 2, 3), dict(), (2, 3, 5, 6)),
    ('ConvTranspose2d', (4, 6, 3), dict(stride=2, padding=1, output_padding=1), (2, 4, 3, 4)),
    ('ConvTranspose2d', (2, 3, (2, 4)), dict(stride=(2, 1), padding=(0, 1)), (2, 2, 3, 4)),
    ('ConvTranspose2d', (4, 4, 3), dict(dilation=2, padding=2, groups=2, bias=False), (1, 4, 5, 5)),
    ('ConvTranspose2d', (6, 4, 1), dict(), (2, 6, 3, 3)),
    ('ConvTranspose2d', (6, 9, 3), dict(stride=3, groups=3, output_padding=2), (2, 6, 2, 3)),
    ('ConvTranspose2d', (2, 2, 3), dict(stride=1, dilation=2, output_padding=1), (1, 2, 4, 4)),
    ('ConvTranspose2d', (8, 4, 4), dict(stride=2, padding=1), (2, 8, 4, 5)),
    ('ConvTranspose2d', (5, 3, 5), dict(stride=2, padding=2, output_padding=1), (1, 5, 1, 1)),
    ('AvgPool2d', (3,), dict(divisor_override=5), (2, 3, 7, 8)),
    ('AvgPool2d', ((2, 3),), dict(stride=(2, 1), padding=1, divisor_override=2), (1, 2, 5, 7)),
    ('AvgPool2d', (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=7), (2, 2, 8, 9)),
    ('AvgPool2d', (2,), dict(divisor_override=1), (1, 3, 5, 5)),
    ('SiLU', (), dict(), (4, 37)),
    ('Mish', (), dict(), (4, 37)),
    ('ELU', (), dict(), (4, 37)),
    ('ELU', (0.3,), dict(), (2, 3, 11)),
    ('ELU', (), dict(alpha=1.7), (37,)),
    ('SELU', (), dict(), (4, 37)),
    ('Hardswish', (), dict(), (4, 37)),
    ('Hardsigmoid', (), dict(), (4, 37)),
    ('ReLU6', (), dict(), (4, 37)),
    ('PReLU', (), dict(), (4, 9)),
    ('PReLU', (3,), dict(init=0.1), (2, 3, 4, 5)),
    ('PReLU', (4,), dict(), (5, 4)),
    ('GroupNorm', (2, 4), dict(), (2, 4, 3, 5)),
    ('GroupNorm', (3, 6), dict(eps=1e-3, affine=False), (3, 6, 7)),
    ('GroupNorm', (1, 3), dict(), (4, 3)),
    ('GroupNorm', (4, 4), dict(), (2, 4, 2, 2, 3)),
    ('GroupNorm', (2, 6), dict(eps=0.1), (5, 6, 4, 4)),
    ('InstanceNorm1d', (3,), dict(), (2, 3, 9)),
    ('InstanceNorm1d', (4,), dict(affine=True, eps=1e-3), (4, 7)),
    ('InstanceNorm2d', (3,), dict(affine=True), (2, 3, 5, 4)),
    ('InstanceNorm2d', (2,), dict(momentum=0.5), (2, 3, 6)),
    ('Upsample', (), dict(scale_factor=2), (2, 3, 4, 5)),
    ('Upsample', (), dict(size=(7, 9)), (1, 2, 4, 5)),
    ('Upsample', (), dict(scale_factor=0.5), (1, 2, 6, 7)),
    ('Upsample', (), dict(scale_factor=1.7), (1, 2, 5, 3)),
    ('Upsample', (), dict(size=(5, 7), mode='nearest-exact'), (2, 2, 3, 4)),
    ('Upsample', (), dict(scale_factor=2, mode='bilinear'), (2, 2, 3, 4)),
    ('Upsample', (), dict(size=(5, 8), mode='bilinear', align_corners=True), (1, 3, 3, 4)),
    ('Upsample', (), dict(scale_factor=0.6, mode='bilinear'), (1, 2, 7, 9)),
    ('Upsample', (), dict(scale_factor=1.5, mode='bilinear', recompute_scale_factor=True), (1, 2, 5, 5)),
    ('Upsample', (), dict(scale_factor=(2, 1.5), mode='bilinear'), (1, 2, 3, 4)),
    ('Upsample', (), dict(size=11, mode='linear'), (2, 3, 6)),
    ('Upsample', (), dict(scale_factor=2, mode='linear', align_corners=True), (2, 2, 5)),
    ('Upsample', (), dict(scale_factor=3), (2, 2, 4)),
    ('ZeroPad2d', ((1, 2, 0, 3),), dict(), (2, 2, 3, 4)),
    ('ZeroPad1d', (2,), dict(), (2, 3, 5)),
    ('ConstantPad1d', ((2, 1), -1.5), dict(), (3, 4)),
    ('ConstantPad2d', (1, 0.25), dict(), (1, 2, 3, 3)),
    ('ReflectionPad1d', ((3, 1),), dict(), (2, 2, 5)),
    ('ReflectionPad2d', ((1, 2, 2, 0),), dict(), (2, 2, 4, 5)),
    ('ReplicationPad1d', (3,), dict(), (2, 4)),
    ('ReplicationPad2d', ((0, 3, 1, 2),), dict(), (1, 2, 3, 4)),
    ('CircularPad1d', ((2, 3),), dict(), (2, 2, 4)),
    ('CircularPad2d', ((1, 2, 2, 1),), dict(), (1, 2, 3, 4)),
]
# LSTMs, GRUs and RNNs: (layer, input size, hidden size, options, input shape); forward returns torch's `output`.
RECURRENT = [
    ('LSTM', 3, 4, dict(), (5, 2, 3)),
    ('LSTM', 4, 3, dict(num_layers=2), (4, 3, 4)),
    ('LSTM', 2, 5, dict(batch_first=True), (3, 6, 2)),
    ('LSTM', 3, 2, dict(bias=False, num_layers=3, batch_first=True), (2, 4, 3)),
    ('LSTM', 4, 4, dict(), (7, 4)),
    ('GRU', 3, 4, dict(), (5, 2, 3)),
    ('GRU', 4, 3, dict(num_layers=2, batch_first=True), (3, 4, 4)),
    ('GRU', 2, 5, dict(bias=False), (6, 3, 2)),
    ('GRU', 4, 4, dict(num_layers=2), (7, 4)),
    # bidirectional: the reverse direction's parameters, output columns and h_n rows; the last
    # entries start from a given state (h0, and c0 for LSTM).
    ('LSTM', 3, 4, dict(bidirectional=True), (5, 2, 3)),
    ('LSTM', 4, 3, dict(bidirectional=True, num_layers=2, batch_first=True), (3, 4, 4)),
    ('LSTM', 3, 2, dict(bidirectional=True, bias=False, num_layers=3), (4, 3)),
    ('GRU', 3, 4, dict(bidirectional=True), (6, 2, 3)),
    ('GRU', 2, 3, dict(bidirectional=True, num_layers=2), (4, 3, 2)),
    ('GRU', 4, 2, dict(bidirectional=True, batch_first=True, bias=False, num_layers=2), (2, 5, 4)),
    ('GRU', 2, 3, dict(bidirectional=True), (1, 2, 2)),
    ('LSTM', 3, 4, dict(bidirectional=True, num_layers=2), (4, 2, 3), 'state'),
    ('GRU', 3, 2, dict(bidirectional=True, batch_first=True), (3, 5, 3), 'state'),
    ('LSTM', 2, 3, dict(num_layers=2, batch_first=True), (2, 4, 2), 'state'),
    # Elman RNNs: tanh and relu, every option above.
    ('RNN', 3, 4, dict(), (5, 2, 3)),
    ('RNN', 4, 3, dict(nonlinearity='relu', num_layers=2, batch_first=True), (3, 4, 4)),
    ('RNN', 2, 5, dict(bidirectional=True, bias=False), (6, 3, 2)),
    ('RNN', 3, 3, dict(nonlinearity='relu', bidirectional=True, num_layers=2), (4, 3), 'state'),
    ('RNN', 2, 4, dict(num_layers=3), (7, 2, 2), 'state'),
    # LSTM's proj_size: h projected by weight_hr (c keeps hidden_size).
    ('LSTM', 3, 5, dict(proj_size=2), (4, 2, 3)),
    ('LSTM', 4, 4, dict(proj_size=3, num_layers=2, bidirectional=True, batch_first=True), (2, 5, 4), 'state'),
    ('LSTM', 2, 3, dict(proj_size=1, bias=False), (5, 2)),
]

# Losses over [N, C, d1, …] (torch's K-dimensional form): (loss, options, input shape, target kind)
# with the target drawn here — class indices of [N, d1, …], or probabilities of the input's shape.
LOSSES = [
    ('CrossEntropyLoss', dict(), (2, 3, 4, 5), 'index'),
    ('CrossEntropyLoss', dict(reduction='sum', label_smoothing=0.1), (3, 4, 6), 'index'),
    ('CrossEntropyLoss', dict(reduction='none'), (2, 5, 3, 2), 'index'),
    ('CrossEntropyLoss', dict(), (2, 3, 4, 2), 'probability'),
    ('CrossEntropyLoss', dict(label_smoothing=0.2), (4, 3), 'index'),
    ('NLLLoss', dict(), (2, 4, 3, 3), 'index'),
    ('NLLLoss', dict(reduction='none'), (3, 2, 5), 'index'),
    # torch's weight and ignore_index: 'ignored' sets every third item's class to the ignored index.
    ('CrossEntropyLoss', dict(weight=(0.5, 2.0, 1.0, 0.25)), (5, 4), 'index'),
    ('CrossEntropyLoss', dict(weight=(1.5, 0.3, 0.8), ignore_index=1, label_smoothing=0.15), (2, 3, 4, 5), 'index'),
    ('CrossEntropyLoss', dict(), (6, 5), 'ignored'),
    ('CrossEntropyLoss', dict(weight=(0.2, 1.0, 3.0, 0.7), reduction='none', ignore_index=7), (3, 4, 6), 'ignored'),
    ('CrossEntropyLoss', dict(weight=(2.0, 0.5, 1.0), reduction='sum', label_smoothing=0.2), (5, 3), 'ignored'),
    ('CrossEntropyLoss', dict(weight=(0.4, 1.2, 2.5), label_smoothing=0.1), (4, 3, 2, 2), 'probability'),
    ('CrossEntropyLoss', dict(), (4, 5), 'unnormalised'),
    ('NLLLoss', dict(weight=(1.0, 0.1, 2.0, 0.6), ignore_index=0), (2, 4, 3, 3), 'index'),
    ('NLLLoss', dict(weight=(0.3, 1.7, 1.1), reduction='sum'), (7, 3), 'ignored'),
    # KLDivLoss: 'distribution' softmax targets with every fifth entry exactly 0; 'logdistribution' log-probabilities.
    ('KLDivLoss', dict(reduction='batchmean'), (4, 5), 'distribution'),
    ('KLDivLoss', dict(), (3, 4, 2), 'distribution'),
    ('KLDivLoss', dict(reduction='sum', log_target=True), (5, 3), 'logdistribution'),
    ('KLDivLoss', dict(reduction='none'), (2, 3, 4), 'distribution'),
    ('KLDivLoss', dict(reduction='batchmean', log_target=True), (3, 2, 5), 'logdistribution'),
]

# Padding layers torch 1.13 lacks (ZeroPad1d and CircularPad1d/2d came in 2.1): F.pad with their mode.
LATER = {'ZeroPad1d': 'constant', 'CircularPad1d': 'circular', 'CircularPad2d': 'circular'}
ACTIVATIONS = {'SiLU', 'Mish', 'ELU', 'SELU', 'Hardswish', 'Hardsigmoid', 'ReLU6'}
NAMES = {'padding_mode': 'paddingMode', 'ceil_mode': 'ceilMode', 'count_include_pad': 'countIncludePad',
         'output_padding': 'outputPadding', 'divisor_override': 'divisorOverride', 'scale_factor': 'scaleFactor',
         'align_corners': 'alignCorners', 'recompute_scale_factor': 'recomputeScaleFactor', 'label_smoothing': 'labelSmoothing',
         'num_layers': 'numLayers', 'batch_first': 'batchFirst', 'proj_size': 'projSize', 'ignore_index': 'ignoreIndex', 'log_target': 'logTarget'}


def draw(shape, scale=1.0):
    return torch.from_numpy(np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32))


cases = []
for name, args, kwargs, shape in LAYERS:
    if name in LATER:
        sides = args[0] if isinstance(args[0], tuple) else (args[0],) * (2 if name.endswith('1d') else 4)
        layer = (lambda sides, mode: lambda t: torch.nn.functional.pad(t, sides, mode=mode))(sides, LATER[name])
        layer.named_parameters = lambda: []
    else:
        layer = getattr(torch.nn, name)(*args, **kwargs)
    params = {}
    with torch.no_grad():
        for key, p in layer.named_parameters():
            p.copy_(draw(tuple(p.shape), 0.5 if key == 'weight' else 1.0))
            params[key] = tensor(p)
    # Max pools: distinct values, so the argmax (and the gradient) has no ties.
    # Activations: wide values, past the hard ones' kinks at ±3 and 6, and their tails.
    x = (draw(shape, 4.0) if name in ACTIVATIONS else draw(shape) if 'Max' not in name else torch.from_numpy(rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32) * 0.1))
    x.requires_grad_(True)
    y = layer(x)
    g = draw(tuple(y.shape))
    y.backward(g)
    options = {NAMES.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    expected = {'output': tensor(y), 'gradInput': tensor(x.grad)}
    for key, p in layer.named_parameters():
        expected['grad_' + key] = tensor(p.grad)
    args = [list(a) if isinstance(a, tuple) else a for a in args]
    cases.append({'name': f'{name}({", ".join(json.dumps(a) for a in args)}{", " + json.dumps(options) if options else ""}) on {list(shape)}',
                  'layer': name, 'args': args, 'options': options, 'parameters': params,
                  'input': tensor(x), 'gradOutput': tensor(g), 'expected': expected})

for name, kwargs, shape, kind in LOSSES:
    loss = getattr(torch.nn, name)(**{k: torch.tensor(v) if k == 'weight' else v for k, v in kwargs.items()})
    x = draw(shape).requires_grad_(True)
    items = (shape[0],) + tuple(shape[2:])
    if kind in ('index', 'ignored'):
        target = torch.from_numpy(rng.integers(0, shape[1], items).astype(np.float32))
        if kind == 'ignored':
            target.view(-1)[1::3] = kwargs.get('ignore_index', -100)
        y = loss(torch.log_softmax(x, 1) if name == 'NLLLoss' else x, target.long())
    else:
        # probabilities, or non-negative targets of any sum (torch's gradient is p·Σq − q)
        if kind == 'distribution':
            target = torch.softmax(draw(shape), 1)
            target.view(-1)[::5] = 0
        elif kind == 'logdistribution':
            target = torch.log_softmax(draw(shape), 1)
        else:
            target = torch.softmax(draw(shape), 1) if kind == 'probability' else torch.from_numpy(rng.random(shape).astype(np.float32))
        y = loss(x, target)
    g = draw(tuple(y.shape))
    y.backward(g)
    options = {NAMES.get(k, k): list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    # NLLLoss is fed log-probabilities: the case's input is log_softmax(x), and its gradient is taken there.
    source = torch.log_softmax(x, 1).detach().requires_grad_(True) if name == 'NLLLoss' else x
    if name == 'NLLLoss':
        yy = loss(source, target.long())
        yy.backward(g)
    cases.append({'name': f'{name}({json.dumps(options) if options else ""}) on {list(shape)}, {kind} target',
                  'layer': name, 'args': [], 'options': options, 'parameters': {},
                  'input': tensor(source), 'target': tensor(target), 'gradOutput': tensor(g),
                  'expected': {'output': tensor(y), 'gradInput': tensor(source.grad)}})

for name, cin, hidden, kwargs, shape, *given in RECURRENT:
    layer = getattr(torch.nn, name)(cin, hidden, **kwargs)
    params = {}
    with torch.no_grad():
        for key, p in layer.named_parameters():
            p.copy_(draw(tuple(p.shape), 0.5))
            params[key] = tensor(p)
    x = draw(shape).requires_grad_(True)
    units = layer.num_layers * (2 if layer.bidirectional else 1)
    batch = (shape[0 if layer.batch_first else 1],) if len(shape) == 3 else ()
    state = {'h': draw((units,) + batch + (kwargs.get('proj_size', 0) or hidden,))} if given else {}
    if given and name == 'LSTM':
        state['c'] = draw((units,) + batch + (hidden,))
    y, final = layer(x, (state['h'], state['c']) if 'c' in state else state.get('h'))
    g = draw(tuple(y.shape))
    y.backward(g)
    options = {NAMES.get(k, k): v for k, v in kwargs.items()}
    expected = {'output': tensor(y), 'gradInput': tensor(x.grad)}
    for key, value in zip(('h_n', 'c_n'), final if name == 'LSTM' else (final,)):
        expected[key] = tensor(value)
    for key, p in layer.named_parameters():
        expected['grad_' + key] = tensor(p.grad)
    cases.append({'name': f'{name}({cin}, {hidden}{", " + json.dumps(options) if options else ""}) on {list(shape)}{" from a given state" if given else ""}',
                  'layer': name, 'args': [cin, hidden], 'options': options, 'parameters': params,
                  'input': tensor(x), 'gradOutput': tensor(g), 'expected': expected,
                  **({'state': {k: tensor(v) for k, v in state.items()}} if given else {})})

write_cases('layers-torch.json', cases)
