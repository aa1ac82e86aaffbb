/**
 * Cleanup steps registered as resources are created, run last-first exactly once: on success,
 * on error and on Ctrl-C. A failing step is reported and the others still run.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.run();
        } catch (e) {
          console.error(`teardown: ${step.name} failed: ${(e as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** On SIGINT/SIGTERM: clean up, then exit with the conventional 128 + signal number. */
  runOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals, code: number) => {
      console.error(`\n${signal}: stopping the stack and dropping the bench database...`);
      void this.run().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => onSignal('SIGINT', 130));
    process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  }
}
