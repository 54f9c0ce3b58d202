/**
 * The one Octokit factory. Cross-cutting behaviour hooks into `request`
 * (octokit/core.js): plugin-retry retries 5xx and network errors,
 * plugin-throttling waits out primary and secondary rate limits (403/429 with
 * `retry-after`) and paces writes. Callers never build an Octokit themselves,
 * so every request of the runner gets the same resilience.
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { DEFAULT_TUNING, type ClientTuning } from './config.ts';

const GitOpsOctokit = Octokit.plugin(retry, throttling);

export type GitHubClient = InstanceType<typeof GitOpsOctokit>;

export interface ClientLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ClientConfig {
  /** REST base URL (`GitHubConfig.apiUrl`): api.github.com, a GHES `/api/v3`, or the local stand-in. */
  apiUrl: string;
  token: string | undefined;
  tuning?: Partial<ClientTuning>;
  /** Where Octokit's own messages go (rate-limit notices, failed-request lines); silent by default: callers report failures themselves. */
  log?: Partial<ClientLog>;
  userAgent?: string;
}

/**
 * A limiter group that schedules immediately. plugin-throttling paces writes
 * through shared Bottleneck groups (1 s between writes, 3 s between
 * notification-triggering writes); with pacing off (tests against the
 * stand-in) these take their place. Duck-typed to the two calls the plugin
 * makes: `group.key(id).schedule(options, fn, ...args)`.
 */
const immediateGroup = {
  key: () => ({
    schedule: (_opts: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve().then(() => fn(...args)),
  }),
};

export function createOctokit(cfg: ClientConfig): GitHubClient {
  const tuning: ClientTuning = { ...DEFAULT_TUNING, ...cfg.tuning };
  const noop = () => {};
  const log: ClientLog = {
    debug: cfg.log?.debug ?? noop,
    info: cfg.log?.info ?? noop,
    warn: cfg.log?.warn ?? noop,
    error: cfg.log?.error ?? noop,
  };
  // Both limit handlers decide the same way: retry while under the budget.
  // Returning true tells plugin-throttling to wait `retryAfter` (× base) and retry.
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    const again = retryCount < tuning.retries;
    log.warn(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${again ? `retrying after ${retryAfter}s` : 'giving up'}`);
    return again;
  };
  const pacingGroups = tuning.pacing
    ? {}
    : ({ write: immediateGroup, notifications: immediateGroup, search: immediateGroup } as unknown as Record<string, never>);
  return new GitOpsOctokit({
    ...(cfg.token ? { auth: cfg.token } : {}),
    baseUrl: cfg.apiUrl,
    userAgent: cfg.userAgent ?? 'gitops-policy-runner',
    log,
    // The retry budget goes in `retry.retries`, NOT `request.retries`: plugin-retry
    // retries every failed request whose options carry `request.retries`, so a
    // constructor-level value would retry 422s and 404s too.
    retry: { retries: tuning.retries, retryAfterBaseValue: tuning.retryBaseMs },
    throttle: {
      retryAfterBaseValue: tuning.retryBaseMs,
      // Without retry-after GitHub says "wait at least a minute"; scaled by the base like every delay.
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      ...pacingGroups,
    },
  });
}
