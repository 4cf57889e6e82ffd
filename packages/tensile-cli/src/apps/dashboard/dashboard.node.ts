/**
 * A live training dashboard: a `fit` callback that serves a local page (Fastify) and streams each
 * step's loss and metrics, learning rate, step time and memory, and each epoch's logs, to it as
 * Server-Sent Events. A page opened mid-run first receives every event so far.
 *
 * ```ts
 * const dashboard = new Dashboard({ port: 6006 });
 * console.log(`dashboard: ${await dashboard.start()}`);
 * await model.fit(x, y, { epochs: 10, callbacks: [dashboard] });
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { Callback, memory, type Logs } from 'tensile';
import type { DashboardEvent } from './events.js';

/** TensorBoard's port, which users of a training dashboard expect. */
export const DEFAULT_DASHBOARD_PORT = 6006;

export interface DashboardOptions {
  /** TCP port (0: any free port; default DEFAULT_DASHBOARD_PORT). */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Shown at the top of the page (default the model's name). */
  readonly title?: string;
}

/** The compiled pages (this folder's page/ and the shared charts) and web/dashboard's HTML. */
const appsDir = fileURLToPath(new URL('../', import.meta.url));
const htmlFile = fileURLToPath(new URL('../../../../web/dashboard/index.html', import.meta.url));
const SCRIPTS = new Set(['dashboard/page/dashboard-page.js', 'charts/line-chart.js']);

/** A step's loss and metrics: fit's batch logs without the batch's index and size. */
function withoutBatchFields(logs: Logs): Logs {
  return Object.fromEntries(Object.entries(logs).filter(([key]) => key !== 'batch' && key !== 'size'));
}

export class Dashboard extends Callback {
  private readonly events: DashboardEvent[] = [];
  private readonly clients = new Set<ServerResponse>();
  private server: FastifyInstance | undefined;
  private address: Promise<string> | undefined;
  private step = 0;
  private epoch = 0;
  private stepStarted = 0;

  constructor(private readonly options: DashboardOptions = {}) {
    super();
  }

  /** Starts the server (once; training starts it too) and resolves to the page's URL. */
  start(): Promise<string> {
    return (this.address ??= this.listen());
  }

  private async listen(): Promise<string> {
    const app = Fastify({ logger: false });
    this.server = app;
    const html = await readFile(htmlFile);
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
    app.get('/js/*', async (request, reply) => {
      const script = (request.params as { '*': string })['*'];
      if (!SCRIPTS.has(script)) return reply.code(404).send('not found');
      return reply.type('text/javascript; charset=utf-8').send(await readFile(path.join(appsDir, script)));
    });
    app.get('/events', (request, reply) => {
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.flushHeaders(); // the page knows it is connected before the first event
      for (const event of this.events) response.write(`data: ${JSON.stringify(event)}\n\n`);
      this.clients.add(response);
      request.raw.once('close', () => this.clients.delete(response));
    });
    const address = await app.listen({ port: this.options.port ?? DEFAULT_DASHBOARD_PORT, host: this.options.host ?? '127.0.0.1' });
    return `${address.replace('127.0.0.1', 'localhost')}/`;
  }

  private send(event: DashboardEvent): void {
    this.events.push(event);
    const message = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) client.write(message);
  }

  override async onTrainBegin(): Promise<void> {
    await this.start();
    this.send({ type: 'begin', title: this.options.title ?? this.model.name, model: this.model.name, epochs: this.params.epochs, steps: this.params.steps });
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchBegin(): void {
    this.stepStarted = performance.now();
  }

  override onBatchEnd(_batch: number, logs: Logs): void {
    const stepMs = performance.now() - this.stepStarted;
    this.send({
      type: 'step',
      step: this.step++,
      epoch: this.epoch,
      logs: withoutBatchFields(logs),
      learningRate: this.model.compiled?.optimizer.currentLearningRate ?? NaN,
      stepMs,
      tensorBytes: memory().bytes,
      rssBytes: process.memoryUsage.rss(),
    });
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.send({ type: 'epoch', epoch, step: this.step - 1, logs: { ...logs } });
  }

  override onTrainEnd(logs: Logs): void {
    this.send({ type: 'end', logs: { ...logs } });
  }

  /** Ends every page's stream and stops the server. */
  async close(): Promise<void> {
    for (const client of this.clients) client.end();
    this.clients.clear();
    await this.server?.close();
  }
}
