import { Platform1763700000000 } from './1763700000000-Platform.js';
import { GoLive1763700000100 } from './1763700000100-GoLive.js';
import { Deals1763700000200 } from './1763700000200-Deals.js';
import { RiskGuard1763700000300 } from './1763700000300-RiskGuard.js';
import { RiskReserveBatchOneStatement1763700000310 } from './1763700000310-RiskReserveBatchOneStatement.js';
import { Heimdall1763700000400 } from './1763700000400-Heimdall.js';
import { Offers1763700000410 } from './1763700000410-Offers.js';
import { RegressionTripwire1763700000500 } from './1763700000500-RegressionTripwire.js';
import { AuditPrincipalTokenId1763700000600 } from './1763700000600-AuditPrincipalTokenId.js';
import { TokenNamesUnique1763700000610 } from './1763700000610-TokenNamesUnique.js';
import { TokenBindingEngineOnly1763700000620 } from './1763700000620-TokenBindingEngineOnly.js';
import { SchemaRepeatable1763700000700 } from './1763700000700-SchemaRepeatable.js';
import { RiskKeysPerEngine1763700000710 } from './1763700000710-RiskKeysPerEngine.js';
import { RiskLossBoundAndAdjustments1763700000720 } from './1763700000720-RiskLossBoundAndAdjustments.js';
import { Approvals1763700001000 } from './1763700001000-Approvals.js';
import { NotificationOutbox1763700001010 } from './1763700001010-NotificationOutbox.js';
import { Promotion1763700001300 } from './1763700001300-Promotion.js';
import { Gate1763700001100 } from './1763700001100-Gate.js';
import { ReviewReport1763700001400 } from './1763700001400-ReviewReport.js';
import { ReviewWeekIndexes1763700001410 } from './1763700001410-ReviewWeekIndexes.js';
import { ConsoleSession1763700001500 } from './1763700001500-ConsoleSession.js';
import { PromotionDecisionDecidedAt1763700001600 } from './1763700001600-PromotionDecisionDecidedAt.js';
import { ApprovalActs1763700001700 } from './1763700001700-ApprovalActs.js';
import { TokenIdentities1763700001710 } from './1763700001710-TokenIdentities.js';
import { OutboxPerDestination1763700001720 } from './1763700001720-OutboxPerDestination.js';
import { GrantsBound1763700001730 } from './1763700001730-GrantsBound.js';
import { SessionIdle1763700001750 } from './1763700001750-SessionIdle.js';
import { TokenOwners1763700001760 } from './1763700001760-TokenOwners.js';
import { GateDecisionIndexes1763700001770 } from './1763700001770-GateDecisionIndexes.js';
import { GateDecisionIntent1763700002230 } from './1763700002230-GateDecisionIntent.js';
import { Changes1763700001800 } from './1763700001800-Changes.js';
import { StreamEvent1763700001900 } from './1763700001900-StreamEvent.js';
import { AuditHashChain1763700002000 } from './1763700002000-AuditHashChain.js';
import { GateApprovalKeys1763700002200 } from './1763700002200-GateApprovalKeys.js';
import { ConsoleOidc1763700002250 } from './1763700002250-ConsoleOidc.js';
import { PromotionForesight1763700002300 } from './1763700002300-PromotionForesight.js';

/** Every migration, in order. ESM cannot glob-load, so each is listed here. */
export const ALL_MIGRATIONS = [
  Platform1763700000000,
  GoLive1763700000100,
  Deals1763700000200,
  RiskGuard1763700000300,
  RiskReserveBatchOneStatement1763700000310,
  Heimdall1763700000400,
  Offers1763700000410,
  RegressionTripwire1763700000500,
  AuditPrincipalTokenId1763700000600,
  TokenNamesUnique1763700000610,
  TokenBindingEngineOnly1763700000620,
  SchemaRepeatable1763700000700,
  RiskKeysPerEngine1763700000710,
  RiskLossBoundAndAdjustments1763700000720,
  Approvals1763700001000,
  NotificationOutbox1763700001010,
  Promotion1763700001300,
  Gate1763700001100,
  ReviewReport1763700001400,
  ReviewWeekIndexes1763700001410,
  ConsoleSession1763700001500,
  PromotionDecisionDecidedAt1763700001600,
  ApprovalActs1763700001700,
  TokenIdentities1763700001710,
  OutboxPerDestination1763700001720,
  GrantsBound1763700001730,
  SessionIdle1763700001750,
  TokenOwners1763700001760,
  GateDecisionIndexes1763700001770,
  Changes1763700001800,
  StreamEvent1763700001900,
  AuditHashChain1763700002000,
  GateApprovalKeys1763700002200,
  GateDecisionIntent1763700002230,
  ConsoleOidc1763700002250,
  PromotionForesight1763700002300,
];
