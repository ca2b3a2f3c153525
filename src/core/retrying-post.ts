import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from 'pino';
import { NotConnected, errorMessage } from './errors.js';

/** Settings of a sink that posts to an HTTP endpoint, spread into its config schema. */
export const retryingPostSettings = {
  timeoutMs: z.number().int().positive().default(5000).describe('Time one request may take before it counts as failed.'),
  maxAttempts: z.number().int().min(1).default(5).describe('Attempts of one request before the sink reports the endpoint unreachable (the batch is then delivered again after the backoff).'),
  minBackoffMs: z.number().int().positive().default(200).describe('Wait before the second attempt; doubled per attempt.'),
  maxBackoffMs: z.number().int().positive().default(5000).describe('Longest wait between attempts.'),
};

export interface RetryingPostConfig {
  timeoutMs: number;
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

/** Who posts: named in errors, logging retries, stopping when aborted (an actor's context is one). */
export interface PostingActor {
  readonly id: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** A request's fate: accepted, refused for good (4xx, with the reason), or worth another try. */
export type PostOutcome = { ok: true } | { ok: false; rejected: string } | { ok: false; retry: string };

/**
 * One POST: a 4xx answer is `rejected` (retrying the same body cannot help), a timeout, network
 * error or other answer is `retry`, and a 2xx answer `accepted` says is ok.
 */
export async function postOnce(url: string, body: string, contentType: string, timeoutMs: number, accepted: (status: number, text: string) => boolean): Promise<PostOutcome> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = (await res.text()).trim();
    if (res.status >= 400 && res.status < 500) return { ok: false, rejected: `HTTP ${res.status} ${text.slice(0, 500)}` };
    if (res.ok && accepted(res.status, text)) return { ok: true };
    return { ok: false, retry: `HTTP ${res.status} ${text.slice(0, 200)}` };
  } catch (error) {
    return { ok: false, retry: errorMessage(error) };
  }
}

/**
 * Posts until accepted or rejected, waiting a doubling backoff between attempts; after
 * `maxAttempts` failed ones throws {@link NotConnected}, so the runtime backs off and delivers
 * the batch again. Resolves with the rejection reason, or undefined once accepted.
 */
export async function postWithRetries(config: RetryingPostConfig, ctx: PostingActor, what: string, post: () => Promise<PostOutcome>): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await post();
    if (outcome.ok) return undefined;
    if ('rejected' in outcome) return outcome.rejected;
    if (attempt >= config.maxAttempts) throw new NotConnected(`${ctx.id}: ${what} after ${attempt} attempts: ${outcome.retry}`);
    ctx.log.warn({ attempt, reason: outcome.retry }, `${what} failed; retrying`);
    await sleep(Math.min(config.maxBackoffMs, config.minBackoffMs * 2 ** (attempt - 1)), undefined, { signal: ctx.signal });
  }
}
