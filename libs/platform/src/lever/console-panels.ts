import { Injectable } from '@nestjs/common';
import type { ConsolePanelMeta } from './contributions.js';

/**
 * A console page a lever contributes (@ConsolePanel). The console shell serves `script()` with
 * its own assets; the script registers the page's renderer with the shell's client, which fetches
 * the JSON API with the operator's session.
 */
export interface ConsolePanelContract {
  /** Client-side JavaScript (no imports, runs after the shell's script): renders the page. */
  script(): string;
}

export interface RegisteredPanel extends ConsolePanelMeta {
  panel: ConsolePanelContract;
}

/** The console pages declared by the levers, in navigation order. The shell names none of them. */
@Injectable()
export class ConsolePanelRegistry {
  private readonly panels = new Map<string, RegisteredPanel>();

  add(panel: RegisteredPanel): void {
    if (this.panels.has(panel.slug)) throw new Error(`console panel ${panel.slug} declared twice`);
    this.panels.set(panel.slug, panel);
  }

  get(slug: string): RegisteredPanel | undefined {
    return this.panels.get(slug);
  }

  all(): RegisteredPanel[] {
    return [...this.panels.values()].sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  }
}
