/**
 * Per-test-file setup. aws-local-stepfunctions (the ASL engine the state-machine tests run) targets Node 22 and
 * calls Promise.withResolvers, which Node 20 lacks; everything else it uses exists on Node 20 (AbortSignal.any since
 * 20.3). The polyfill follows the proposal's definition.
 */
const P = Promise as PromiseConstructor & { withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void } };
P.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void, reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
