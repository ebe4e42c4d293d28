export * from './classification.contract.js';
export * from './dead-letter.contract.js';
export * from './model-record.contract.js';
export * from './rollout.contract.js';
export * from './stream.contract.js';
