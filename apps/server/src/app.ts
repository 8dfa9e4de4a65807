// Builds the HTTP server: security headers, cookies, rate limits, the route table and the web app.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import { installErrorHandling, registerRoutes } from './platform/http.ts';
import { allRoutes } from './routes.ts';
import { openApiDocument } from './platform/openapi.ts';
import type { Services } from './platform/services.ts';
import { allJobHandlers } from './jobs.ts';
import { startWorker, type Worker } from './modules/jobs/queue.ts';
import { startReceiptListener, type ReceiptListener } from './modules/scoping/receipts.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The background-job worker of this server; tests call `jobs.drain()` instead of waiting for the poll. */
    jobs: Worker;
    /** Listens for late SMS delivery receipts while any is awaited; null without SMPP_URL. */
    receipts: ReceiptListener | null;
  }
}

z.config(z.locales.fr());

export const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function buildApp(services: Services, options: { logger?: boolean; pollJobs?: boolean; listenReceipts?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: services.config.logLevel } : false,
    bodyLimit: 1_048_576,
    trustProxy: false,
    genReqId: () => crypto.randomUUID(),
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    hsts: services.config.secureCookies,
    crossOriginEmbedderPolicy: false,
  });
  // Every API route the server answers, so a test can prove none escapes the route table.
  const routeList: string[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    for (const method of ([] as string[]).concat(route.method)) routeList.push(`${method} ${route.url}`);
  });
  app.decorate('routeList', routeList);
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: services.config.maxUploadBytes, files: 1, fields: 5, fieldSize: 10_000 } });
  await app.register(rateLimit, { global: true, max: 600, timeWindow: '1 minute' });
  installErrorHandling(app);

  const routes = allRoutes();
  registerRoutes(app, routes, services);
  app.get('/api/v1/openapi.json', async () => openApiDocument(routes));
  app.get('/api/v1/health', async () => ({ status: 'ok', database: services.database.kind }));

  // Jobs (log scans, scoping) run in this process; any other instance on the same database shares the queue.
  const receipts = options.listenReceipts === false ? null : startReceiptListener(services, { log: app.log });
  app.decorate('receipts', receipts);
  const worker = startWorker(services.db, allJobHandlers(services, { campaignStarting: async () => { await receipts?.hold(); }, campaignEnded: () => receipts?.release() }), { autoStart: options.pollJobs ?? true, pollMs: 500 });
  app.decorate('jobs', worker);
  app.addHook('onClose', () => worker.stop());
  app.addHook('onClose', async () => { await receipts?.stop(); });

  const withWeb = existsSync(path.join(webDist, 'index.html'));
  if (withWeb) await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  // Client-side routes fall back to the app; unknown API paths stay JSON 404s.
  app.setNotFoundHandler((request, reply) => {
    if (withWeb && (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/')) return reply.type('text/html').sendFile('index.html');
    return reply.code(404).send({ code: 'not_found', message: `Adresse inconnue : ${request.method} ${request.url.split('?')[0]}`, details: [] });
  });
  return app;
}
