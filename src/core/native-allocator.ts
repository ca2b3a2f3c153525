/**
 * lz4-napi and @node-rs/crc32 each carry mimalloc, which by default returns freed pages to the
 * system only 10 ms later and only when it is next called; the LZ4 buffers a Kafka -> Kafka run
 * frees by the thousand then stay resident (68-78 MB of a 1 GiB arena at the run's peak). Purging
 * at once keeps peak RSS 30-40 MB lower at the same CPU (docs/decisions/kafka-fast-path.md).
 * mimalloc reads its options when the first of those modules loads, so the command line imports
 * this module before anything else. A value the user set is kept.
 */
process.env['MIMALLOC_PURGE_DELAY'] ??= '0';
