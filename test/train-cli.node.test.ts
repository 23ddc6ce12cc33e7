import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descent, descentProcess } from './cli-helpers.js';
import { decodeSafetensors } from '../src/io/index.js';

describe('descent train', () => {
  it('trains, prints the summary table, writes model.safetensors, history.json and curves.svg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-train-'));
    const { code, out } = await descent('train', '--epochs', '2', '--hidden', '8', '--optimizer', 'nesterov', '--scheduler', 'step', '--out', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/test accuracy\s+\d+\.\d\d%/);
    expect(out).toMatch(/samples\/s\s+[\d,]+/);
    const model = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    expect(Object.keys(model.tensors)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.tensors['0.weight'].shape).toEqual([8, 784]);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.epochs).toHaveLength(2);
    expect(history.config.optimizer).toBe('nesterov');
    expect(readFileSync(join(dir, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path/);
    expect(existsSync(join(dir, 'checkpoint.safetensors'))).toBe(true);
  });

  it('answers bad flags and files with one line and exit code 2', async () => {
    for (const args of [['train', '--lr', 'abc'], ['train', '--optimizer', 'adamx'], ['train', '--hidden', '16,x'], ['train', '--resume', '/no/such/file'], ['train', '--dropout', '1']]) {
      const { code, err } = await descent(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^descent: /);
    }
  });

  it('--threads 2 trains the same weights, bit for bit, as one thread', async () => {
    const weights: string[] = [];
    for (const threads of ['1', '2']) {
      const dir = mkdtempSync(join(tmpdir(), `descent-threads-${threads}-`));
      const { code, err } = await descentProcess('train', '--threads', threads, '--epochs', '1', '--hidden', '64,32', '--batch-size', '64', '--out', dir);
      expect(code, err).toBe(0);
      if (threads === '2') expect(err).toMatch(/wasm threads ×2/);
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
      weights.push(JSON.stringify(Object.entries(tensors).map(([name, t]) => [name, Array.from(new Uint32Array(Float32Array.from(t.data).buffer))])));
    }
    expect(weights[1]).toBe(weights[0]);
  });

  it('rejects a bad --threads with one line and exit code 2', async () => {
    const { code, err } = await descent('train', '--threads', '0');
    expect(code).toBe(2);
    expect(err).toMatch(/^descent: .*--threads must be 'auto' or an integer from 1 to 64, got '0'\n$/);
  });
});
