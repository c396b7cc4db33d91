import type { ExecutionClassName } from '#platform';

export interface AdmissionInput {
  path: string;
  executionClass: ExecutionClassName;
  /** Go-live enforcement (production, or GO_LIVE_ENFORCE=1); the kill switch is enforced regardless. */
  enforced: boolean;
  goLiveEnabled: boolean;
  killSwitchEngaged: boolean;
}

export type Admission = { allowed: true } | { allowed: false; status: 403; code: 'go_live_disabled' | 'kill_switch_engaged'; message: string };

const EXEMPT_PREFIXES = ['/api/governance/', '/docs', '/console/'];
const EXEMPT_EXACT = new Set(['/api/governance', '/health', '/livez', '/readyz', '/metrics', '/console']);

/** Governance, health, docs, metrics and the operator console stay reachable whatever the control plane says. */
export function isExemptPath(path: string): boolean {
  return EXEMPT_EXACT.has(path) || EXEMPT_PREFIXES.some((p) => path.startsWith(p));
}

const ALLOWED: Admission = { allowed: true };

/** The go-live middleware's decision for one request, from the cached control-plane row. */
export function admit(input: AdmissionInput): Admission {
  if (isExemptPath(input.path)) return ALLOWED;
  if (input.killSwitchEngaged && input.executionClass === 'PROD_EXEC') {
    return { allowed: false, status: 403, code: 'kill_switch_engaged', message: 'the kill switch is engaged: production execution is halted' };
  }
  if (input.enforced && !input.goLiveEnabled) {
    return { allowed: false, status: 403, code: 'go_live_disabled', message: 'go-live is disabled: this system may not act' };
  }
  return ALLOWED;
}
