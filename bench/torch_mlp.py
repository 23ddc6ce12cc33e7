#!/usr/bin/env python3
"""PyTorch's figures for the training-step benchmark (bench/train-step.ts), single-threaded.

The same protocol as Descent's rows: MLPs with ReLU between Linear layers, random MNIST-shaped
data (8 pre-made batches), CrossEntropyLoss on the logits, Adam lr 1e-3; a full step is
zero_grad, forward, loss, backward, optimizer step and loss.item(). Warm-up, then timed windows
of whole steps; the median of the windows' samples/s is reported.

    /usr/bin/python3 bench/torch_mlp.py [--quick] [--json]

--json prints one JSON object (bench/train.ts reads it) instead of the table. Not needed in CI.
Debian's python3-torch uses the system BLAS: install libopenblas0-pthread too, or its gemm is the
reference BLAS's (6 GFLOP/s here, against 100 with OpenBLAS).
"""
import json
import os
import statistics
import sys
import time

# One thread for OpenBLAS as well as for torch's own pool (set before the library loads).
os.environ['OPENBLAS_NUM_THREADS'] = '1'
os.environ['OMP_NUM_THREADS'] = '1'
import torch  # noqa: E402

ROWS = [([784, 16, 16, 10], 32), ([784, 16, 16, 10], 128), ([784, 256, 128, 10], 32),
        ([784, 256, 128, 10], 128), ([784, 128, 64, 10], 32)]
BATCHES = 8


def make_step(sizes, batch):
    torch.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return model_step(torch.nn.Sequential(*layers), [batch, sizes[0]], sizes[-1])


def model_step(model, input_shape, classes):
    """Full training steps of model (Adam lr 1e-3, CrossEntropyLoss) over 8 pre-made random batches."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs = [torch.rand(*input_shape) for _ in range(BATCHES)]
    ys = [torch.randint(0, classes, (input_shape[0],)) for _ in range(BATCHES)]
    state = {'it': 0, 'loss': float('nan')}

    def step():
        i = state['it'] % BATCHES
        optimizer.zero_grad()
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        optimizer.step()
        state['loss'] = loss.item()
        state['it'] += 1

    return step, state


def window(step, seconds, min_steps):
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and steps >= min_steps:
            return steps / elapsed


def main():
    quick = '--quick' in sys.argv
    # The same windows as bench/train-step.ts's FULL_TIMING / QUICK_TIMING.
    samples, window_s, warmup_s = (3, 0.06, 0.3) if quick else (9, 0.15, 0.6)
    torch.set_num_threads(1)
    rows = []
    for sizes, batch in ROWS:
        step, state = make_step(sizes, batch)
        window(step, warmup_s, 3)
        rate = statistics.median(batch * window(step, window_s, 2) for _ in range(samples))
        rows.append({'net': '-'.join(map(str, sizes)), 'batch': batch, 'samplesPerSecond': rate, 'loss': state['loss']})
    info = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'rows': rows}
    if '--json' in sys.argv:
        print(json.dumps(info))
        return
    print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} thread: full training steps, samples/s (median)')
    print(f'{"net":<16}{"batch":>6}{"samples/s":>12}')
    for r in rows:
        print(f'{r["net"]:<16}{r["batch"]:>6}{r["samplesPerSecond"]:>12,.0f}')


if __name__ == '__main__':
    main()
