// dynalite (DynamoDB's HTTP API, in memory) on 127.0.0.1, with the router's table created
// through the real SDK as serverless.yml declares it (partition key pk, on demand).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Dynalite {
  endpoint: string;
  table: string;
  /** Makes the server answer nothing: every call hangs until the client gives up. */
  hang(on: boolean): void;
  stop(): Promise<void>;
}

export const DYNALITE_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIAFAKE0STATESTORE0',
  AWS_SECRET_ACCESS_KEY: 'fake/dynamodb+secret0for0tests0only',
  AWS_REGION: 'us-east-1',
};

export async function startDynalite(table = 'alert-router-state'): Promise<Dynalite> {
  // dynalite is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let hanging = false;
  const handlers = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (hanging) return void req.resume();
    for (const handler of handlers) handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: DYNALITE_ENV.AWS_REGION,
    credentials: { accessKeyId: DYNALITE_ENV.AWS_ACCESS_KEY_ID!, secretAccessKey: DYNALITE_ENV.AWS_SECRET_ACCESS_KEY! },
  });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();
  return {
    endpoint,
    table,
    hang: (on) => {
      hanging = on;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
