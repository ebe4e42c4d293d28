export * from './model-registry.module.js';
export * from './model-registry.service.js';
export * from './model.dto.js';
export * from './serving-reports.js';
