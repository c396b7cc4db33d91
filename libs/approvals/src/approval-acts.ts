import { SetMetadata } from '@nestjs/common';
import type { Lever } from '#platform';
import type { EntityManager } from 'typeorm';
import type { ApproverRule } from './decide/rules.js';
import type { ApprovalResponseDto } from './dto/approval.dto.js';

/**
 * What an approved act does: runs once, in the transaction that consumes its grant (`manager`), so
 * the effect, its audit row and its outbox row commit together with the consumption or not at all.
 * A throw rolls all of it back; the grant stays unconsumed and the act is tried again later. No
 * network calls inside.
 */
export type ApprovalActEffect = (approval: ApprovalResponseDto, manager: EntityManager) => Promise<void>;

/** A kind a lever owns: it files (and perhaps consumes) requests of it. */
export interface ApprovalKindDefinition {
  /** The owning lever (its one name constant). */
  lever: Lever;
  kind: string;
  /** Who may decide; default operator and above. */
  approvers?: ApproverRule;
}

/** An approved act, defined once by the lever that owns it. */
export interface ApprovalActOptions extends ApprovalKindDefinition {
  /** The act's name, recorded on the request (and what WARDEN_TWO_PERSON lists); default: the kind. */
  act?: string;
  /** Whether it is held for a second operator when WARDEN_TWO_PERSON names it (on for every such act in production). */
  twoPerson?: boolean;
}

export interface ApprovalActDefinition extends ApprovalActOptions {
  effect: ApprovalActEffect;
}

export const APPROVAL_ACT_METADATA = Symbol('warden:approval-act');
export const APPROVAL_KINDS_METADATA = Symbol('warden:approval-kinds');

/**
 * Marks a method `(approval, manager) => Promise<void>` as the effect of an approved act; the
 * approvals module finds it at start through the platform's LeverExplorer (DiscoveryService, as `@Cron` is found).
 * File its requests with `ApprovalsService.requestAct(principal, act, ...)`.
 */
export const ApprovalAct = (options: ApprovalActOptions): MethodDecorator => SetMetadata(APPROVAL_ACT_METADATA, options);

/** Declares on a provider the kinds its lever files without an act of approvals' (e.g. a grant it consumes itself). */
export const OwnsApprovalKinds = (...kinds: ApprovalKindDefinition[]): ClassDecorator => SetMetadata(APPROVAL_KINDS_METADATA, kinds);
