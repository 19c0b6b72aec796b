// The SDK-alone baselines of the cloud fixtures: for every SDK package a fixture's bundle
// holds, the same call its target makes, to the same local fake, with nothing around it.
// aws.ts and alibaba.ts are each bundled alone and run by bench/bootstrap.cjs like the
// fixture's own function, so the ratio is what the router adds to its SDKs.

/** Sends `message` once to the fake at `endpoint` (an http://127.0.0.1 URL); throws when refused. */
export type SdkCall = (endpoint: string, message: string) => Promise<void>;

/**
 * A handler making every call once, in parallel as dispatch does, to the endpoints in
 * BENCH_ENDPOINTS (`{"package": "http://127.0.0.1:port"}`), with the event as the message.
 * It answers like the router (one delivery per call) so the bench checks the outcomes alike.
 */
export function sdkAloneHandler(calls: Record<string, SdkCall>) {
  return async (event: unknown) => {
    const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS ?? '{}') as Record<string, string>;
    const message = JSON.stringify(Buffer.isBuffer(event) ? JSON.parse(event.toString('utf8')) : event);
    const deliveries = await Promise.all(
      Object.entries(calls).map(async ([sdk, call]) => {
        const endpoint = endpoints[sdk];
        if (!endpoint) throw new Error(`BENCH_ENDPOINTS has no endpoint for ${sdk}`);
        await call(endpoint, message);
        return { target: sdk, outcome: 'delivered' };
      }),
    );
    return { deliveries };
  };
}
