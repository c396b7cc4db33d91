import { Injectable } from '@nestjs/common';

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export type ReadinessCheck = () => Promise<CheckResult>;

export interface ChecklistItem extends CheckResult {
  /** For items several levers contribute to (required_packs_installed): each contribution. */
  parts?: Record<string, CheckResult>;
}

/**
 * Readiness checks contributed by the levers: each lever registers the check of its own policy
 * pack under `required_packs_installed`, so the checklist grows with them.
 */
@Injectable()
export class GoLiveChecklistRegistry {
  private readonly items = new Map<string, Map<string, ReadinessCheck>>();

  register(item: string, contributor: string, check: ReadinessCheck): void {
    const parts = this.items.get(item) ?? new Map<string, ReadinessCheck>();
    parts.set(contributor, check);
    this.items.set(item, parts);
  }

  /** Runs every check; one that throws counts as failed (fail closed). */
  async evaluate(): Promise<Record<string, ChecklistItem>> {
    const out: Record<string, ChecklistItem> = {};
    for (const [item, parts] of this.items) {
      const results: Record<string, CheckResult> = {};
      for (const [name, check] of parts) {
        results[name] = await check().catch((err: unknown) => ({ ok: false, detail: `check failed: ${String(err)}` }));
      }
      const entries = Object.entries(results);
      out[item] =
        entries.length === 1
          ? entries[0][1]
          : {
              ok: entries.every(([, r]) => r.ok),
              detail: entries.map(([n, r]) => `${n}: ${r.detail}`).join('; '),
              parts: results,
            };
    }
    return out;
  }
}
