/** What the gateway needs to know of a registered stream (the registry's rows have more). */
export interface ServedStream {
  id: string;
  /** Records of the stream go downstream with this as their stream (their topic). */
  topic: string;
  /** The registry's name of the Kafka cluster the stream is written to. */
  cluster: string;
  tokenSha256: string;
  state: 'active' | 'disabled';
  quotaRecordsPerSec: number | null;
  quotaBytesPerSec: number | null;
}
