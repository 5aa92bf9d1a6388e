// Records every uncaught exception and unhandled rejection of this process while a test runs, so that a
// test can assert that none happened (mocha alone would report some of them against another test).

export interface ProcessFaults {
  readonly uncaught: unknown[];
  readonly unhandled: unknown[];
  stop(): void;
}

export function watchProcessFaults(): ProcessFaults {
  const uncaught: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  return {
    uncaught,
    unhandled,
    stop() {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUnhandled);
    },
  };
}
