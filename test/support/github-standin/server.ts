/**
 * A local GitHub for tests: node:http on 127.0.0.1 (random port) answering the
 * REST operations the runner uses, backed by real bare git repositories, held
 * to GitHub's published OpenAPI description (every request and every response
 * is validated; problems are recorded in `violations`, which tests assert is
 * empty), plus the rules the description cannot express: comment bodies of at
 * most 65,536 characters, one open PR per head branch (422), `Link` headers
 * for pagination. Faults (5xx, secondary rate limits with `retry-after`, 422)
 * can be injected at a rate (seeded, deterministic) or by script.
 *
 *   const gh = await startStandIn({ repos: [{ owner: 'acme', name: 'infra' }] });
 *   const octokit = createOctokit({ apiUrl: gh.url, token: 't' });
 *   …
 *   expect(gh.violations).toEqual([]);
 *   await gh.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { OpenApiContract, type DescriptionInfo, type Violation } from './openapi.ts';
import type { OperationId } from './operations.ts';
import { StandInState, git, type StoredRepo, type StoredUser } from './state.ts';
import { HANDLERS, type Ctx, type Reply } from './handlers.ts';
import type { Urls } from './resources.ts';

export type { Violation } from './openapi.ts';
export { StandInState } from './state.ts';
export type { StoredCheckRun, StoredComment, StoredIssue, StoredRepo, StoredUser, StoredAnnotation, StoredLabel } from './state.ts';

export type FaultKind =
  | 'server-error' // 500
  | 'bad-gateway' // 502
  | 'unavailable' // 503
  | 'secondary-rate-limit' // 403 + retry-after, GitHub's secondary limit
  | 'too-many-requests' // 429 + retry-after
  | 'validation-failed'; // 422

export interface ScriptedFault {
  /** Which requests it applies to; both optional (all requests). */
  operation?: OperationId;
  method?: string;
  /** Fault the nth matching request (1-based); default 1. */
  nth?: number;
  fault: FaultKind;
  /**
   * Perform the request, then answer with the fault: the "write succeeded but
   * the response was lost" case that makes blind retries of a POST duplicate.
   */
  afterProcessing?: boolean;
}

export interface FaultPlan {
  /** Probability (0..1) that a request is answered with a fault instead. */
  rate?: number;
  /** PRNG seed, so a faulty run is reproducible. Default 1. */
  seed?: number;
  /** Faults drawn from when injecting by rate. Default: 500, 502, 503, secondary rate limit, 429. */
  kinds?: FaultKind[];
  /**
   * At most this many faults in a row for the same method + path (default 2):
   * real faults are transient, and a seeded rate must not exceed the client's
   * retry budget by bad luck.
   */
  maxConsecutive?: number;
  /** `retry-after` seconds on rate-limit faults (default 1; the client scales it). */
  retryAfter?: number;
  script?: ScriptedFault[];
}

export interface TokenGrant {
  login: string;
  type?: 'User' | 'Bot';
  /** `read` models the read-only GITHUB_TOKEN of a fork PR: every write is a 403. */
  permission: 'read' | 'write';
}

export interface RepoSpec {
  owner: string;
  name: string;
  /** An existing bare repository; by default an empty one is created (and removed on close). */
  path?: string;
  defaultBranch?: string;
  private?: boolean;
}

export interface StandInOptions {
  repos: RepoSpec[];
  /**
   * Known tokens. Any other bearer token is accepted as `github-actions[bot]`
   * with write access (Actions' GITHUB_TOKEN); requests without a token may only read.
   */
  tokens?: Record<string, TokenGrant>;
  faults?: FaultPlan;
  /** Serve under a prefix, e.g. `/api/v3` as GitHub Enterprise Server does. */
  pathPrefix?: string;
  /** Alternative description file (default: the committed subset). */
  descriptionFile?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  operation: OperationId | null;
  status: number;
  /** Injected fault, if the request was answered with one. */
  fault?: FaultKind;
  token?: string;
  body?: unknown;
}

export interface StandIn {
  /** Base URL for Octokit's `baseUrl` / GITHUB_API_URL (includes the path prefix). */
  url: string;
  state: StandInState;
  requests: RecordedRequest[];
  violations: Violation[];
  description: DescriptionInfo;
  /** Replace the fault plan (e.g. fault-free setup, then faults for the run under test). */
  setFaults(plan: FaultPlan | undefined): void;
  close(): Promise<void>;
}

