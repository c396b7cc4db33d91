import { Injectable } from '@nestjs/common';
import { DecisionOutcomes } from '#platform';
import { CHANGES } from './changes.lever.js';

/**
 * warden_decisions_total{lever="changes"}: each proposed change by tier (tier_1 .. tier_4) or
 * refused as invalid; each held change's outcome; break-glass uses and how their reviews closed;
 * policy versions stored and activated. All present at 0 from the first scrape.
 */
export const CHANGE_OUTCOMES = [
  'tier_1', 'tier_2', 'tier_3', 'tier_4', 'invalid',
  'approved', 'rejected', 'expired', 'cancelled',
  'break_glass', 'review_upheld', 'review_disputed',
  'policy_version', 'policy_activate',
] as const;
export type ChangeOutcome = (typeof CHANGE_OUTCOMES)[number];

@Injectable()
@DecisionOutcomes(CHANGES, CHANGE_OUTCOMES)
export class ChangesMetrics {}
