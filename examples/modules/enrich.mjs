// A map stage: turns a generator record ("seq=N xxx...") into a structured event.
export default function enrich(record) {
  const seq = Number(/^seq=(\d+)/.exec(record.value)?.[1]);
  if (!Number.isFinite(seq)) throw new Error(`not a generator record: ${String(record.value).slice(0, 40)}`);
  return { ...record, value: { seq, key: record.key ?? null, level: seq % 10 === 0 ? 'warn' : 'info', size: record.value.length } };
}
