// What a runtime adapter gives the handler factory: the request id, the deadline and the
// credentials of one invocation, read from that platform's context. Decoding is shared:
// both platforms' events go through decode.ts (either may hand the other's shape).

export interface Invocation {
  requestId: string | undefined;
  /** Epoch ms by which the invocation must be over; undefined when the context does not say. */
  deadline: number | undefined;
}

export interface PlatformAdapter {
  name: 'lambda' | 'fc';
  /** Reads one invocation's context; also makes its credentials current (FC rotates them). */
  begin(context: unknown, startedAt: number): Invocation;
}
