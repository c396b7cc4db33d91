/**
 * A lever's one name. It is the `lever` label of `warden_decisions_total`, the prefix of its jobs
 * (`risk.day_close`), audit subjects and actions, its review section's key, its readiness-check
 * contributor and, where the lever acts on its own, its principal. Declared once per lever
 * (`<lever>.lever.ts`) and imported wherever the name is needed, so it has one spelling.
 */
export interface Lever {
  readonly name: string;
  /** How people read it: the review's section title, the console's navigation. */
  readonly title: string;
}

const LEVER_NAME = /^[a-z][a-z0-9_]{1,39}$/;

export function defineLever<const L extends Lever>(lever: L): Readonly<L> {
  if (!LEVER_NAME.test(lever.name)) throw new Error(`lever name ${JSON.stringify(lever.name)} must match ${LEVER_NAME}`);
  return Object.freeze({ ...lever });
}
