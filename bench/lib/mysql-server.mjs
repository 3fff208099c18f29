// What the MariaDB server says about a run: its InnoDB buffer pool against the size of the seeded
// tables, and counters read around a workload (pages read from disk, temporary tables on disk).
// With --mysql-buffer-pool the buffer pool is resized for the run (a global setting of the server:
// printed when set, and put back afterwards).
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoDir } from './proc.mjs';

const COUNTERS = ['Innodb_buffer_pool_reads', 'Innodb_buffer_pool_read_requests', 'Created_tmp_disk_tables'];
const MiB = 1024 * 1024;

/** The process id of a local mariadbd (or mysqld), from /proc. */
function serverPid() {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (/^(mariadbd|mysqld)$/.test(readFileSync(`/proc/${d}/comm`, 'utf8').trim())) return Number(d);
    } catch {}
  }
  return undefined;
}

/** A connection to the bench's MariaDB (127.0.0.1:3306, root), through the connector's driver. */
export async function mysqlServer() {
  const m = await import(pathToFileURL(join(repoDir, 'packages', 'connector-mysql', 'dist', 'index.js')).href);
  const driver = m.mysqlDriver({ host: '127.0.0.1', port: 3306, user: 'root', pool: { max: 1 } });
  const rows = (text, values = []) => driver.run(async (run) => (await run({ text, values })).rows);
  const bufferPool = async () => Number((await rows('SELECT @@GLOBAL.innodb_buffer_pool_size AS n'))[0].n);
  return {
    /** The server's process id when it runs on this machine (for its CPU time), else undefined. */
    pid: serverPid(),
    /** innodb_buffer_pool_size in MiB. */
    bufferPoolMiB: async () => Math.round((await bufferPool()) / MiB),
    /** Sets innodb_buffer_pool_size (MiB); returns the previous size, in MiB. */
    async setBufferPoolMiB(mib) {
      const before = await bufferPool();
      await rows(`SET GLOBAL innodb_buffer_pool_size = ${Math.round(mib) * MiB}`);
      // The resize runs in the background; wait until the server reports the new size.
      for (let i = 0; i < 600 && (await bufferPool()) !== Math.round(mib) * MiB; i++)
        await new Promise((r) => setTimeout(r, 100));
      return Math.round(before / MiB);
    },
    /** Data and index MiB of a database's tables. */
    async sizeMiB(database) {
      const r = await rows(
        'SELECT SUM(data_length) AS d, SUM(index_length) AS i FROM information_schema.TABLES WHERE table_schema = ?',
        [database],
      );
      return { data: Math.round(Number(r[0].d) / MiB), index: Math.round(Number(r[0].i) / MiB) };
    },
    /** Reads every index of the database's user and e-mail tables once, so that the pool holds what fits. */
    async warm(database) {
      const q = (s) => s.replace(/`db`/g, `\`${database.replace(/`/g, '``')}\``);
      await rows(q('SELECT COUNT(*) AS n FROM `db`.scim_users FORCE INDEX (PRIMARY) WHERE version > 0'));
      await rows(q("SELECT COUNT(*) AS n FROM `db`.scim_users FORCE INDEX (scim_users_user_name) WHERE user_name_lower > ''"));
      await rows(q('SELECT COUNT(*) AS n FROM `db`.scim_user_emails FORCE INDEX (PRIMARY) WHERE seq > 0'));
      await rows(q("SELECT COUNT(*) AS n FROM `db`.scim_user_emails FORCE INDEX (scim_user_emails_owner) WHERE user_id > ''"));
    },
    /** The server's counters (global: everything else the server does in the meantime counts too). */
    async counters() {
      const r = await rows(`SHOW GLOBAL STATUS WHERE Variable_name IN (${COUNTERS.map(() => '?').join(', ')})`, COUNTERS);
      return Object.fromEntries(r.map((x) => [x.Variable_name, Number(x.Value)]));
    },
    /**
     * Logs every statement of `database` with the server's own timing, from now until `stop()`:
     * the slow query log into the table mysql.slow_log with long_query_time 0. The settings are
     * global and taken by sessions opened afterwards (start the gateway after this). `take()`
     * returns the statements logged so far ([start epoch ms, ms, first words of the SQL]) and empties
     * the table; `stop()` puts the settings back. Logging costs the server a little per statement:
     * a diagnostic, not a reading of the target.
     */
    async statementLog(database) {
      const saved = (
        await rows('SELECT @@GLOBAL.log_output AS o, @@GLOBAL.slow_query_log AS s, @@GLOBAL.long_query_time AS t')
      )[0];
      await rows('TRUNCATE TABLE mysql.slow_log');
      await rows("SET GLOBAL log_output = 'TABLE'");
      await rows('SET GLOBAL long_query_time = 0');
      await rows('SET GLOBAL slow_query_log = ON');
      return {
        async stop() {
          await rows(`SET GLOBAL slow_query_log = ${Number(saved.s) ? 'ON' : 'OFF'}`);
          await rows(`SET GLOBAL long_query_time = ${Number(saved.t)}`);
          await rows('SET GLOBAL log_output = ?', [String(saved.o)]);
          await rows('TRUNCATE TABLE mysql.slow_log');
        },
        async take() {
          const r = await rows(
            'SELECT UNIX_TIMESTAMP(start_time) AS s, TIME_TO_SEC(query_time) AS q, LEFT(sql_text, 40) AS t FROM mysql.slow_log WHERE db = ?',
            [database],
          );
          await rows('TRUNCATE TABLE mysql.slow_log');
          return r.map((x) => [Number(x.s) * 1000, Number(x.q) * 1000, String(x.t)]);
        },
      };
    },
    close: () => driver.close(),
  };
}

/** Counters per request between two readings. */
export function perRequest(before, after, requests) {
  const out = {};
  for (const k of COUNTERS) out[k] = Math.round(((after[k] - before[k]) / Math.max(1, requests)) * 100) / 100;
  return out;
}
