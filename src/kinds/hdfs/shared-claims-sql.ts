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
      reason TEXT NULL, at DATETIME(6) NOT NULL, KEY owner_idx (owner), KEY at_idx (at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
    /** Params: file ids. */
    lookup: (n: number) =>
      `SELECT file, size, mtime, done, owner, lease_until > NOW(6) AS live FROM ${t} WHERE file IN (${Array(n).fill('?').join(', ')})`,
    /** Params: file, size, mtime, owner, lease µs. Affects 1 row when the file was unknown. */
    insertNew: `INSERT INTO ${t} (file, size, mtime, owner, lease_until, done, at)
      VALUES (?, ?, ?, ?, DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), 0, NOW(6))
      ON DUPLICATE KEY UPDATE file = file`,
    /**
     * Params: owner, size, mtime, lease µs, file, size, mtime. Takes a known file when no one
     * holds it (released, or its lease expired), or it is done for another size or mtime.
     */
    takeOver: `UPDATE ${t} SET owner = ?, size = ?, mtime = ?, done = 0, reason = NULL,
      lease_until = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), at = NOW(6)
      WHERE file = ? AND ((done = 0 AND (owner IS NULL OR lease_until <= NOW(6)))
        OR (done = 1 AND (size <> ? OR mtime <> ?)))`,
    /** Params: lease µs, owner. */
    renew: `UPDATE ${t} SET lease_until = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND) WHERE ${stillMine}`,
    /** Params: owner. */
    mine: `SELECT file FROM ${t} WHERE ${stillMine}`,
    /** Params: owner, then file ids. */
    lockMine: (n: number) =>
      `SELECT file FROM ${t} WHERE ${stillMine} AND file IN (${Array(n).fill('?').join(', ')}) FOR UPDATE`,
    /** Params: reason, owner, then file ids. */
    finish: (n: number) =>
      `UPDATE ${t} SET done = 1, reason = ?, owner = NULL, lease_until = NULL, at = NOW(6)
      WHERE ${stillMine} AND file IN (${Array(n).fill('?').join(', ')})`,
    /** Params: owner, file. */
    release: `UPDATE ${t} SET owner = NULL, lease_until = NULL WHERE ${stillMine} AND file = ?`,
    /** Params: owner. */
    releaseAll: `UPDATE ${t} SET owner = NULL, lease_until = NULL WHERE ${stillMine}`,
    /** Params: limit. */
    rejected: `SELECT file, reason FROM ${t} WHERE reason IS NOT NULL ORDER BY at DESC LIMIT ?`,
  };
}
