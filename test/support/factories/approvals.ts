import type { TestApp } from '../test-app.js';

/** Who acts in an approvals story: an engine that asks, two distinct operators who decide, a viewer who may only read. */
export interface ApprovalCast {
  engine: string;
  op1: string;
  op2: string;
  viewer: string;
}

export async function approvalCast(t: TestApp): Promise<ApprovalCast> {
  const [engine, op1, op2, viewer] = await Promise.all([t.token('engine'), t.token('operator'), t.token('operator'), t.token('viewer')]);
  return { engine, op1, op2, viewer };
}
