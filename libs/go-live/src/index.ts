export * from './go-live.module.js';
export * from './go-live.service.js';
export * from './go-live.hook.js';
export * from './go-live.errors.js';
export * from './checklist.js';
export * from './decide/admission.js';
export { GoLiveReviewService } from './go-live-review.service.js';
