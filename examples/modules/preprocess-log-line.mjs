// The `preprocess` map stage of examples/collect-to-kafka.yaml: one tailed log line in, one
// structured event out (or nothing, for a blank line). It never throws, so no line is
// dead-lettered here: a line that is not in the expected format is kept as { message }.
//
// Expected format (the one test/fixtures and `millrace report` use):
//   2026-11-20T08:15:02.113Z shop ad_show user=u1042 ad=a17 slot=top
//   <ISO-8601 timestamp> <app> <event> key=value ...
// Fields are split at spaces (for quoted values with spaces, use the `parse` stage instead).

const LINE = /^(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;

function fieldsOf(rest) {
  const fields = {};
  for (const token of rest.split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return fields;
}

export default function preprocess(record) {
  const line = String(record.value).trim();
  if (line === '') return null;
  const file = record.headers?.file ?? null;
  const m = LINE.exec(line);
  const ts = m === null ? Number.NaN : Date.parse(m[1]);
  if (m === null || Number.isNaN(ts)) return { ...record, key: 'unparsed', value: { message: line, file } };
  const [, time, app, event, rest = ''] = m;
  // Keyed by app: all events of one app land in one partition, in order.
  return { ...record, key: app, ts, value: { ts: time, app, event, fields: fieldsOf(rest), file } };
}
