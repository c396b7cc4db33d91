import { Injectable } from '@nestjs/common';
import type { ReviewSectionMeta } from '../lever/contributions.js';

/** One item of the review's "needs attention" list, raised by the section that saw it. */
export interface AttentionItem {
  /** Stable snake_case kind: `loss_cap_near`, `tripwire_triggered`, ... */
  kind: string;
  /** What it is about: `engine:WHOLESALE`, `promotion:BUYER_MATCH`, ... */
  subject: string;
  message: string;
  /**
   * The console page where it is acted on (`/console/risk`), and what the link says ("Review the
   * caps"). Not stored in the report: the page asks the section for them when it draws the item, so
   * reports written before a lever named its page link too.
   */
  href?: string;
  action?: string;
}

/**
 * One lever's contribution to the weekly review, typed by its data `T`: `weekSection` computes the
 * lever's figures for [from, to) with aggregates in the lever's own repository and returns plain
 * JSON (stored as-is in the report, so numbers that must stay exact are strings). How the section
 * draws and what it raises as "needs attention" are declared beside it, on @ReviewSection, as pure
 * functions of that same `T` (`<lever>-review.render.ts`): the decorator checks that the class
 * returns the `T` they read.
 */
export interface ReviewSectionContract<T extends object = object> {
  weekSection(from: Date, to: Date): Promise<T>;
}

export interface RegisteredReviewSection extends ReviewSectionMeta {
  /** The lever's name: the section's key in the report JSON. */
  key: string;
  title: string;
  section: ReviewSectionContract;
}

/**
 * The review sections the levers declare (@ReviewSection), filled at start by LeverExplorer. It
 * lives in the platform so the dependency direction stays platform ← levers ← review: libs/review
 * reads it without importing, or naming, any lever.
 */
@Injectable()
export class ReviewSectionRegistry {
  private readonly sections = new Map<string, RegisteredReviewSection>();

  add(meta: ReviewSectionMeta, section: ReviewSectionContract): void {
    const key = meta.lever.name;
    if (this.sections.has(key)) throw new Error(`review section ${key} declared twice`);
    this.sections.set(key, { ...meta, key, title: meta.title ?? meta.lever.title, section });
  }

  get(key: string): RegisteredReviewSection | undefined {
    return this.sections.get(key);
  }

  /** Every declared section, in report order. */
  all(): RegisteredReviewSection[] {
    return [...this.sections.values()].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  }
}
