/**
 * Runs a task one at a time: a kick while it runs asks for exactly one more run after it (kicks
 * coalesce), so a burst of wake-ups (NOTIFYs, a poll) never stacks concurrent drains.
 */
export class CoalescedRun {
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.task()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once the run in progress (if any) is over. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }
}
