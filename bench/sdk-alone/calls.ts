// The SDK-alone baselines of the cloud fixtures: for every target type of a fixture, the
// same call made with the official SDK that target type stands for (the targets of both
// clouds sign their own requests instead of bundling it), to the same local fake, with
// nothing around it. aws.ts and alibaba.ts are each bundled alone and
// run by bench/bootstrap.cjs like the fixture's own function, so the ratio is what the
// router costs over a function doing the same calls with the official SDKs.

export interface SdkCall {
  /** The official SDK package making the call. */
  sdk: string;
  /** Sends `message` once to the fake at `endpoint` (an http://127.0.0.1 URL); throws when refused. */
  send(endpoint: string, message: string): Promise<void>;
}

/** Target type -> the same call with its official SDK. */
export type SdkCalls = Record<string, SdkCall>;

/**
 * `make` as a function that builds one client per endpoint on its first call and keeps it:
 * a deployed function keeps its clients from one invocation to the next, as the targets do.
 */
export function keptClients<T>(make: (endpoint: string) => T): (endpoint: string) => T {
  const clients = new Map<string, T>();
  return (endpoint) => {
    let client = clients.get(endpoint);
    if (client === undefined) {
      client = make(endpoint);
      clients.set(endpoint, client);
    }
    return client;
  };
}

/**
 * A handler making every call once, in parallel as dispatch does, to the endpoints in
 * BENCH_ENDPOINTS (`{"target type": "http://127.0.0.1:port"}`), with the event as the message.
 * It answers like the router (one delivery per call) so the bench checks the outcomes alike.
 */
export function sdkAloneHandler(calls: SdkCalls) {
  return async (event: unknown) => {
    const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS ?? '{}') as Record<string, string>;
    const message = JSON.stringify(Buffer.isBuffer(event) ? JSON.parse(event.toString('utf8')) : event);
    const deliveries = await Promise.all(
      Object.entries(calls).map(async ([type, call]) => {
        const endpoint = endpoints[type];
        if (!endpoint) throw new Error(`BENCH_ENDPOINTS has no endpoint for ${type}`);
        await call.send(endpoint, message);
        return { target: type, outcome: 'delivered' };
      }),
    );
    return { deliveries };
  };
}
