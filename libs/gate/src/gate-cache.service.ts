import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotifyListener } from '#platform';
import { GATE_CHANNEL, GateRepository } from './gate.repository.js';

const CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * What every evaluation reads — the active policy of a name, an identity's trust evidence — served
 * from memory: two reads per request cost more than the evaluation (measured: the gate at ~0.09x
 * of a trivial route with them). Any change (policy PUT/activate/mode, an outcome, an override)
 * NOTIFYs in its transaction and every instance drops its copies; the local one is dropped after
 * commit. A lost notification is bounded by CACHE_MS; a reconnect of the listener clears too.
 */
@Injectable()
export class GateCacheService implements OnModuleInit {
  private readonly entries = new Map<string, { value: unknown; at: number }>();

  constructor(
    private readonly notify: NotifyListener,
    private readonly repo: GateRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notify.subscribe(GATE_CHANNEL, () => this.entries.clear());
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.value as T;
    const value = await load();
    if (this.entries.size > MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: now });
    return value;
  }

  /** Call inside the transaction that changes what is cached. */
  changed(m: EntityManager): Promise<void> {
    return this.repo.notifyChanged(m);
  }

  /** Call after that transaction committed. */
  clear(): void {
    this.entries.clear();
  }
}
