// Alibaba Cloud Function Compute 3.0: the event is a Buffer; the context has requestId,
// function.timeout (seconds) and the function's temporary credentials, which rotate: they
// are made current at the start of every invocation.
import { useInvocationCredentials, type FcCredentials } from './credentials';
import type { PlatformAdapter } from './platform';

/** The FC 3.0 context, as far as we read it. */
export interface FcContext {
  requestId?: string;
  credentials?: FcCredentials;
  function?: { name?: string; timeout?: number };
}

export const fcAdapter: PlatformAdapter = {
  name: 'fc',
  begin(context, startedAt) {
    const fc = (typeof context === 'object' && context !== null ? context : {}) as FcContext;
    useInvocationCredentials(fc.credentials);
    const timeout = fc.function?.timeout;
    return {
      requestId: typeof fc.requestId === 'string' ? fc.requestId : undefined,
      deadline: typeof timeout === 'number' && timeout > 0 ? startedAt + timeout * 1000 : undefined,
    };
  },
};
