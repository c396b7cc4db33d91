/**
 * An example engine integrated with Warden through @warden/client: it publishes wholesale offers.
 * Each offer is a governed action (the gate must allow it), and inside it the risk is reserved,
 * the offer acted on, and the outcome settled. Before each offer it checks the kill switch and its
 * own switch from the client's cache (memory, fail-closed when the stream is stale).
 * `main.ts` runs it against a server; test/client-example.e2e.spec.ts runs it in the test suite.
 */
import { ApprovalPendingError, GateBlockedError, RiskDeniedError, WardenClient } from '@warden/client';

export const ENGINE = 'WHOLESALE';
export const IDENTITY = 'example-engine';

export interface Offer {
  id: string;
  buyer: string;
  /** The offer's value at risk, a decimal string. */
  price: string;
}

export interface EngineOptions {
  baseUrl: string;
  token: string;
  /** The gate policy to judge by (examples/engine/policy.yaml, loaded under this name). */
  policy?: string;
  /** How to "publish" an offer: returns the realized loss (default: none). */
  act?: (offer: Offer) => Promise<string>;
}

/** Offers above this are high-risk for the gate (the policy holds them for a human). */
const HIGH_RISK_ABOVE = 100;

export async function runEngine(offers: Offer[], options: EngineOptions): Promise<string[]> {
  const log: string[] = [];
  const act = options.act ?? (async () => '0');
  const warden = await WardenClient.connect({ baseUrl: options.baseUrl, token: options.token, identity: IDENTITY });

  // reserve -> act -> settle, run only when the gate allows the intent.
  const publish = warden.governed(
    async (offer: Offer) => {
      const reservation = await warden.reserve({ engine: ENGINE, amount: offer.price, correlationId: `offer-${offer.id}` });
      const loss = await act(offer);
      await warden.settle({ reservationId: reservation.reservation_id, realizedLoss: loss });
      return reservation.reservation_id;
    },
    {
      tool: 'offer.publish',
      risk: (offer) => (Number(offer.price) > HIGH_RISK_ABOVE ? 'high' : 'medium'),
      policy: options.policy ?? 'example-engine',
      engine: ENGINE,
      amount: (offer) => offer.price,
      targets: (offer) => [{ kind: 'other', value: `offer:${offer.id}`, operation: 'write' }],
      args: (offer) => ({ buyer: offer.buyer, price: offer.price }),
    },
  );

  try {
    for (const offer of offers) {
      // From memory, no request: engaged also when the stream has been silent past its bound.
      if (warden.killSwitchEngaged()) {
        log.push(`halted before ${offer.id}: kill switch engaged (or the control state is stale)`);
        break;
      }
      if (!warden.engineEnabled(ENGINE)) {
        log.push(`halted before ${offer.id}: ${ENGINE} is throttled`);
        break;
      }
      try {
        const id = await publish(offer);
        log.push(`published ${offer.id} (reservation ${id}, settled)`);
      } catch (err) {
        if (err instanceof ApprovalPendingError) log.push(`held ${offer.id}: approval ${err.approvalId} (${err.reasonCodes.join(', ')})`);
        else if (err instanceof GateBlockedError || err instanceof RiskDeniedError) log.push(`refused ${offer.id}: ${err.reasonCodes.join(', ')}`);
        else throw err;
      }
    }
  } finally {
    await warden.close();
  }
  return log;
}
