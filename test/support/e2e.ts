import { connect, takeServerErrors, type Gateway } from './api';
import { startStack, type Stack, type StackOptions } from './stack';

export interface StartedStack {
  stack: Stack;
  gw: Gateway;
}

/**
 * The set-up every end-to-end file shares. Before its tests: a stack of its own, started with
 * `options`, and the gateway's clients with the agent signed in, handed to `started`. After each
 * test: no 5xx seen by any client. At the end: the stack stopped, whatever happened.
 * Jest runs hooks in the order they are declared, so a file's own `beforeAll` after this one
 * can use what it handed over.
 */
export function useStack(started: (running: StartedStack) => void, options: StackOptions = {}): void {
  let stack: Stack | undefined;

  beforeAll(async () => {
    stack = await startStack(options);
    started({ stack, gw: await connect(stack) });
  });

  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
  });

  afterAll(async () => {
    await stack?.stop();
  });
}
