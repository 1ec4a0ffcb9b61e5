/**
 * The platform's HTTPS server (Fastify 5): one route per entry of contract.ts ROUTES, each with
 * its access rule (public, console session + CSRF, role, or USB-Key-signed request), bodies and
 * queries validated by the contract's zod schemas, a body limit, rate limits, and pino logs that
 * redact passwords, PINs, cookies, CSRF and session tokens. Every refusal is {error:{code,zh,en}}
 * with a 4xx status and is logged with its code; a 500 is a bug.
 */
import crypto from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ZodError, type ZodType } from 'zod';
import {
  API_PREFIX, CSRF_HEADER, MAX_BODY_BYTES, MAX_LEAVES_PER_PAGE, ROUTES, SESSION_COOKIE, accountCreateRequest, applicationCreateRequest,
  applicationListQuery, checkpointsQuery, consistencyQuery, decisionRequest, esIdSchema, inclusionQuery, leavesQuery, loginRequest, permitRequest,
  recordListQuery, sealListQuery, sealRegisterRequest, stampingRecordRequest, stateEventRequest, statusQuery, unitCreateRequest, useApprovalListQuery,
  useApprovalRequest, verificationRecordRequest, type ApiFailure, type CheckpointView, type LogEvent, type RouteName, type TrustBundlePayload,
} from './api/contract';
import { createAccount, createUnit, endSession, listAccounts, listUnits, login, requireRole, resumeSession, type ActiveSession } from './auth/accounts';
import { iso, type Actor, type PlatformContext } from './context';
import { PlatformError, refuse, REFUSALS } from './errors';
import { allCheckpointNotes, makeCheckpoint, proveConsistency, proveInclusion, readLeaves } from './log/log-store';
import { applicationImpression, decide, fileApplication, getApplication, listApplications } from './registry/applications';
import { fileStateEvent, getSeal, listSeals, registerSeal, sealDer } from './registry/seals';
import { approveUse, issuePermit, listUseApprovals } from './status/permits';
import { listRecords, recordStamping, recordVerification } from './status/records';
import { signedStatus, STATUS_LIFETIME_MS } from './status/seal-status';
import { issueNonce, verifySignedRequest } from './status/signed-request';
import { signEnvelope } from './signing/signed-envelope';
import { registerConsole } from './console-static';

export interface ServerOptions {
  https?: { key: string | Buffer; cert: string | Buffer };
  /** Requests per minute and client address (all routes) and for login. */
  rateLimit?: { max: number; loginMax: number };
  /** The built web console served at / (default dist/console; console-static.ts). */
  consoleDir?: string;
}

/** What pino must never write. */
export const REDACT_PATHS = [
  'req.headers.cookie', 'req.headers.authorization', `req.headers["${CSRF_HEADER}"]`, 'req.headers["x-sealdesk-signature"]',
  'res.headers["set-cookie"]', 'password', 'pin', 'token', 'csrfToken', '*.password', '*.pin', '*.token', '*.csrfToken', '*.cookie',
];

declare module 'fastify' {
  interface FastifyRequest { rawBody?: Buffer; session?: ActiveSession }
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

function failure(e: PlatformError): ApiFailure {
  const details = e.details && Object.keys(e.details).length > 0 ? { details: e.details } : {};
  return { error: { code: e.code, zh: e.zh, en: e.en, ...details } };
}

function zodRefusal(e: ZodError): PlatformError {
  const issue = e.issues[0];
  const where = issue ? issue.path.map(String).join('.') || '(body)' : '(body)';
  const why = issue ? issue.message : 'invalid';
  return refuse(REFUSALS.REQUEST_INVALID, { field: where }, { zh: `${where}:${why}`, en: `${where}: ${why}` });
}

function parse<T>(schema: ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw zodRefusal(r.error);
  return r.data;
}

/** JSON keys that would reach an object's prototype are refused outright. */
function safeJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`forbidden key "${key}"`);
    return value;
  });
}

