/** A peer broke the link protocol: the connection is closed with this reason and nothing is written. */
export class LinkProtocolError extends Error {
  constructor(message: string) {
    super(`link protocol: ${message}`);
    this.name = 'LinkProtocolError';
  }
}
