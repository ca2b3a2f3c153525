// Transport benchmark agents: a line's stream id is the name of the log file it came from
// (logs/<stream>.log); the file header is dropped so it is not carried to Kafka.
export default (r) => {
  const file = r.headers.file;
  return { value: r.value, ts: r.ts, stream: file.slice(file.lastIndexOf('/') + 1, -'.log'.length) };
};
