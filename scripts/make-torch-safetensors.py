"""Writes the PyTorch fixtures test/safetensors-torch.test.ts (Node and Chromium) loads with Descent's `load`.

    /usr/bin/python3 scripts/make-torch-safetensors.py

Three models, built and run in PyTorch (torch 1.13 here): an MLP, a small CNN with BatchNorm2d
and BatchNorm1d whose running statistics and num_batches_tracked (an int64 buffer) were moved by a
few training-mode forwards, a sequence classifier (Embedding, a 2-layer bidirectional LSTM, a
Linear head on the last step), and a Sequential built from an OrderedDict (named layers). Each state_dict is written as test/fixtures/torch-<name>.safetensors,
and test/fixtures/torch-models.json holds the input and the logits PyTorch computed in eval mode.

The files are written as `safetensors.torch.save_file(model.state_dict(), path)` writes them: the
`safetensors` pip package is not installable here (no PyPI), so `save_file` below follows the
format and that writer's choices exactly:
  - 8 bytes: the header's length N, unsigned little-endian;
  - N bytes: a compact JSON object mapping each tensor name to {"dtype", "shape", "data_offsets":
    [begin, end]} (offsets into the data section), with no "__metadata__" (save_file's default,
    metadata=None), padded with spaces to a multiple of 8 bytes;
  - the data section: each tensor's bytes, little-endian, C order, back to back.
  Tensors are ordered as the Rust writer orders them, by dtype with the wider first (I64 before
  F32), then by name; the JSON keys follow the same order.
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures')

# The Rust writer sorts by its Dtype enum in descending order; of the two dtypes used here, I64
# comes after F32 in that enum, so I64 tensors come first.
DTYPES = {torch.int64: ('I64', 1), torch.float32: ('F32', 0)}


def save_file(tensors, path):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[kv[1].dtype][1], kv[0]))
    header, chunks, offset = {}, [], 0
    for name, t in items:
        data = t.detach().contiguous().cpu().numpy().tobytes()  # little-endian: asserted in main()
        header[name] = {'dtype': DTYPES[t.dtype][0], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def mlp():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 3),
    )


class SequenceClassifier(nn.Module):
    """Embedding -> 2-layer bidirectional LSTM (batch_first) -> the last step's output -> Linear."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 6)
        self.lstm = nn.LSTM(6, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(10, 3)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out[:, -1])


def named():
    """torch's named form of Sequential: its state_dict keys are fc1.weight, …, not 0.weight."""
    return nn.Sequential(OrderedDict(fc1=nn.Linear(4, 8), act=nn.Tanh(), fc2=nn.Linear(8, 3)))


def main():
    assert sys.byteorder == 'little', 'safetensors stores little-endian bytes'
    torch.manual_seed(0)
    fixture = {'torch': torch.__version__.split('+')[0]}
    for name, build, shape in [('mlp', mlp, [5, 4]), ('cnn', cnn, [2, 1, 6, 6]), ('sequence', SequenceClassifier, [3, 7]), ('named', named, [5, 4])]:
        model = build()
        draw = (lambda: torch.randint(0, 10, shape)) if name == 'sequence' else (lambda: torch.randn(*shape))
        model.train()
        with torch.no_grad():
            for _ in range(3):  # moves the running statistics and num_batches_tracked off their defaults
                model(draw() if name == 'sequence' else draw() * 2 + 0.5)
        model.eval()
        x = draw()
        with torch.no_grad():
            logits = model(x)
        file = f'torch-{name}.safetensors'
        save_file(model.state_dict(), os.path.join(FIXTURES, file))
        fixture[name] = {
            'file': file,
            'inputShape': shape,
            'input': x.flatten().tolist(),  # float32 values (token indices for the sequence model), exact as JSON doubles
            'logits': logits.flatten().tolist(),
        }
    with open(os.path.join(FIXTURES, 'torch-models.json'), 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
