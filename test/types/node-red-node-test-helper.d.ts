// The parts of node-red-node-test-helper the tests use (the package ships no types).
declare module 'node-red-node-test-helper' {
  import type { SinonSpy } from 'sinon';
  import type { Test } from 'supertest';

  interface TestNode {
    id: string;
    type: string;
    on(event: string, listener: (...args: never[]) => void): void;
    once(event: string, listener: (...args: never[]) => void): void;
    receive(msg: Record<string, unknown>): void;
    status: SinonSpy;
    error: SinonSpy;
    warn: SinonSpy;
    send: SinonSpy;
    [key: string]: unknown;
  }

  interface Helper {
    init(runtimePath?: string, settings?: Record<string, unknown>): void;
    load(
      nodes: unknown,
      flow: Array<Record<string, unknown>>,
      credentials?: Record<string, Record<string, unknown>>,
    ): Promise<void>;
    unload(): Promise<void>;
    /** Deploys a new flow to the running runtime: 'full', 'nodes' or 'flows', as the editor would. */
    setFlows(
      flow: Array<Record<string, unknown>>,
      type: 'full' | 'nodes' | 'flows',
      credentials?: Record<string, Record<string, unknown>>,
    ): Promise<void>;
    getNode(id: string): TestNode;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    request(): { get(path: string): Test; post(path: string): Test };
    log(): SinonSpy;
    settings(settings: Record<string, unknown>): Record<string, unknown>;
  }

  const helper: Helper;
  export = helper;
}
