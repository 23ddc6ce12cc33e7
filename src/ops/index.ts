// Every differentiable tensor operation, by name. The gradient-check test enumerates this list,
// so an op added here without a correct backward (on any backend) fails the suite.
import { matmul } from './matmul.js';
import { add, sub, mul, div, exp, log, neg, sqrt, abs, pow } from './elementwise.js';
import { sum, mean } from './reduce.js';
import { reshape, flatten, transpose } from './shape-ops.js';

export const differentiableOps = {
  add, sub, mul, div, exp, log, neg, sqrt, abs, pow, matmul, sum, mean, reshape, flatten, transpose,
} as const;
