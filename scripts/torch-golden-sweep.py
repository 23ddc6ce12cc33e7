"""A variant of ../shared/golden/conv.json from PyTorch: random layer cases in the same format.

    /usr/bin/python3 scripts/torch-golden-sweep.py SEED [N] [OUT]     (N: cases per kind, default 12)

The golden README says the project is also checked against the same files with other seeds,
shapes and options; this writes such a file, with more options than the public one (Conv2d
groups, depthwise, 'same'/'valid', dilation, strides, even kernels; MaxPool2d/AvgPool2d with
ceilMode, dilation, countIncludePad; AdaptiveAvgPool2d to non-divisors; BatchNorm1d/2d with
momentum None, 0 and 1, no affine, no running statistics, eval; LayerNorm; Embedding with a
negative paddingIdx; the small CNN at other sizes). To run the golden tests against it, give a
checkout a ../shared of its own:

    mkdir -p /tmp/sweep && git worktree add --detach /tmp/sweep/main HEAD
    ln -s "$PWD/node_modules" /tmp/sweep/main/node_modules && cp -r ../shared /tmp/sweep/
    /usr/bin/python3 scripts/torch-golden-sweep.py 3 15 /tmp/sweep/shared/golden/conv.json
    (cd /tmp/sweep/main && npx vitest run --project node test/golden-conv.test.ts test/golden-norm.test.ts)

Known difference (2026-12-07, seeds 1–7): LayerNorm over a normalizedShape of [1], where torch's
output and gradient are rounding residues (~1e-5) and ours the exact 0.
"""
import json, sys, random
import numpy as np, torch
torch.set_num_threads(1)
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
rng = random.Random(seed); nrng = np.random.default_rng(seed)
def T(t, dtype=None):
    a = t.detach().cpu()
    d = {'shape': list(a.shape), 'data': [float(v) for v in a.float().reshape(-1).tolist()] if dtype is None else [int(v) for v in a.reshape(-1).tolist()]}
    if dtype: d['dtype'] = dtype
    return d
def randn(*shape): return torch.from_numpy(nrng.standard_normal(shape).astype(np.float32))
cases = []
def layer_case(name, layer_type, options, mod, x, training=True, buffers_init=None, integer=False):
    mod.train(training)
    params = {k: T(v) for k, v in mod.named_parameters()}
    case = {'name': name, 'layer': layer_type, 'options': options, 'training': training}
    if buffers_init is not None:
        with torch.no_grad():
            for k, v in buffers_init.items(): getattr(mod, k).copy_(v)
    if not integer: x.requires_grad_(True)
    y = mod(x)
    g = randn(*y.shape)
    y.backward(g)
    case['input'] = T(x, 'int64') if integer else T(x)
    case['params'] = params
    if buffers_init is not None: case['buffers'] = {k: T(v) for k, v in buffers_init.items()}
    case['gradOutput'] = T(g)
    exp = {'output': T(y)}
    if not integer: exp['gradInput'] = T(x.grad)
    gp = {k: T(v.grad) for k, v in mod.named_parameters()}
    if gp: exp['gradParams'] = gp
    bufs = {k: (T(v, 'int64') if v.dtype == torch.int64 else T(v)) for k, v in mod.named_buffers()}
    if bufs: exp['buffers'] = bufs
    case['expected'] = exp
    cases.append(case)

def pair_or(v): return v if rng.random() < 0.5 else [v, rng.choice([1, 2, 3])]
n_each = int(sys.argv[2]) if len(sys.argv) > 2 else 12
for i in range(n_each * 3):
    groups = rng.choice([1, 1, 1, 2, 3])
    cin = groups * rng.choice([1, 2, 3]); cout = groups * rng.choice([1, 2])
    if rng.random() < 0.25: groups = cin; cout = cin * rng.choice([1, 2])
    k = rng.choice([1, 2, 3, 4, 5, [3, 2], [1, 3], [2, 5]])
    opts = {'inChannels': cin, 'outChannels': cout, 'kernelSize': k}
    stride = rng.choice([1, 1, 2, 3, [2, 1], [1, 3]])
    dil = rng.choice([1, 1, 1, 2, [1, 2], [3, 1]])
    pad = rng.choice([0, 1, 2, [1, 0], [0, 2], 'same', 'valid'])
    if pad == 'same': stride = 1
    if stride != 1: opts['stride'] = stride
    if dil != 1: opts['dilation'] = dil
    if pad != 0: opts['padding'] = pad
    if groups != 1: opts['groups'] = groups
    bias = rng.random() < 0.7
    if not bias: opts['bias'] = False
    def tp(v): return tuple(v) if isinstance(v, list) else v
    kk = k if isinstance(k, list) else [k, k]; dd = dil if isinstance(dil, list) else [dil, dil]
    pp = pad if isinstance(pad, list) else ([pad, pad] if isinstance(pad, int) else [0, 0])
    h = max(1, dd[0] * (kk[0] - 1) + 1 - 2 * pp[0]) + rng.choice([0, 1, 2, 4, 7])
    w = max(1, dd[1] * (kk[1] - 1) + 1 - 2 * pp[1]) + rng.choice([0, 1, 3, 6])
    n = rng.choice([1, 2, 3])
    m = torch.nn.Conv2d(cin, cout, tp(k), stride=tp(stride), padding=tp(pad) if not isinstance(pad, str) else pad, dilation=tp(dil), groups=groups, bias=bias)
    layer_case(f'Conv2d #{i}', 'Conv2d', opts, m, randn(n, cin, h, w))