const DEFAULT_FAULTS: FaultKind[] = ['server-error', 'bad-gateway', 'unavailable', 'secondary-rate-limit', 'too-many-requests'];

/** mulberry32: small, seedable, good enough to spread faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let contractCache: { file: string; contract: OpenApiContract } | undefined;

export async function startStandIn(opts: StandInOptions): Promise<StandIn> {
  const file = opts.descriptionFile;
  // Compiling the validators takes a moment; one contract per test process.
  if (!contractCache || contractCache.file !== (file ?? '')) contractCache = { file: file ?? '', contract: new OpenApiContract(file) };
  const contract = contractCache.contract;
  const state = new StandInState();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const owned: string[] = [];
  const prefix = (opts.pathPrefix ?? '').replace(/\/+$/, '');

  for (const spec of opts.repos) {
    let path = spec.path;
    const defaultBranch = spec.defaultBranch ?? 'main';
    if (!path) {
      const dir = await mkdtemp(join(tmpdir(), 'gh-standin-'));
      owned.push(dir);
      path = join(dir, `${spec.name}.git`);
      await git.run(dir, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
    }
    const ownerUser: StoredUser = { login: spec.owner, id: state.nextId(), type: 'User' };
    const repo: StoredRepo = {
      owner: spec.owner,
      name: spec.name,
      fullName: `${spec.owner}/${spec.name}`,
      id: state.nextId(),
      path,
      defaultBranch,
      private: spec.private ?? false,
      ownerUser,
    };
    state.repos.set(repo.fullName.toLowerCase(), repo);
  }

  let plan: FaultPlan | undefined;
  let random = prng(1);
  const consecutive = new Map<string, number>();
  const scriptCounts = new Map<ScriptedFault, number>();
  const setFaults = (p: FaultPlan | undefined) => {
    plan = p;
    random = prng(p?.seed ?? 1);
    consecutive.clear();
    scriptCounts.clear();
  };
  setFaults(opts.faults);

  const users = new Map<string, StoredUser>();
  const userFor = (login: string, type: 'User' | 'Bot'): StoredUser => {
    let u = users.get(login);
    if (!u) users.set(login, (u = { login, id: state.nextId(), type }));
    return u;
  };

  const chooseFault = (method: string, pathname: string, opId: OperationId): { kind: FaultKind; after: boolean } | undefined => {
    // Every entry counts every request it matches (so `nth` means the nth matching
    // request overall); the first entry whose turn it is fires.
    let scripted: ScriptedFault | undefined;
    for (const s of plan?.script ?? []) {
      if (s.operation && s.operation !== opId) continue;
      if (s.method && s.method.toUpperCase() !== method) continue;
      const n = (scriptCounts.get(s) ?? 0) + 1;
      scriptCounts.set(s, n);
      if (!scripted && n === (s.nth ?? 1)) scripted = s;
    }
    if (scripted) return { kind: scripted.fault, after: scripted.afterProcessing === true };
    if (!plan?.rate) return undefined;
    const key = `${method} ${pathname}`;
    const streak = consecutive.get(key) ?? 0;
    const roll = random();
    const pick = random();
    if (roll < plan.rate && streak < (plan.maxConsecutive ?? 2)) {
      consecutive.set(key, streak + 1);
      const kinds = plan.kinds ?? DEFAULT_FAULTS;
      return { kind: kinds[Math.floor(pick * kinds.length)]!, after: false };
    }
    consecutive.set(key, 0);
    return undefined;
  };

  let urls: Urls = { api: '', web: '' };
  // One request at a time: handlers await git, and GitHub's own writes are
  // serialised per repository; interleaving would let two creates race.
  let queue: Promise<unknown> = Promise.resolve();

  const server = createServer((req, res) => {
    const job = queue.then(() => handle(req, res)).catch((err: unknown) => {
      violations.push({ operation: 'internal', method: req.method ?? '', url: req.url ?? '', where: 'route', errors: [`stand-in error: ${(err as Error).stack ?? String(err)}`] });
      if (!res.headersSent) send(res, 500, { message: 'stand-in internal error', documentation_url: 'https://docs.github.com/rest' });
    });
    queue = job;
  });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    res.end(text);
  }

  function faultReply(kind: FaultKind): Reply {
    const retryAfter = String(plan?.retryAfter ?? 1);
    const doc = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
    switch (kind) {
      case 'server-error':
        return { status: 500, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } };
      case 'bad-gateway':
        return { status: 502, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } };
      case 'unavailable':
        return { status: 503, body: { message: 'Service Unavailable', documentation_url: 'https://docs.github.com/rest' } };
      case 'secondary-rate-limit':
        return {
          status: 403,
          headers: { 'retry-after': retryAfter },
          body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: doc },
        };
      case 'too-many-requests':
        return {
          status: 429,
          headers: { 'retry-after': retryAfter },
          body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: doc },
        };
      case 'validation-failed':
        return { status: 422, body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: [] } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', urls.api || 'http://127.0.0.1');
    const raw = await readBody(req);
    const auth = req.headers.authorization;
    const token = auth ? auth.replace(/^(token|bearer)\s+/i, '') : undefined;
    const record: RecordedRequest = { method, url: url.pathname + url.search, operation: null, status: 0, ...(token ? { token } : {}) };
    requests.push(record);
    const reply = (r: Reply) => {
      record.status = r.status;
      send(res, r.status, r.body, r.headers);
    };

    let pathname = url.pathname;
    if (prefix) {
      if (!pathname.startsWith(prefix + '/')) {
        violations.push({ operation: 'unknown', method, url: record.url, where: 'route', errors: [`path outside the API prefix ${prefix}`] });
        return reply({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
      }
      pathname = pathname.slice(prefix.length);
    }
    const routed = contract.route(method, pathname);
    if (!routed) {
      violations.push({ operation: 'unknown', method, url: record.url, where: 'route', errors: ['no operation of the served subset matches'] });
      return reply({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
    }
    const { op, params } = routed;
    record.operation = op.id;
    const vio = (where: Violation['where'], errors: string[], status?: number) =>
      violations.push({ operation: op.id, method, url: record.url, where, errors, ...(status !== undefined ? { status } : {}) });

    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
        record.body = body;
      } catch {
        vio('request.body', ['body is not JSON']);
        return reply({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' } });
      }
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const requestProblems = contract.checkRequest(op, params, query, body);
    if (requestProblems.length > 0) {
      for (const p of requestProblems) vio(p.where, p.errors);
      // GitHub answers a request that does not match the schema with 422.
      const r: Reply = { status: 422, body: { message: `Invalid request.\n\n${requestProblems.flatMap((p) => p.errors).join('\n')}`, documentation_url: 'https://docs.github.com/rest' } };
      return respond(r);
    }

    const fault = chooseFault(method, pathname, op.id);
    if (fault && !fault.after) {
      record.fault = fault.kind;
      return respond(faultReply(fault.kind));
    }

    const isWrite = method !== 'GET' && method !== 'HEAD';
    let actor: StoredUser | undefined;
    if (token) {
      const grant = opts.tokens?.[token];
      actor = grant ? userFor(grant.login, grant.type ?? 'User') : userFor('github-actions[bot]', 'Bot');
      if (isWrite && grant?.permission === 'read') {
        return respond({ status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } });
      }
    } else if (isWrite) {
      return respond({ status: 401, body: { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' } });
    }

    const repo = state.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
    if (!repo) return respond({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });

    const ctx: Ctx = {
      state,
      repo,
      params,
      query,
      body: body as Record<string, unknown> | undefined,
      actor: actor ?? userFor('anonymous', 'User'),
      urls,
      requestUrl: new URL(urls.api + pathname + url.search),
    };
    const result = await HANDLERS[op.id](ctx);
    if (fault?.after) {
      record.fault = fault.kind;
      return respond(faultReply(fault.kind));
    }
    return respond(result);

    function respond(r: Reply) {
      for (const p of contract.checkResponse(op, r.status, r.body)) vio(p.where, p.errors, r.status);
      reply(r);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  urls = { api: origin + prefix, web: origin };

  return {
    url: origin + prefix,
    state,
    requests,
    violations,
    description: contract.info,
    setFaults,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(owned.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
