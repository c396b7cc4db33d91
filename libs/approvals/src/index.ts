export * from './approvals.module.js';
export { ApprovalsService, type ApprovalRequestInput, type ApprovalActRequestInput } from './approvals.service.js';
export {
  ApprovalAct,
  ApprovalActState,
  OwnsApprovalKinds,
  type ApprovalActDefinition,
  type ApprovalActEffect,
  type ApprovalActOptions,
  type ApprovalActStateReader,
  type ApprovalKindDefinition,
} from './approval-acts.js';
export { ApprovalActsRegistry, type RegisteredAct, type RegisteredKind } from './approval-acts.registry.js';
export { ApprovalDecisionsService } from './approval-decisions.service.js';
export { type DecidedApproval, type DecidedHandler, APPROVAL_DECIDED_CHANNEL } from './approval-events.service.js';
export { ApprovalsErrors, type ApprovalsErrorCode } from './approvals.errors.js';
export { APPROVALS_EXPIRY_JOB } from './approvals.jobs.js';
export { approvalPayloadDigest } from './decide/digest.js';
export * from './decide/rules.js';
export { ApprovalCreatedResponseDto } from './dto/approval-request.dto.js';
export { ApprovalResponseDto, DecisionResponseDto } from './dto/approval.dto.js';
export { ApprovalsReviewService } from './approvals-review.service.js';
export {
  ChangeRequestsService,
  type ApprovedChange,
  type ChangeRequestPayload,
  type ProposedChange,
} from './change-requests.service.js';
export { ABSENT_VERSION, controlValue, controlVersion, diffValues, type ChangeDiffEntry, type ChangeRequestView } from './decide/change-diff.js';
export { BaseVersionField, ChangeDiffEntryDto, ChangeRequestCreatedResponseDto, ChangeRequestDto } from './dto/change-request.dto.js';
