import { Platform1763700000000 } from './1763700000000-Platform.js';
import { GoLive1763700000100 } from './1763700000100-GoLive.js';
import { Deals1763700000200 } from './1763700000200-Deals.js';
import { RiskGuard1763700000300 } from './1763700000300-RiskGuard.js';
import { RiskReserveBatchOneStatement1763700000310 } from './1763700000310-RiskReserveBatchOneStatement.js';
import { Heimdall1763700000400 } from './1763700000400-Heimdall.js';
import { Offers1763700000410 } from './1763700000410-Offers.js';
import { RegressionTripwire1763700000500 } from './1763700000500-RegressionTripwire.js';
import { Approvals1763700001000 } from './1763700001000-Approvals.js';
import { NotificationOutbox1763700001010 } from './1763700001010-NotificationOutbox.js';

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
  Approvals1763700001000,
  NotificationOutbox1763700001010,
];
