export { CheckpointError, encodeSafetensors, decodeSafetensors, type NamedTensor, type SafetensorsContent } from './safetensors.js';
export { serialize, deserialize, restore, type CheckpointParts, type CheckpointContent, type Stateful } from './checkpoint.js';
export { save, load, readCheckpoint, writeFileAtomic } from './files.js';