for i in range(n_each * 2):
    k = rng.choice([1, 2, 3, [2, 3], [3, 1]]); kk = k if isinstance(k, list) else [k, k]
    stride = rng.choice([None, 1, 2, [1, 2], 3])
    pad = rng.choice([0, 0, 1, [1, 0]]); pp = pad if isinstance(pad, list) else [pad, pad]
    if pp[0] * 2 > kk[0] or pp[1] * 2 > kk[1]: pad = 0; pp = [0, 0]
    ceil = rng.random() < 0.4
    opts = {'kernelSize': k}
    if stride is not None: opts['stride'] = stride
    if pad != 0: opts['padding'] = pad
    if ceil: opts['ceilMode'] = True
    tp = lambda v: tuple(v) if isinstance(v, list) else v
    c = rng.choice([1, 2, 3]); n = rng.choice([1, 2]); h = kk[0] + rng.choice([0, 1, 2, 5]); w = kk[1] + rng.choice([0, 1, 4])
    if rng.random() < 0.5:
        dil = rng.choice([1, 2])
        if dil != 1:
            opts['dilation'] = dil; h += kk[0]; w += kk[1]
        m = torch.nn.MaxPool2d(tp(k), stride=tp(stride) if stride is not None else None, padding=tp(pad), dilation=dil, ceil_mode=ceil)
        layer_case(f'MaxPool2d #{i}', 'MaxPool2d', opts, m, randn(n, c, h, w))
    else:
        cip = rng.random() < 0.6
        if not cip: opts['countIncludePad'] = False
        m = torch.nn.AvgPool2d(tp(k), stride=tp(stride) if stride is not None else None, padding=tp(pad), ceil_mode=ceil, count_include_pad=cip)
        layer_case(f'AvgPool2d #{i}', 'AvgPool2d', opts, m, randn(n, c, h, w))
for i in range(n_each):
    o = rng.choice([1, 2, 3, [2, 3], [1, 4], 5])
    h, w = rng.choice([1, 3, 5, 7, 8]), rng.choice([2, 4, 7, 9])
    m = torch.nn.AdaptiveAvgPool2d(tuple(o) if isinstance(o, list) else o)
    layer_case(f'AdaptiveAvgPool2d #{i}', 'AdaptiveAvgPool2d', {'outputSize': o}, m, randn(2, 3, h, w))
for i in range(n_each * 2):
    two = rng.random() < 0.5
    c = rng.choice([1, 2, 3, 5])
    opts = {'numFeatures': c}
    eps = rng.choice([None, 1e-3, 0.1]); mom = rng.choice([None, 'none', 0.3, 1.0, 0.0])
    affine = rng.random() < 0.7; track = rng.random() < 0.75; training = rng.random() < 0.6
    if eps is not None: opts['eps'] = eps
    if mom == 'none': opts['momentum'] = None
    elif mom is not None: opts['momentum'] = mom
    if not affine: opts['affine'] = False
    if not track: opts['trackRunningStats'] = False
    kw = dict(eps=eps if eps is not None else 1e-5, momentum=None if mom == 'none' else (mom if mom is not None else 0.1), affine=affine, track_running_stats=track)
    m = (torch.nn.BatchNorm2d if two else torch.nn.BatchNorm1d)(c, **kw)
    if affine:
        with torch.no_grad(): m.weight.copy_(randn(c) * 0.5 + 1); m.bias.copy_(randn(c))
    binit = {'running_mean': randn(c), 'running_var': torch.rand(c) + 0.5} if track else None
    n = rng.choice([2, 3, 4])
    if two: x = randn(n, c, rng.choice([1, 2, 3]), rng.choice([1, 3, 4]))
    elif rng.random() < 0.3: x = randn(n, c, rng.choice([1, 3, 5]))
    else: x = randn(n, c)
    layer_case(f'{"BatchNorm2d" if two else "BatchNorm1d"} #{i}', 'BatchNorm2d' if two else 'BatchNorm1d', opts, m, x, training, binit)
