// The parts of the domain that load TensorFlow (about 300 MB of memory and half a second): a
// separate entry point, `#fmnist/tensorflow`, so the gateway and the tools never pay for it.
export * from './model/model-serialization.js';
export * from './model/models.js';
export * from './model/graph/train-model.js';
export * from './model/serving-model.js';
