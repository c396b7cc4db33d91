import { Injectable } from '@nestjs/common';
import type { ConsolePanelMeta } from './contributions.js';

/**
 * A console page a lever contributes (@ConsolePanel). The console shell serves `script()` beside
 * its own script, on that page only; the script registers the page's renderer with the shell's
 * client (`consolePanelScript`), which calls it with the shell's kit: `h` (DOM builder, text only),
 * `api` (the JSON API with the session and CSRF token), `table`, `pill`, `section`, `actionForm`...
 * (apps/api/src/console/console.client.ts lists them).
 */
export interface ConsolePanelContract {
  /** Client-side JavaScript (plain ES2017, no imports, runs after the shell's script): renders the page. */
  script(): string;
}

/**
 * A panel's script: registers `render`, the source of a client function `(kit) => Promise`, as the
 * renderer of the page `slug` (the slug declared on @ConsolePanel, so it has one spelling).
 */
export function consolePanelScript(slug: string, render: string): string {
  return `window.WardenConsole.page(${JSON.stringify(slug)}, ${render.trim()});\n`;
}

export interface RegisteredPanel extends ConsolePanelMeta {
  panel: ConsolePanelContract;
}

/**
 * The console pages declared by the levers, in navigation order; the first is the console's home
 * (`/console`). The shell names none of them.
 */
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
