import { Injectable } from '@nestjs/common';

/**
 * One lever's contribution to the weekly review. `weekSection` computes the lever's figures for
 * [from, to) with aggregates in the lever's own repository and returns plain JSON (it is stored
 * as-is in the report, so numbers that must stay exact are strings).
 */
export interface ReviewSectionProvider {
  /** Stable key of the section in the report JSON: `control_plane`, `risk`, `tripwires`, ... */
  key: string;
  title: string;
  /** Position in the report (ascending). */
  order: number;
  weekSection(from: Date, to: Date): Promise<Record<string, unknown>>;
}

/**
 * Where levers register their review sections. It lives in the platform so the dependency
 * direction stays platform ← levers ← review: each lever's `<lever>-review.service.ts` registers
 * into it at init, and libs/review reads the registry without importing any lever. A lever that
 * has not landed yet simply has no provider; the review renders its section as "not built yet".
 */
@Injectable()
export class ReviewSectionRegistry {
  private readonly providers = new Map<string, ReviewSectionProvider>();

  register(provider: ReviewSectionProvider): void {
    if (this.providers.has(provider.key)) throw new Error(`review section ${provider.key} registered twice`);
    this.providers.set(provider.key, provider);
  }

  get(key: string): ReviewSectionProvider | undefined {
    return this.providers.get(key);
  }

  /** Every registered provider, in report order. */
  all(): ReviewSectionProvider[] {
    return [...this.providers.values()].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  }
}
