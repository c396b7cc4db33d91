export * from './heimdall-policy.entity.js';
export * from './heimdall-trial.entity.js';
export * from './heimdall-scorecard-day.entity.js';
export * from './heimdall-recommendation.entity.js';
export * from './heimdall-event.entity.js';

import { HeimdallEventEntity } from './heimdall-event.entity.js';
import { HeimdallPolicyEntity } from './heimdall-policy.entity.js';
import { HeimdallRecommendationEntity } from './heimdall-recommendation.entity.js';
import { HeimdallScorecardDayEntity } from './heimdall-scorecard-day.entity.js';
import { HeimdallTrialEntity } from './heimdall-trial.entity.js';

export const HEIMDALL_ENTITIES = [
  HeimdallPolicyEntity,
  HeimdallTrialEntity,
  HeimdallScorecardDayEntity,
  HeimdallRecommendationEntity,
  HeimdallEventEntity,
];
