"""What the fixture scripts (make-pad-fixture.py, make-layers-fixture.py) share: a tensor as the tests read it, and the file they write."""
import json
import os

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')


def tensor(t):
    """{shape, data}, every float32 value written exactly (as ../shared/golden writes them)."""
    return {'shape': list(t.shape), 'data': [float(v) for v in t.detach().reshape(-1).tolist()]}


def write_cases(name, cases):
    """test/fixtures/<name>: {"meta": {"torch": version}, "cases": [...]}, a case a line."""
    out = os.path.join(FIXTURES, name)
    with open(out, 'w') as f:
        f.write('{"meta": {"torch": "%s"}, "cases": [\n' % torch.__version__ + ',\n'.join(json.dumps(c) for c in cases) + '\n]}\n')
    print(f'{len(cases)} cases → {os.path.relpath(out)}')
