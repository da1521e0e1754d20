// The tables of `gtanalyze export` checked in SQL by a real engine, DuckDB: against
// `gtanalyze --json` of every exported trace, and against themselves. Prints one line per check
// with the rows it compared, and the first mismatches; exits 1 if any check failed.
//   node check.mjs GTANALYZE EXPORT_DIR WORK_DIR
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [bin, dir, work] = process.argv.slice(2);
const db = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJson();
const table = (name) => `read_ndjson_objects('${dir}/${name}/*.ndjson')`;
let failed = 0;

// A check: `compared` counts what was compared (it must not be 0), `bad` lists the mismatches.
async function check(name, compared, bad) {
  const n = Number((await rows(compared))[0].n);
  const mismatches = await rows(bad);
  if (n === 0 || mismatches.length > 0) {
    failed++;
    console.log(`FAIL ${name}: ${mismatches.length} mismatch(es) among ${n}`);
    for (const m of mismatches.slice(0, 5)) console.log('  ', JSON.stringify(m));
  } else {
    console.log(`ok   ${name}: ${n} compared`);
  }
}

// --json of every exported trace, by its id.
mkdirSync(`${work}/json`, { recursive: true });
const traces = await rows(`SELECT json->>'trace_id' AS id, json->>'file' AS file FROM ${table('traces')}`);
for (const t of traces) {
  writeFileSync(`${work}/json/${t.id}.json`, execFileSync(bin, ['--json', t.file], { maxBuffer: 1 << 30 }));
}
await db.run(`CREATE TABLE doc AS SELECT regexp_extract(filename, '([0-9a-f]{32})[.]json$', 1) AS trace_id, json
  FROM read_json_objects('${work}/json/*.json', filename = true, maximum_object_size = 1000000000)`);
for (const name of ['traces', 'goroutines', 'intervals', 'leaks', 'gc', 'stacks', 'tasks', 'regions', 'logs']) {
  await db.run(`CREATE TABLE ${name} AS SELECT json->>'trace_id' AS trace_id, json AS row FROM ${table(name)}`);
}
const strip = `'{"labels":null,"trace_id":null}'`;

// The goroutines table is --json's goroutines without their regions, with stack ids.
await db.run(`CREATE TABLE want_g AS SELECT trace_id, unnest(from_json(json->'goroutines', '["JSON"]')) AS g FROM doc`);
await check('goroutines = --json goroutines',
  `SELECT count(*) AS n FROM want_g`,
  `SELECT trace_id, id, want, got FROM
     (SELECT trace_id, (g->>'id')::BIGINT AS id, json_merge_patch(g, '{"regions":null}')::VARCHAR AS want FROM want_g)
   FULL JOIN
     (SELECT trace_id, (row->>'id')::BIGINT AS id, json_merge_patch(row,
        '{"labels":null,"trace_id":null,"block_stack_id":null,"create_stack_id":null}')::VARCHAR AS got FROM goroutines)
   USING (trace_id, id) WHERE want IS DISTINCT FROM got`);

// Per goroutine, its intervals sum per state to its figures, with docs/perfetto.md's exceptions:
// 1. a wait "forever" is not counted; 2. a syscall that lost its P and is still going on at the
// end (final_state "syscall") is charged by Go to syscall_ns and sched_wait_ns, not syscall_block_ns.
// An id taken again (a cgo callback's goroutine) has the intervals of each goroutine that had it;
// its goroutines row is the last one's, whose intervals begin at its creation_ns.
await db.run(`CREATE TABLE iv AS SELECT i.trace_id, (i.row->>'goroutine')::BIGINT AS g, i.row->>'state' AS state,
  i.row->>'reason' AS reason, (i.row->>'start_ns')::BIGINT AS start, (i.row->>'duration_ns')::BIGINT AS d
  FROM intervals i JOIN goroutines o ON o.trace_id = i.trace_id AND (o.row->>'id')::BIGINT = (i.row->>'goroutine')::BIGINT
  WHERE (i.row->>'start_ns')::BIGINT >= (o.row->>'creation_ns')::BIGINT`);
await db.run(`CREATE TABLE tail AS SELECT iv.trace_id, iv.g, iv.d FROM iv
  JOIN (SELECT trace_id, (row->>'duration_ns')::BIGINT AS trace_end FROM traces) t USING (trace_id)
  JOIN (SELECT trace_id, (row->>'id')::BIGINT AS g FROM goroutines WHERE row->>'final_state' = 'syscall') f USING (trace_id, g)
  WHERE iv.state = 'syscall_blocked' AND iv.start + iv.d = t.trace_end`);
