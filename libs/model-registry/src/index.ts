export * from './model-registry.module.js';
export * from './model-registry.service.js';
export * from './model.dto.js';
export * from './serving-reports.js';
export * from './rollouts/rollout-topics.module.js';
export * from './rollouts/rollout-topics.service.js';
