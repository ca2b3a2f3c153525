import { onTestFinished } from 'vitest';
import { missingPart } from '../../real-part.js';
import { Pushgateway, PUSHGATEWAY_INSTALL, pushgatewayBinary } from '../../infra/pushgateway/pushgateway.js';

/** The real Pushgateway binary; a missing one skips (outside CI) or fails (in CI). */
export function pushgatewayOrSkip(): string | undefined {
  const binary = pushgatewayBinary();
  return missingPart(binary !== undefined, 'the Prometheus Pushgateway', PUSHGATEWAY_INSTALL) ? undefined : binary;
}

/** A Pushgateway on a free port for the sink's example, and the setting that points it there. */
export async function examplePushgateway(): Promise<{ url: string }> {
  const binary = pushgatewayBinary();
  if (binary === undefined) throw new Error(`the Prometheus Pushgateway is missing: ${PUSHGATEWAY_INSTALL}`);
  const gateway = await Pushgateway.start(binary);
  onTestFinished(() => gateway.stop());
  return { url: gateway.url };
}