for i in range(n_each):
    dims = rng.choice([[4], [3, 4], [2, 3, 4], [1], [5]])
    lead = rng.choice([[2], [2, 3], [1, 1]])
    opts = {'normalizedShape': dims}
    eps = rng.choice([None, 1e-2]); aff = rng.random() < 0.7
    if eps: opts['eps'] = eps
    if not aff: opts['elementwiseAffine'] = False
    m = torch.nn.LayerNorm(dims, eps=eps or 1e-5, elementwise_affine=aff)
    if aff:
        with torch.no_grad(): m.weight.copy_(randn(*dims) * 0.5 + 1); m.bias.copy_(randn(*dims))
    layer_case(f'LayerNorm #{i}', 'LayerNorm', opts, m, randn(*lead, *dims))
for i in range(n_each):
    ne, d = rng.choice([1, 3, 10]), rng.choice([1, 3, 4, 5])
    opts = {'numEmbeddings': ne, 'embeddingDim': d}
    pi = rng.choice([None, None, 0, ne - 1, -1])
    if pi is not None: opts['paddingIdx'] = pi
    m = torch.nn.Embedding(ne, d, padding_idx=pi)
    with torch.no_grad(): m.weight.copy_(randn(ne, d))
    shape = rng.choice([[3, 5], [7], [2, 2, 3]])
    idx = torch.from_numpy(nrng.integers(0, ne, size=shape)).long()
    layer_case(f'Embedding #{i}', 'Embedding', opts, m, idx, integer=True)
# The CNN, other sizes.
torch.manual_seed(seed)
H, W = rng.choice([(12, 12), (13, 11), (15, 10)]); B = rng.choice([5, 8])
c1, c2 = rng.choice([2, 4]), rng.choice([3, 8])
inF = c2 * (H // 2 - 2) * (W // 2 - 2)
layers = [{'type': 'Conv2d', 'options': {'inChannels': 1, 'outChannels': c1, 'kernelSize': 3, 'padding': 1}}, {'type': 'ReLU', 'options': {}},
          {'type': 'MaxPool2d', 'options': {'kernelSize': 2}}, {'type': 'Conv2d', 'options': {'inChannels': c1, 'outChannels': c2, 'kernelSize': 3}},
          {'type': 'ReLU', 'options': {}}, {'type': 'Flatten', 'options': {}}, {'type': 'Linear', 'options': {'inFeatures': inF, 'outFeatures': 10}}]
net = torch.nn.Sequential(torch.nn.Conv2d(1, c1, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(c1, c2, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(inF, 10))
init = [{'name': k, **T(v)} for k, v in net.state_dict().items()]
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9); lf = torch.nn.CrossEntropyLoss()
batches, losses = [], []
for s in range(5):
    x = randn(B, 1, H, W); y = torch.from_numpy(nrng.integers(0, 10, size=[B])).long()
    batches.append({'x': T(x), 'y': T(y, 'int64')})
    opt.zero_grad(); l = lf(net(x), y); losses.append(float(l)); l.backward(); opt.step()
cases.append({'name': 'CNN SGD momentum', 'model': {'layers': layers}, 'initialParams': init, 'batches': batches,
              'loss': {'name': 'CrossEntropyLoss', 'options': {'reduction': 'mean'}}, 'optimizer': {'name': 'SGD', 'options': {'lr': 0.05, 'momentum': 0.9}},
              'steps': 5, 'expected': {'losses': losses, 'params': [p.detach().reshape(-1).tolist() for p in net.parameters()]}})
with open(sys.argv[3] if len(sys.argv) > 3 else 'conv-sweep.json', 'w') as f:
    f.write('{"meta": {"variant": "sweep %d"}, "cases": [\n' % seed + ',\n'.join(json.dumps(c) for c in cases) + '\n]}\n')
print(len(cases), 'cases')