await check('intervals sum to exec, sched_wait, syscall, syscall_block',
  `SELECT count(*) AS n FROM goroutines`,
  `WITH sums AS (SELECT trace_id, g,
       sum(d) FILTER (state = 'running') AS exec, sum(d) FILTER (state = 'runnable') AS sched_wait,
       sum(d) FILTER (state = 'syscall') AS syscall, sum(d) FILTER (state = 'syscall_blocked') AS syscall_block
     FROM iv GROUP BY ALL)
   SELECT trace_id, id, want, got FROM (
     SELECT goroutines.trace_id, (row->>'id')::BIGINT AS id,
       [(row->>'exec_ns')::BIGINT, (row->>'sched_wait_ns')::BIGINT, (row->>'syscall_ns')::BIGINT,
        (row->>'syscall_block_ns')::BIGINT] AS want,
       [coalesce(exec, 0), coalesce(sched_wait, 0) + coalesce(tail.d, 0), coalesce(syscall, 0) + coalesce(tail.d, 0),
        coalesce(syscall_block, 0) - coalesce(tail.d, 0)] AS got
     FROM goroutines LEFT JOIN sums ON sums.trace_id = goroutines.trace_id AND sums.g = (row->>'id')::BIGINT
     LEFT JOIN tail ON tail.trace_id = goroutines.trace_id AND tail.g = (row->>'id')::BIGINT)
   WHERE want <> got`);
await check('waiting intervals sum to block_ns_by_reason',
  `SELECT count(*) AS n FROM goroutines, json_each(row->'block_ns_by_reason')`,
  `SELECT * FROM
     (SELECT trace_id, (row->>'id')::BIGINT AS g, key AS reason, value::BIGINT AS want
      FROM goroutines, json_each(row->'block_ns_by_reason'))
   FULL JOIN
     (SELECT trace_id, g, reason, sum(d)::BIGINT AS got FROM iv WHERE state = 'waiting' AND reason <> 'forever'
      GROUP BY ALL HAVING sum(d) <> 0)
   USING (trace_id, g, reason) WHERE want IS DISTINCT FROM got`);

// Leaks: --json's candidates, their stacks spelled out from the stacks table.
await db.run(`CREATE TABLE frames AS SELECT trace_id, (row->>'stack_id')::BIGINT AS id,
  to_json(list(json_object('file', row->>'file', 'function', row->>'function', 'line', (row->>'line')::BIGINT)
    ORDER BY (row->>'depth')::BIGINT))::VARCHAR AS frames
  FROM stacks GROUP BY ALL`);
await check('leaks = --json leak_candidates, stacks by id',
  `SELECT count(*) AS n FROM doc, unnest(from_json(json->'leak_candidates', '["JSON"]'))`,
  `WITH want AS (SELECT trace_id, c->>'id' AS id, c->>'reason' AS reason, (c->'block_stack')::VARCHAR AS block,
       (c->'create_stack')::VARCHAR AS create FROM (SELECT trace_id, unnest(from_json(json->'leak_candidates', '["JSON"]')) AS c FROM doc)),
     got AS (SELECT l.trace_id, row->>'goroutine' AS id, row->>'reason' AS reason,
       coalesce(b.frames, '[]') AS block, coalesce(c.frames, '[]') AS create FROM leaks l
       LEFT JOIN frames b ON b.trace_id = l.trace_id AND b.id = (row->>'block_stack_id')::BIGINT
       LEFT JOIN frames c ON c.trace_id = l.trace_id AND c.id = (row->>'create_stack_id')::BIGINT)
   SELECT * FROM want FULL JOIN got USING (trace_id, id)
   WHERE want.reason IS DISTINCT FROM got.reason OR want.block IS DISTINCT FROM got.block
      OR want.create IS DISTINCT FROM got.create`);

// GC: the pauses sum to --json's figures, one cycle row per cycle.
await check('gc rows = --json gc',
  `SELECT count(*) AS n FROM doc`,
  `SELECT * FROM
     (SELECT trace_id, [(json->'gc'->>'cycles')::BIGINT, (json->'gc'->>'stw_count')::BIGINT,
        (json->'gc'->>'stw_ns')::BIGINT] AS want FROM doc)
   LEFT JOIN
     (SELECT trace_id, [count(*) FILTER (row->>'kind' = 'cycle'), count(*) FILTER (row->>'kind' = 'stw'),
        coalesce(sum((row->>'duration_ns')::BIGINT) FILTER (row->>'kind' = 'stw'), 0)] AS got FROM gc GROUP BY ALL)
   USING (trace_id) WHERE want IS DISTINCT FROM coalesce(got, [0, 0, 0])`);

// The traces table against --json's trace section.
await check('traces = --json trace',
  `SELECT count(*) AS n FROM doc`,
  `SELECT * FROM
     (SELECT trace_id, [json->'trace'->>'events', json->'trace'->>'duration_ns', json->'trace'->>'goroutines',
        json->'trace'->>'go_version', json->'sched_latency'->>'p99_ns', json_array_length(json->'leak_candidates')::VARCHAR]
        AS want FROM doc)
   FULL JOIN
     (SELECT trace_id, [row->>'events', row->>'duration_ns', row->>'goroutines', row->>'go_version',
        row->>'sched_latency_p99_ns', row->>'leak_candidates'] AS got FROM traces)
   USING (trace_id) WHERE want IS DISTINCT FROM got`);

