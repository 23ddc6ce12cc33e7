import type { Tensor } from '../core/tensor.js';

// The public options and states of the recurrent layers (LSTM, GRU, RNN), in torch's names.

/** The options of LSTM, GRU and RNN (torch's names in camelCase). */
export interface RecurrentOptions {
  /** Stacked layers, each reading the one below's hidden states (default 1). */
  numLayers?: number;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output [N, T, features] instead of [T, N, features] (default false, as torch). */
  batchFirst?: boolean;
  /** Dropout on each layer's output but the last, in training (default 0; needs numLayers > 1, where torch warns). */
  dropout?: number;
  /**
   * A second direction per layer that reads the sequence from its end, its hidden states beside
   * the first's: the output is [T, N, 2·hiddenSize], the state [2·numLayers, N, hiddenSize], and
   * each layer above reads both (default false).
   */
  bidirectional?: boolean;
  /**
   * LSTM: h_t projected to this size by weight_hr_l{k} [projSize, hiddenSize] (0 < projSize <
   * hiddenSize), so the output, h_n and the layers above are projSize wide (c stays hiddenSize);
   * 0 (default): none. GRU and RNN: only 0, as torch.
   */
  projSize?: number;
}

export type LSTMOptions = RecurrentOptions;
export type GRUOptions = RecurrentOptions;

/** RNN's options: LSTM's and GRU's, and torch's nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** The activation of h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh): 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** The initial state for LSTM.forward: h0 and c0, [numLayers·directions, N, hiddenSize] (or without N unbatched). */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/** The initial state for GRU.forward and RNN.forward: h0, [numLayers·directions, N, hiddenSize] (or without N unbatched). */
export interface GRUState {
  h: Tensor;
}

export type RNNState = GRUState;

