/** What the gateway needs to know of a registered stream (the registry's rows have more). */
export interface ServedStream {
  id: string;
  /** Records of the stream go downstream with this as their stream (their topic). */
  topic: string;
  tokenSha256: string;
  state: 'active' | 'disabled';
  quotaRecordsPerSec: number | null;
  quotaBytesPerSec: number | null;
}
