"""torch 1.13's random stream on the CPU, for test/torch-rng.test.ts: after torch.manual_seed(seed),
what torch draws for initialisation (uniform_, normal_), a DataLoader's epochs, randperm and dropout, and
where the stream stands afterwards (torch.rand). Run with a Python that has torch:
    cd scripts && /usr/bin/python3 make-rng-fixture.py"""
import json, struct
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

def values(t):
    return [float(v) for v in t.detach().flatten().tolist()]

def fnv(tensors):
    """FNV-1a (32-bit) over the float32 bytes of the tensors, in order."""
    h = 0x811c9dc5
    for t in tensors:
        for b in t.detach().contiguous().numpy().astype('<f4').tobytes():
            h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h

def epochs(loader, count):
    return [torch.cat([b[0] for b in loader]).tolist() for _ in range(count)]

def case(seed):
    out = {'seed': seed}
    torch.manual_seed(seed)
    out['rand'] = values(torch.rand(6))
    # One stream through several layers' initialisations, then its position.
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 3), nn.Conv2d(4, 6, 3, groups=2), nn.Conv1d(2, 3, 2, bias=False),
              nn.ConvTranspose2d(2, 4, 3), nn.LSTM(3, 2, num_layers=2, bidirectional=True),
              nn.GRU(2, 3), nn.RNN(3, 2)]
    out['layers'] = [{name: values(p) for name, p in layer.named_parameters()} for layer in layers]
    out['layersThenRand'] = values(torch.rand(3))
    torch.manual_seed(seed)
    cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(784, 10))
    out['cnnHash'] = fnv(cnn.parameters())
    torch.manual_seed(seed)
    mlp = nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 10))
    out['mlpHash'] = fnv(mlp.parameters())
    out['randperm'] = torch.randperm(12, generator=torch.Generator().manual_seed(seed)).tolist()
    data = TensorDataset(torch.arange(13))
    torch.manual_seed(seed)
    out['loader'] = epochs(DataLoader(data, batch_size=4, shuffle=True), 3)
    out['loaderThenRand'] = values(torch.rand(2))
    out['loaderSeeded'] = epochs(DataLoader(data, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed)), 2)
    torch.manual_seed(seed)
    epochs(DataLoader(data, batch_size=5, shuffle=False), 2)
    out['unshuffledThenRand'] = values(torch.rand(2))
    torch.manual_seed(seed)
    out['dropout'] = values(F.dropout(torch.ones(23), 0.3, training=True))
    out['dropout2d'] = values(nn.Dropout2d(0.4)(torch.ones(2, 3, 2, 2)))
    out['dropoutThenRand'] = values(torch.rand(2))
    # Normal draws: one at a time below 16 values (torch keeps the second of each pair for the
    # next call), Box-Muller in blocks of 16 from 16 on; then the stream's position.
    torch.manual_seed(seed)
    out['randn'] = [values(torch.randn(n)) for n in (5, 3, 40, 16)]
    out['embedding'] = values(nn.Embedding(10, 3).weight)
    out['embeddingSmall'] = values(nn.Embedding(2, 3, padding_idx=1).weight)
    out['normalMeanStd'] = values(nn.init.normal_(torch.empty(4, 5), 0.5, 2.0))
    out['normalSmallMeanStd'] = values(nn.init.normal_(torch.empty(7), -1.0, 0.25))
    out['normalsThenRand'] = values(torch.rand(3))
    # The creation functions, on the global generator and on a given one.
    torch.manual_seed(seed)
    out['creation'] = {'rand': values(torch.rand(2, 3)), 'randn': values(torch.randn(20)),
                       'randint': torch.randint(3, 10, (7,)).tolist(), 'randintHigh': torch.randint(5, (4,)).tolist(),
                       'randintNegative': torch.randint(-4, 4, (6,)).tolist(), 'randperm': torch.randperm(9).tolist(),
                       'thenRand': values(torch.rand(2)),
                       'randintGenerator': torch.randint(0, 100, (5,), generator=torch.Generator().manual_seed(seed)).tolist()}
    return out

fixture = {'torch': torch.__version__, 'cases': [case(s) for s in [0, 7, -3, 2 ** 40 + 5]]}
with open('../test/fixtures/torch-rng.json', 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
print('wrote', len(fixture['cases']), 'cases')
