/**
 * A consumer group's offset for a partition lies outside what the log still holds (retention
 * deleted it, or the topic was recreated) and the source is configured with
 * `offsetOutOfRange: fail`: it stops rather than silently jumping to another offset.
 */
export class OffsetOutOfRangeError extends Error {
  constructor(
    readonly group: string,
    readonly topic: string,
    readonly partition: number,
    /** The offset the group was at, when known. */
    readonly offset: number | null,
    readonly logStartOffset: number | null,
    readonly highWatermark: number | null,
  ) {
    super(
      `offset ${offset ?? '(unknown)'} of group ${group} is out of range for ${topic}/${partition}` +
        ` (the log holds [${logStartOffset ?? '?'}, ${highWatermark ?? '?'}));` +
        ` set offsetOutOfRange: earliest or latest to continue from there, or reset the group's offset`,
    );
    this.name = 'OffsetOutOfRangeError';
  }
}
