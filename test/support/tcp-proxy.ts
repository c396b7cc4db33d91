import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A local TCP proxy in front of a server, for cutting a client off in the ways networks do:
 * - `stall()`: every connection stays open but no byte moves either way (a hung middlebox); new
 *   connections are accepted and stall too. `heal()` lets bytes through again (new connections only:
 *   what a stalled client does is find out and reconnect).
 * - `holdResponseTo(marker)`: the next request whose bytes contain `marker` reaches the server, but
 *   its answer is held back; the returned promise resolves once the server has answered, so a test
 *   can kill the server with the answer committed and lost. `cutHeld()` then drops that connection.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; stalled: boolean }>();
  private stalled = false;
  private hold: { marker: string; answered: () => void } | undefined;
  private held: { client: Socket; upstream: Socket } | undefined;
  port = 0;

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  stall(): void {
    this.stalled = true;
    for (const p of this.pairs) p.stalled = true;
  }

  heal(): void {
    this.stalled = false;
  }

  /** Resolves when the server has answered the next request containing `marker` (the answer is not forwarded). */
  holdResponseTo(marker: string): Promise<void> {
    return new Promise((answered) => (this.hold = { marker, answered }));
  }

  /** Drops the connection whose answer is held: the client sees a reset, not the answer. */
  cutHeld(): void {
    this.held?.client.destroy();
    this.held?.upstream.destroy();
    this.held = undefined;
  }

  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise((r) => this.server.close(r));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = { client, upstream, stalled: this.stalled };
    this.pairs.add(pair);
    let holding = false;
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (pair.stalled) return;
      if (this.hold && chunk.toString('latin1').includes(this.hold.marker)) {
        holding = true;
        this.held = { client, upstream };
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (pair.stalled) return;
      if (holding) {
        const hold = this.hold;
        this.hold = undefined;
        hold?.answered();
        return; // the answer never reaches the client
      }
      client.write(chunk);
    });
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    // A held connection outlives its server: the test cuts it (the client then sees a reset).
    upstream.on('close', () => {
      if (!holding) end();
    });
  }
}
