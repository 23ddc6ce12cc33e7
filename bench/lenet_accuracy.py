"""Trains the course CNN in PyTorch on Descent's MNIST split (see bench/lenet-accuracy.ts, which
writes the data, Descent's initial weights and fit's batch order into `dir`) and prints test
accuracies: from Descent's weights in Descent's order (the same run as `descent train --model cnn`
up to float rounding), and from torch's own initialisation and shuffling, for the same seeds."""
import sys, time
import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seeds = [int(s) for s in sys.argv[4:]]
load = lambda name, dtype=np.float32: np.fromfile(f'{folder}/{name}', dtype=dtype)
x_train = torch.from_numpy(load('x_train.f32')).reshape(-1, 1, 28, 28)
y_train = torch.from_numpy(load('y_train.f32')).long()
x_test = torch.from_numpy(load('x_test.f32')).reshape(-1, 1, 28, 28)
y_test = torch.from_numpy(load('y_test.f32')).long()
n = len(y_train)

def model():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(784, 10))

def train(net, batches):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for idx in batches:
        opt.zero_grad()
        loss_fn(net(x_train[idx]), y_train[idx]).backward()
        opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = (net(x_test).argmax(1) == y_test).float().mean().item()
    return accuracy, seconds

def split(order):
    out = []
    for e in range(epochs):
        epoch = order[e * n:(e + 1) * n]
        out += [torch.from_numpy(epoch[i:i + batch].astype(np.int64)) for i in range(0, n, batch)]
    return out

print(f'{n} training / {len(y_test)} test digits, Adam 1e-3, batch {batch}, {epochs} epochs, one thread')
for seed in seeds:
    net = model()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(load(f'seed{seed}.{name}.f32')).reshape(p.shape))
    accuracy, seconds = train(net, split(load(f'seed{seed}.order.i32', np.int32)))
    print(f'torch from Descent seed {seed} weights and batch order: {100 * accuracy:.2f} % ({seconds:.1f} s)')
for seed in seeds:
    torch.manual_seed(seed)
    net = model()
    g = torch.Generator().manual_seed(seed)
    order = np.concatenate([torch.randperm(n, generator=g).numpy() for _ in range(epochs)]).astype(np.int32)
    accuracy, seconds = train(net, split(order))
    print(f'torch seed {seed} (its own init and shuffle): {100 * accuracy:.2f} % ({seconds:.1f} s)')
