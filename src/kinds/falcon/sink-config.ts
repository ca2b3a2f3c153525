import { z } from 'zod';

export const falconSinkConfig = z
  .strictObject({
    url: z.url().default('http://127.0.0.1:1988/v1/push').describe("The Open-Falcon agent's push endpoint."),
    timeoutMs: z.number().int().positive().default(5000).describe('Time one push may take before it counts as failed.'),
    maxAttempts: z.number().int().min(1).default(5).describe('Pushes of one request before the sink reports the agent unreachable (the batch is then delivered again after the backoff).'),
    minBackoffMs: z.number().int().positive().default(200).describe('Wait before the second attempt; doubled per attempt.'),
    maxBackoffMs: z.number().int().positive().default(5000).describe('Longest wait between attempts.'),
    maxPointsPerPush: z.number().int().positive().default(1000).describe('Data points per request at most.'),
  })
  .describe('Pushes Open-Falcon data points (from the falcon stage) to an agent as JSON arrays on /v1/push.');

export type FalconSinkConfig = z.output<typeof falconSinkConfig>;
