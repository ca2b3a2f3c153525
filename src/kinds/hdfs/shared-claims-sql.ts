/** `n` placeholders for an `IN (...)` list. */
function list(n: number): string {
  return Array(n).fill('?').join(', ');
}

/**
 * The statements of {@link SharedClaims} on its table (a plain identifier, backtick-quoted).
 * Every lease is computed by the server (`NOW(6)`), never by a host's clock.
 */
export function claimStatements(table: string, collation: string) {
  const t = `\`${table}\``;
  const stillMine = 'owner = ? AND done = 0';
  return {
    create: `CREATE TABLE IF NOT EXISTS ${t} (
      file VARCHAR(700) NOT NULL PRIMARY KEY, size BIGINT NOT NULL, mtime BIGINT NOT NULL,
      owner VARCHAR(255) NULL, lease_until DATETIME(6) NULL, done TINYINT NOT NULL DEFAULT 0,
      reason TEXT NULL, at DATETIME(6) NOT NULL, KEY at_idx (at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
    /** Params: file ids. */
    lookup: (n: number) =>
      `SELECT file, size, mtime, done, owner, lease_until > NOW(6) AS live FROM ${t} WHERE file IN (${list(n)})`,
    /** Params: file, size, mtime, owner, lease µs. Affects 1 row when the file was unknown. */
    insertNew: `INSERT INTO ${t} (file, size, mtime, owner, lease_until, done, at)
      VALUES (?, ?, ?, ?, DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), 0, NOW(6))
      ON DUPLICATE KEY UPDATE file = file`,
    /**
     * Params: owner, size, mtime, lease µs, file, expired ok (0/1), size, mtime. Takes a known file
     * when no one holds it (released, or, when expired ok, its lease expired), or it is done for
     * another size or mtime.
     */
    takeOver: `UPDATE ${t} SET owner = ?, size = ?, mtime = ?, done = 0, reason = NULL,
      lease_until = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), at = NOW(6)
      WHERE file = ? AND ((done = 0 AND (owner IS NULL OR (? = 1 AND lease_until <= NOW(6))))
        OR (done = 1 AND (size <> ? OR mtime <> ?)))`,
    /** Params: lease µs, owner, then file ids. */
    renew: (n: number) =>
      `UPDATE ${t} SET lease_until = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND) WHERE ${stillMine} AND file IN (${list(n)})`,
    /** Params: lease µs, owner, file. Affects 1 row when this owner holds the file under a live lease, which it extends. */
    confirm: `UPDATE ${t} SET lease_until = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND)
      WHERE ${stillMine} AND file = ? AND lease_until > NOW(6)`,
    /** Params: owner, then file ids. */
    mine: (n: number) => `SELECT file FROM ${t} WHERE ${stillMine} AND file IN (${list(n)})`,
    /** Params: reason, owner, file. Affects 1 row when this owner still held the file. */
    finish: `UPDATE ${t} SET done = 1, reason = ?, owner = NULL, lease_until = NULL, at = NOW(6)
      WHERE ${stillMine} AND file = ?`,
    /** Params: owner, file. */
    release: `UPDATE ${t} SET owner = NULL, lease_until = NULL WHERE ${stillMine} AND file = ?`,
    /** Params: owner, then file ids. */
    releaseAll: (n: number) => `UPDATE ${t} SET owner = NULL, lease_until = NULL WHERE ${stillMine} AND file IN (${list(n)})`,
    /** Params: limit. */
    rejected: `SELECT file, reason FROM ${t} WHERE reason IS NOT NULL ORDER BY at DESC LIMIT ?`,
  };
}
