import type { WardenConfig } from '../config/warden-config.js';

/** How much longer than the server's statement_timeout the client waits before it gives up on the server. */
export const CLIENT_GRACE_MS = 250;

/**
 * The server-side timeouts every pooled connection (write and read pool) starts with; the client
 * adds its own deadline per statement (GuardedClient), because a frozen server enforces none of
 * them. See docs/failure-modes.md for the bound these add up to.
 */
export function sessionOptions(config: Pick<WardenConfig, 'DB_STATEMENT_TIMEOUT_MS' | 'DB_LOCK_TIMEOUT_MS' | 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'>): string {
  return [
    `-c statement_timeout=${config.DB_STATEMENT_TIMEOUT_MS}`,
    `-c lock_timeout=${config.DB_LOCK_TIMEOUT_MS}`,
    `-c idle_in_transaction_session_timeout=${config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
  ].join(' ');
}
