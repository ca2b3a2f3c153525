// The four map steps of the pass-through benchmark, shared by the millrace topology and the
// bare RxJS reference so both do exactly the same per-record work.
export const step1 = (r) => ({ value: r.value, key: r.key, ts: r.ts, headers: { step: '1' } });
export const step2 = (r) => ({ value: r.value, key: r.key, ts: r.ts + 1, headers: r.headers });
export const step3 = (r) => ({ value: r.value, key: r.key ?? 'none', ts: r.ts, headers: r.headers });
export const step4 = (r) => ({ value: r.value, key: r.key, ts: r.ts, headers: r.headers, stream: 'bench' });
