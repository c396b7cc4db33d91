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

/**
 * The version of the state an act undoes (an engagement, a throttle, the decision it carries out),
 * for the request's subject, read — and locked, if the lever's own changes lock it — in `manager`'s
 * transaction; null when there is nothing for the act to do (nothing engaged, not throttled, an
 * unknown subject). A request is bound to it when filed, and its act runs only while it is unchanged.
 */
export type ApprovalActStateReader = (subject: string, manager: EntityManager) => Promise<string | null>;

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
  /**
   * The control this act changes as a change request (four eyes on a control, docs/approvals.md
   * "Change requests"), e.g. `risk.policy`: what WARDEN_CHANGE_REQUESTS names. Such an act needs a
   * state reader (@ApprovalActState) giving the control's version.
   */
  changeRequest?: string;
}

export interface ApprovalActDefinition extends ApprovalActOptions {
  effect: ApprovalActEffect;
  /** The state the act undoes (see ApprovalActStateReader); none: the act is bound to nothing but its grant. */
  state?: ApprovalActStateReader;
}

export const APPROVAL_ACT_METADATA = Symbol('warden:approval-act');
export const APPROVAL_KINDS_METADATA = Symbol('warden:approval-kinds');
export const APPROVAL_ACT_STATE_METADATA = Symbol('warden:approval-act-state');

/**
 * Marks a method `(approval, manager) => Promise<void>` as the effect of an approved act; the
 * approvals module finds it at start through the platform's LeverExplorer (DiscoveryService, as `@Cron` is found).
 * File its requests with `ApprovalsService.requestAct(principal, act, ...)`.
 */
export const ApprovalAct = (options: ApprovalActOptions): MethodDecorator => SetMetadata(APPROVAL_ACT_METADATA, options);

/** Declares on a provider the kinds its lever files without an act of approvals' (e.g. a grant it consumes itself). */
export const OwnsApprovalKinds = (...kinds: ApprovalKindDefinition[]): ClassDecorator => SetMetadata(APPROVAL_KINDS_METADATA, kinds);

/**
 * Marks a method `(subject, manager) => Promise<string | null>` as the reader of the state the act
 * `act` undoes (ApprovalActStateReader), on the provider that defines the act. Its requests are then
 * bound to that state's version: refused (409 act_not_applicable) when there is none, voided when
 * the lever reports a change (ApprovalsService.stateChanged), and run only while it is unchanged.
 */
export const ApprovalActState = (act: string): MethodDecorator => SetMetadata(APPROVAL_ACT_STATE_METADATA, { act });
