import type mysqlCore from 'mysql2';
import type mysql from 'mysql2/promise';
import { lazyRequire } from '../core/lazy-require.js';

/** mysql2's promise API, loaded when a MariaDB/MySQL connection is first opened. */
export const mysqlDriver = lazyRequire<typeof mysql>('mysql2/promise');

/** mysql2's callback API (streaming queries), loaded on first use. */
export const mysqlCoreDriver = lazyRequire<typeof mysqlCore>('mysql2');