export async function buildServer(ctx: PlatformContext, o: ServerOptions = {}): Promise<FastifyInstance> {
  // One instance type for http and https (tests may serve plain http on loopback inside one process).
  const app = (Fastify as unknown as (options: object) => FastifyInstance)({
    loggerInstance: ctx.log,
    bodyLimit: MAX_BODY_BYTES,
    ...(o.https ? { https: { key: o.https.key, cert: o.https.cert } } : {}),
    return503OnClosing: true,
    // Plain and predictable parsing: no prototype keys, no duplicate slashes tricks.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  });
  await app.register(fastifyCookie);
  const limits = o.rateLimit ?? { max: 1200, loginMax: 30 };
  await app.register(rateLimit, {
    max: limits.max, timeWindow: '1 minute',
    errorResponseBuilder: () => ({ statusCode: 429, ...failure(refuse(REFUSALS.RATE_LIMITED)) }),
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, safeJson(body.toString('utf8')));
    } catch (e) {
      done(refuse(REFUSALS.REQUEST_INVALID, {}, { zh: `JSON 格式错误(${(e as Error).message})`, en: `malformed JSON (${(e as Error).message})` }), undefined);
    }
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    let e: PlatformError;
    if (err instanceof PlatformError) e = err;
    else if (err instanceof ZodError) e = zodRefusal(err);
    else {
      const f = err as { statusCode?: number; code?: string; message?: string };
      if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = refuse(REFUSALS.BODY_TOO_LARGE, { limit: MAX_BODY_BYTES });
      else if (f.statusCode === 429) e = refuse(REFUSALS.RATE_LIMITED);
      else if (f.statusCode !== undefined && f.statusCode >= 400 && f.statusCode < 500) {
        e = refuse({ ...REFUSALS.REQUEST_INVALID, status: f.statusCode }, { fastify: f.code }, { zh: f.message ?? '', en: f.message ?? '' });
      } else {
        req.log.error({ err }, 'internal error');
        e = refuse(REFUSALS.INTERNAL);
      }
    }
    if (e.status < 500) req.log.warn({ refused: e.code, details: e.details, route: req.routeOptions.url }, 'request refused');
    void reply.status(e.status).send(failure(e));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(failure(refuse(REFUSALS.NOT_FOUND, { url: req.url.split('?')[0] })));
  });

  const sessionOf = async (req: FastifyRequest): Promise<ActiveSession | undefined> => {
    const token = req.cookies[SESSION_COOKIE];
    return token ? resumeSession(ctx, token) : undefined;
  };

  type Handler = (req: FastifyRequest, reply: FastifyReply, actor: Actor | undefined) => Promise<unknown>;
  const route = (name: RouteName, handler: Handler, extra: { rateLimit?: number } = {}): void => {
    const r = ROUTES[name];
    app.route({
      method: r.method, url: API_PREFIX + r.path,
      ...(extra.rateLimit ? { config: { rateLimit: { max: extra.rateLimit, timeWindow: '1 minute' } } } : {}),
      handler: async (req, reply) => {
        let actor: Actor | undefined;
        const access = r.access as unknown;
        if (access === 'session' || Array.isArray(access)) {
          const s = await sessionOf(req);
          if (!s) throw refuse(REFUSALS.SESSION_REQUIRED);
          if (r.method !== 'GET') {
            const sent = req.headers[CSRF_HEADER];
            const ok = typeof sent === 'string' && sent.length === s.csrf.length && crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(s.csrf));
            if (!ok) throw refuse(REFUSALS.CSRF_FAILED);
          }
          if (Array.isArray(access)) requireRole(s.actor, access);
          req.session = s;
          actor = s.actor;
        }
        return handler(req, reply, actor);
      },
    });
  };
  const body = <T>(schema: ZodType<T>, req: FastifyRequest): T => {
    if (req.body === undefined) throw refuse(REFUSALS.REQUEST_INVALID, {}, { zh: '缺少 JSON 请求体', en: 'a JSON body is required' });
    return parse(schema, req.body);
  };
  const noQuery = (req: FastifyRequest): void => { parse(checkpointsQuery, req.query); };
  const param = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name] ?? '';
  const esIdParam = (req: FastifyRequest): string => parse(esIdSchema, param(req, 'esID'));
  const signed = (req: FastifyRequest) => verifySignedRequest(ctx, { method: req.method, path: req.url, headers: req.headers, body: req.rawBody ?? Buffer.alloc(0) });
  const unitFilter = (actor: Actor | undefined, asked?: string): number | undefined => {
    // Auditors and platform staff (no unit) see every unit; unit staff see their own.
    if (actor && actor.unitId !== null && !actor.roles.includes('auditor') && !actor.roles.includes('maker')) return actor.unitId;
    return asked === undefined ? undefined : Number(asked);
  };

  route('health', async () => ({ ok: true, time: iso(ctx.now()) }));
  route('login', async (req, reply) => {
    const { user, password } = body(loginRequest, req);
    const pw = Buffer.from(password, 'utf8');
    const result = await login(ctx, user, pw);
    req.log.info({ event: 'login', user }, 'logged in');
    void reply.setCookie(SESSION_COOKIE, result.token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: new Date(result.session.expiresAt) });
    return result.session;
  }, { rateLimit: limits.loginMax });
  route('session', async (req) => req.session!.view);
  route('logout', async (req, reply) => {
    if (req.body !== undefined) parse(checkpointsQuery, req.body);
    await endSession(ctx, req.cookies[SESSION_COOKIE]!);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });
  route('units', async () => ({ units: await listUnits(ctx.db) }));
  route('unitCreate', async (req, _r, actor) => {
    if (actor!.unitId !== null) throw refuse(REFUSALS.OTHER_UNIT, {}, { zh: '只有平台管理员可以新建单位', en: 'only platform admins create units' });
    return createUnit(ctx.db, ctx.now(), body(unitCreateRequest, req));
  });
  route('accounts', async (_q, _r, actor) => ({ accounts: await listAccounts(ctx.db, actor!.roles.includes('auditor') ? undefined : actor!.unitId) }));
  route('accountCreate', async (req, _r, actor) => {
    const a = body(accountCreateRequest, req);
    const unitId = a.unitId === undefined ? actor!.unitId : Number(a.unitId);
    if (actor!.unitId !== null && unitId !== actor!.unitId) throw refuse(REFUSALS.OTHER_UNIT);
    return createAccount(ctx.db, ctx.now(), { user: a.user, displayName: a.displayName, password: Buffer.from(a.password, 'utf8'), roles: a.roles, unitId });
  });
  route('applicationCreate', async (req, reply, actor) => {
    const v = await fileApplication(ctx, actor!, body(applicationCreateRequest, req));
    void reply.status(201);
    return v;
  });
  route('applications', async (req, _r, actor) => {
    const q = parse(applicationListQuery, req.query);
    return { applications: await listApplications(ctx.db, { state: q.state, unitId: unitFilter(actor, q.unitId) }) };
  });
  const visibleApplication = async (req: FastifyRequest, actor: Actor | undefined) => {
    const a = await getApplication(ctx.db, param(req, 'id'));
    const unit = unitFilter(actor);
    if (unit !== undefined && Number(a.unitId) !== unit) throw refuse(REFUSALS.APPLICATION_UNKNOWN, { applicationId: a.id });
    return a;
  };
  route('application', async (req, _r, actor) => visibleApplication(req, actor));
  route('applicationImpression', async (req, reply, actor) => {
    const a = await visibleApplication(req, actor);
    void reply.type('image/png').header('content-security-policy', "default-src 'none'").header('x-content-type-options', 'nosniff');
    return Buffer.from(await applicationImpression(ctx.db, a.id));
  });
  route('decision', async (req, _r, actor) => decide(ctx, actor!, param(req, 'id'), body(decisionRequest, req)));
  route('sealRegister', async (req, reply, actor) => {
    const v = await registerSeal(ctx, actor!, body(sealRegisterRequest, req));
    void reply.status(201);
    return v;
  });
  route('seals', async (req, _r, actor) => {
    const q = parse(sealListQuery, req.query);
    return { seals: await listSeals(ctx, { state: q.state, unitId: unitFilter(actor, q.unitId) }) };
  });
  route('seal', async (req) => getSeal(ctx, esIdParam(req)));
  route('sealDer', async (req, reply) => {
    void reply.type('application/octet-stream');
    return Buffer.from(await sealDer(ctx.db, esIdParam(req)));
  });
  route('stateEvent', async (req, _r, actor) => fileStateEvent(ctx, actor!, esIdParam(req), body(stateEventRequest, req)));
  route('status', async (req) => {
    const q = parse(statusQuery, req.query);
    const env = await signedStatus(ctx, esIdParam(req), q.at, q.nonce);
    // A client refuses to stamp on an answer other than "in use": the platform's side of that refusal.
    const p = JSON.parse(env.payload) as { esID: string; state: string; expired: boolean; at: string };
    req.log.info({ event: 'status_answered', esID: p.esID, state: p.state, expired: p.expired, at: q.at ?? null }, 'status answered');
    return env;
  });
  route('nonce', async (req) => { noQuery(req); return issueNonce(ctx); });
  route('permit', async (req) => {
    const who = signed(req);
    return issuePermit(ctx, who, body(permitRequest, req));
  });
  route('useApprovalCreate', async (req, reply, actor) => {
    const v = await approveUse(ctx, actor!, body(useApprovalRequest, req));
    void reply.status(201);
    return v;
  });
  route('useApprovals', async (req) => ({ approvals: await listUseApprovals(ctx.db, parse(useApprovalListQuery, req.query).esID) }));
  route('stampingRecord', async (req) => {
    const who = signed(req);
    return recordStamping(ctx, who, body(stampingRecordRequest, req));
  });
  route('verificationRecord', async (req) => recordVerification(ctx, body(verificationRecordRequest, req)));
  route('records', async (req) => ({ records: await listRecords(ctx.db, parse(recordListQuery, req.query)) }));
  route('checkpoint', async (req): Promise<CheckpointView> => {
    noQuery(req);
    const cp = await makeCheckpoint(ctx.db, ctx.signer, ctx.config.logOrigin, ctx.now());
    return { checkpoint: cp.note, size: cp.size, rootHash: b64(cp.root), timestamp: cp.madeAt };
  });
  route('checkpoints', async (req) => { noQuery(req); return { checkpoints: await allCheckpointNotes(ctx.db) }; });
  route('inclusionProof', async (req) => {
    const q = parse(inclusionQuery, req.query);
    const size = q.size ?? (await makeCheckpoint(ctx.db, ctx.signer, ctx.config.logOrigin, ctx.now())).size;
    const { leafHash, proof } = await proveInclusion(ctx.db, q.index, size);
    return { index: q.index, size, leafHash: b64(leafHash), proof: proof.map(b64) };
  });
  route('consistencyProof', async (req) => {
    const q = parse(consistencyQuery, req.query);
    const to = q.to ?? (await makeCheckpoint(ctx.db, ctx.signer, ctx.config.logOrigin, ctx.now())).size;
    return { from: q.from, to, proof: (await proveConsistency(ctx.db, q.from, to)).map(b64) };
  });
  route('leaves', async (req) => {
    const q = parse(leavesQuery, req.query);
    if (q.end <= q.start || q.end - q.start > MAX_LEAVES_PER_PAGE) throw refuse(REFUSALS.LOG_RANGE, { start: q.start, end: q.end, max: MAX_LEAVES_PER_PAGE });
    const leaves = await readLeaves(ctx.db, q.start, q.end);
    return {
      leaves: leaves.map((l) => ({ index: l.index, leafHash: b64(l.leafHash), data: b64(l.leaf), event: JSON.parse(Buffer.from(l.leaf).toString('utf8')) as LogEvent })),
    };
  });
  route('trustBundle', async (req) => {
    const q = parse(statusQuery.pick({ nonce: true }), req.query);
    const now = ctx.now();
    const payload: TrustBundlePayload = {
      type: 'trust-bundle', producedAt: iso(now), nextUpdate: iso(new Date(now.getTime() + STATUS_LIFETIME_MS)), ...(q.nonce ? { nonce: q.nonce } : {}),
      platformName: ctx.config.name, logOrigin: ctx.config.logOrigin, platformKeys: [ctx.signer.key], tlsRoot: ctx.tlsRootPem, acceptedRoots: ctx.acceptedRoots,
    };
    return signEnvelope(ctx.signer, payload);
  });
  registerConsole(app, o.consoleDir);
  return app;
}
