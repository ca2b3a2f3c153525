import { onTestFinished } from 'vitest';
import { missingPart } from '../../real-part.js';
import { Pushgateway, PUSHGATEWAY_INSTALL, pushgatewayBinary } from '../../infra/pushgateway/pushgateway.js';

/** The real Pushgateway binary; a missing one skips (outside CI) or fails (in CI). */
export function pushgatewayOrSkip(): string | undefined {
  const binary = pushgatewayBinary();
  return missingPart(binary !== undefined, 'the Prometheus Pushgateway', PUSHGATEWAY_INSTALL) ? undefined : binary;
}

/** The gateway the pushgateway sink's example pushes to (127.0.0.1:9091), for the test that calls it. */
export async function examplePushgateway(): Promise<void> {
  const binary = pushgatewayBinary();
  if (binary === undefined) throw new Error(`the Prometheus Pushgateway is missing: ${PUSHGATEWAY_INSTALL}`);
  const gateway = await Pushgateway.start(binary, 9091);
  onTestFinished(() => gateway.stop());
}
