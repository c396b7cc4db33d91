import { Injectable } from '@nestjs/common';

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export type ReadinessCheckFn = () => Promise<CheckResult>;

export interface ChecklistItem extends CheckResult {
  /** For items several levers contribute to (required_packs_installed): each contribution, by lever. */
  parts?: Record<string, CheckResult>;
}

/**
 * The go-live readiness checks the levers declare (@ReadinessCheck): each lever contributes the
 * check of its own policy pack under `required_packs_installed`, so the checklist grows with them.
 * Filled at start by LeverExplorer; go-live reads it.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly items = new Map<string, Map<string, ReadinessCheckFn>>();

  add(item: string, contributor: string, check: ReadinessCheckFn): void {
    const parts = this.items.get(item) ?? new Map<string, ReadinessCheckFn>();
    if (parts.has(contributor)) throw new Error(`readiness check ${item} of ${contributor} declared twice`);
    parts.set(contributor, check);
    this.items.set(item, parts);
  }

  /** Item → contributors, for the discovery listing. */
  declared(): Array<{ item: string; contributor: string }> {
    return [...this.items].flatMap(([item, parts]) => [...parts.keys()].map((contributor) => ({ item, contributor })));
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
