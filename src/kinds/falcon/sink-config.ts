import { z } from 'zod';
import { retryingPostSettings } from '../../core/retrying-post.js';

export const falconSinkConfig = z
  .strictObject({
    url: z.url().default('http://127.0.0.1:1988/v1/push').describe("The Open-Falcon agent's push endpoint."),
    ...retryingPostSettings,
    maxPointsPerPush: z.number().int().positive().default(1000).describe('Data points per request at most.'),
  })
  .describe('Pushes Open-Falcon data points (from the falcon stage) to an agent as JSON arrays on /v1/push.');

export type FalconSinkConfig = z.output<typeof falconSinkConfig>;
