import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  raw: string;
  json: any;
  at: number;
}

/** A local webhook receiver on 127.0.0.1 that records every POST; `stop()` and `start()` on the same port. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private server?: Server;
  port = 0;
  /** Answer with this status instead of 200. */
  failWith: number | null = null;
  /** Answer a recorded POST with this instead of 200 `ok` (a hostile receiver: redirect, endless body). */
  answer: ((res: ServerResponse) => void) | null = null;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.failWith) {
          res.writeHead(this.failWith).end();
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, raw, json: JSON.parse(raw), at: Date.now() });
        if (this.answer) this.answer(res);
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Polls until `predicate` holds over what arrived (no timed assertion: jest's timeout bounds it). */
  async waitFor(predicate: (received: Received[]) => boolean): Promise<Received[]> {
    while (!predicate(this.received)) await new Promise((r) => setTimeout(r, 25));
    return this.received;
  }
}

export async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}
