export * from './heimdall.module.js';
export * from './heimdall.service.js';
export * from './heimdall.errors.js';
export * from './decide/gates.js';
export { normalizeRatio } from './decide/ratio.js';
export * from './entities/index.js';
export { RatioField, CorrelationIdField } from './dto/fields.js';
