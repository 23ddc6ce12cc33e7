import { describe, it, expect } from 'vitest';
import { descent } from './cli-helpers.js';

// `descent schedule` values the issue found accepted: a negative or zero lr, milestones out of order.
describe('descent schedule refuses invalid values', () => {
  for (const [args, message] of [
    [['schedule', 'cosine', '--lr', '-1'], /argument '-1' is invalid\. expected a number > 0\./],
    [['schedule', 'cosine', '--lr', '0'], /argument '0' is invalid\. expected a number > 0\./],
    [['schedule', 'multistep', '--milestones', '80,30'], /argument '80,30' is invalid\. expected positive integers in increasing order/],
    [['schedule', 'multistep', '--milestones', '30,30'], /expected positive integers in increasing order/],
    [['schedule', 'multistep', '--milestones', '0,30'], /expected positive integers in increasing order/],
  ] as [string[], RegExp][]) {
    it(args.join(' '), async () => {
      const { code, err, out } = await descent(...args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(/^descent: [^\n]*\n$/);
      expect(err).toMatch(message);
    });
  }
});
