/** Counters one node's replicas share; read by the inspector and `/metrics`. */
export class NodeMetrics {
  /** Records taken from the input, each once: a redelivered batch is not counted again. */
  recordsIn = 0;
  bytesIn = 0;
  recordsOut = 0;
  bytesOut = 0;
  errors = 0;
  lastError: string | undefined;
  lastErrorAt: number | undefined;

  error(message: string): void {
    this.errors += 1;
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }
}
