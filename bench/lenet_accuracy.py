"""Trains the course CNN in PyTorch on Descent's MNIST split as a torch script does — torch.manual_seed,
the model, a shuffling DataLoader — and prints its test accuracy for each seed, after checking that
torch started from the initial weights Descent's `descent train --model cnn --seed N` starts from
and visits its batch order (bench/lenet-accuracy.ts writes those, and the data, into `dir`)."""
import sys, time
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seeds = [int(s) for s in sys.argv[4:]]
load = lambda name, dtype=np.float32: np.fromfile(f'{folder}/{name}', dtype=dtype)
x_train = torch.from_numpy(load('x_train.f32')).reshape(-1, 1, 28, 28)
y_train = torch.from_numpy(load('y_train.f32')).long()
x_test = torch.from_numpy(load('x_test.f32')).reshape(-1, 1, 28, 28)
y_test = torch.from_numpy(load('y_test.f32')).long()
n = len(y_train)

print(f'{n} training / {len(y_test)} test digits (normalized as --scaler normalize), Adam 1e-3, batch {batch}, {epochs} epochs, one thread')
for seed in seeds:
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(784, 10))
    same_weights = all(np.array_equal(p.detach().numpy().ravel(), load(f'seed{seed}.{name}.f32')) for name, p in net.named_parameters())
    loader = DataLoader(TensorDataset(torch.arange(n), x_train, y_train), batch_size=batch, shuffle=True)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = []
    start = time.perf_counter()
    for _ in range(epochs):
        for index, x, y in loader:
            order.append(index)
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()
    seconds = time.perf_counter() - start
    same_order = np.array_equal(torch.cat(order).numpy(), load(f'seed{seed}.order.i32', np.int32))
    with torch.no_grad():
        accuracy = (net(x_test).argmax(1) == y_test).float().mean().item()
    print(f'torch seed {seed}: {100 * accuracy:.2f} % ({seconds:.1f} s); Descent\'s initial weights: {"identical" if same_weights else "DIFFERENT"}, '
          f'its batch order: {"identical" if same_order else "DIFFERENT"}', flush=True)
