export { TensorDataset, takeRows, type Dataset } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
export { MinMaxScaler, StandardScaler } from './scalers.js';
export { oneHot } from './one-hot.js';
export { trainTestSplit, type SplitOptions } from './split.js';
import { mnist, MNIST_TRAIN_FRACTION, type MnistSplit } from './mnist.js';

/** Bundled data sets. */
export const datasets = { mnist, MNIST_TRAIN_FRACTION };
export type { MnistSplit };