// wall_start: the first event's wall time from the first clock snapshot (Go 1.25+), as the first
// Sync of `dump --format go` shows it (Go's own form); null for traces without one. It was null
// for every trace: the row was written from a copy taken before the snapshot was read.
{
  const ns = (rfc) => {  // RFC 3339 UTC, to the nanosecond or less (Go trims zeros) → BigInt ns
    const m = rfc.match(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/);
    return m ? BigInt(Date.parse(`${m[1]}Z`)) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0')) : null;
  };
  let compared = 0, snapshots = 0;
  for (const t of await rows(`SELECT row->>'file' AS file, row->>'wall_start' AS wall FROM traces`)) {
    const sync = execFileSync(bin, ['dump', '--format', 'go', t.file], { maxBuffer: 1 << 30 }).toString().split('\n', 1)[0];
    const m = sync.match(/ Sync Time=(\d+) .*Trace=(\d+) .*Wall=(\S+)$/);
    const want = m ? ns(m[3]) - (BigInt(m[2]) - BigInt(m[1])) : null;
    const got = t.wall === null ? null : ns(t.wall);
    compared++;
    if (m) snapshots++;
    if (want !== got) {
      failed++;
      console.log(`FAIL traces.wall_start of ${t.file}: ${t.wall}, want ${want} ns from "${sync}"`);
    }
  }
  if (snapshots === 0) {
    failed++;
    console.log('FAIL traces.wall_start: no exported trace has a clock snapshot');
  } else {
    console.log(`ok   traces.wall_start = the clock snapshot's: ${compared} compared, ${snapshots} with a snapshot`);
  }
}

// Tasks, regions and logs: --json's, one row each.
await check('tasks = --json tasks',
  `SELECT count(*) AS n FROM doc, unnest(from_json(json->'tasks', '["JSON"]'))`,
  `SELECT * FROM
     (SELECT trace_id, t->>'id' AS id, json_merge_patch(t, '{"logs":null}')::VARCHAR AS want
      FROM (SELECT trace_id, unnest(from_json(json->'tasks', '["JSON"]')) AS t FROM doc))
   FULL JOIN (SELECT trace_id, row->>'id' AS id, json_merge_patch(row, ${strip})::VARCHAR AS got FROM tasks)
   USING (trace_id, id) WHERE want IS DISTINCT FROM got`);
// The rows of `table` whose `key` column is K, as a sorted list of texts without the trace's columns
// and `key`, against the objects `want` lists per (trace_id, K).
const sameLists = (want, table, key) => {
  const got = `json_merge_patch(row, '{"labels":null,"trace_id":null,"${key}":null}')::VARCHAR`;
  return `SELECT * FROM (${want})
    FULL JOIN (SELECT trace_id, row->>'${key}' AS k, list(${got} ORDER BY ${got}) AS got FROM ${table} GROUP BY ALL)
    USING (trace_id, k) WHERE want IS DISTINCT FROM got`;
};
await check('regions = --json regions',
  `SELECT count(*) AS n FROM want_g, unnest(from_json(g->'regions', '["JSON"]'))`,
  sameLists(`SELECT trace_id, g->>'id' AS k, list(r::VARCHAR ORDER BY r::VARCHAR) AS want
    FROM (SELECT trace_id, g, unnest(from_json(g->'regions', '["JSON"]')) AS r FROM want_g) GROUP BY ALL`,
  'regions', 'goroutine'));
await check('logs = --json logs',
  `SELECT count(*) AS n FROM doc, unnest(from_json(json->'tasks', '["JSON"]')) t(t), unnest(from_json(t->'logs', '["JSON"]'))`,
  sameLists(`SELECT trace_id, t->>'id' AS k, list(l::VARCHAR ORDER BY l::VARCHAR) AS want
    FROM (SELECT trace_id, t, unnest(from_json(t->'logs', '["JSON"]')) AS l
          FROM (SELECT trace_id, unnest(from_json(json->'tasks', '["JSON"]')) AS t FROM doc)) GROUP BY ALL`,
  'logs', 'task_id'));

// The queries of docs/export.md run on the export (in a connection of their own: they make views).
const docs = readFileSync(new URL('../../../docs/export.md', import.meta.url), 'utf8');
const queries = [...docs.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) => m[1].split(/;\s*\n/))
  .map((q) => q.trim()).filter((q) => q !== '');
const docsDb = await (await DuckDBInstance.create(':memory:')).connect();
process.chdir(work);
let ran = 0;
for (const q of queries) {
  try {
    await docsDb.run(q.replaceAll("'DIR/", `'${dir}/`));
    ran++;
  } catch (e) {
    failed++;
    console.log(`FAIL docs/export.md query: ${String(e).split('\n')[0]}\n   ${q.split('\n')[0]}`);
  }
}
if (ran === queries.length) console.log(`ok   docs/export.md: its ${ran} queries run`);

console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
process.exit(failed === 0 ? 0 : 1);
