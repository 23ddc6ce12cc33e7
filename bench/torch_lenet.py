#!/usr/bin/env python3
"""PyTorch's figures for the LeNet rows of bench/conv.ts, single-threaded.

The issue #15 LeNet (Conv2d(1,8,3,padding=1) → ReLU → MaxPool2d(2) → Conv2d(8,16,3,padding=1) →
ReLU → MaxPool2d(2) → Flatten → Linear(784,10)) on random [B,1,28,28] inputs, 8 pre-made batches,
CrossEntropyLoss, Adam lr 1e-3; a full step is zero_grad, forward, loss, backward, optimizer step
and loss.item(), as bench/torch_mlp.py (whose timed windows this reuses). The warm-up is counted in
steps: torch's first ~250 LeNet steps run about 4× slower than the rest.

    /usr/bin/python3 bench/torch_lenet.py [--quick] [--json]
"""
import json
import statistics
import sys

from torch_mlp import model_step, torch, window  # sets the one-thread environment before torch loads

BATCH_SIZES = [32, 128]
WARMUP_STEPS = 300


def make_step(batch):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(784, 10))
    return model_step(model, [batch, 1, 28, 28], 10)


def main():
    quick = '--quick' in sys.argv
    samples, window_s = (3, 0.06) if quick else (9, 0.15)
    torch.set_num_threads(1)
    rows = []
    for batch in BATCH_SIZES:
        step, state = make_step(batch)
        for _ in range(WARMUP_STEPS // (4 if quick else 1)):
            step()
        rate = statistics.median(batch * window(step, window_s, 2) for _ in range(samples))
        rows.append({'batch': batch, 'samplesPerSecond': rate, 'loss': state['loss']})
    info = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'rows': rows}
    if '--json' in sys.argv:
        print(json.dumps(info))
        return
    print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} thread: LeNet full training steps, samples/s (median)')
    for r in rows:
        print(f'b{r["batch"]:<5}{r["samplesPerSecond"]:>10,.0f}')


if __name__ == '__main__':
    main()
