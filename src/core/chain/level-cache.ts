/**
 * A read cache in front of Ganache's LevelDB (leveldown). Ganache reads every trie node of
 * every storage slot it touches from LevelDB, one asynchronous call through libuv's thread
 * pool each: profiled here, half of a per-record anchoring run was spent waiting for such
 * reads. Values read or written are kept in memory, so a node read again is answered at
 * once. Writes still go to LevelDB exactly as before (write-through; durability unchanged);
 * every write path updates the cache before it is issued, and a failed write empties it.
 */

type Callback = (err?: Error | null, value?: unknown) => void;
interface Op {
  type: "put" | "del";
  key: Buffer | string;
  value?: Buffer | string;
}

/** Entries kept before the cache starts over (each a trie node or record of ~100-600 bytes). */
const MAX_ENTRIES = 250_000;
let installed = false;

const keyOf = (key: Buffer | string) => (typeof key === "string" ? "s" + key : "b" + key.toString("latin1"));
const valueOf = (value: Buffer | string | undefined) => (Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.from(String(value ?? "")));

/** Installs the cache on leveldown's prototypes (once per process), before Ganache opens a database. */
export function cacheLevelReads(): void {
  if (installed) return;
  installed = true;
  const LevelDOWN = require("leveldown") as { prototype: Record<string, Function> } & ((loc: string) => object);
  const proto = Object.getPrototypeOf(LevelDOWN("/nonexistent-probe")) as Record<string, any>;
  const Batch = require("leveldown/chained-batch") as { prototype: Record<string, any> };
  const caches = new WeakMap<object, Map<string, Buffer>>();
  const cacheOf = (db: object) => {
    let c = caches.get(db);
    if (!c) caches.set(db, (c = new Map()));
    if (c.size > MAX_ENTRIES) c.clear();
    return c;
  };
  const guarded = (db: object, callback: Callback): Callback => (err, value) => {
    if (err) cacheOf(db).clear(); // a write that failed: the cache may hold what the disk does not
    callback(err, value);
  };
  const { _get, _put, _del, _batch, _clear } = proto;
  proto._get = function (this: object, key: Buffer | string, options: { asBuffer?: boolean }, callback: Callback) {
    const cache = cacheOf(this);
    const k = keyOf(key);
    const hit = cache.get(k);
    if (hit) return process.nextTick(callback, null, options.asBuffer === false ? hit.toString() : Buffer.from(hit));
    _get.call(this, key, options, (err: Error | null, value: Buffer | string) => {
      if (!err && value !== undefined) cache.set(k, valueOf(value));
      callback(err, value);
    });
  };
  proto._put = function (this: object, key: Buffer | string, value: Buffer | string, options: unknown, callback: Callback) {
    cacheOf(this).set(keyOf(key), valueOf(value));
    _put.call(this, key, value, options, guarded(this, callback));
  };
  proto._del = function (this: object, key: Buffer | string, options: unknown, callback: Callback) {
    cacheOf(this).delete(keyOf(key));
    _del.call(this, key, options, guarded(this, callback));
  };
  proto._batch = function (this: object, ops: Op[], options: unknown, callback: Callback) {
    apply(cacheOf(this), ops);
    _batch.call(this, ops, options, guarded(this, callback));
  };
  if (_clear) {
    proto._clear = function (this: object, options: unknown, callback: Callback) {
      cacheOf(this).clear();
      _clear.call(this, options, guarded(this, callback));
    };
  }
  // chained batches (db.batch() without arguments) reach the binding directly: track their ops
  const b = Batch.prototype;
  const { _put: bPut, _del: bDel, _clear: bClear, _write: bWrite } = b;
  b._put = function (this: { ops?: Op[] }, key: Buffer | string, value: Buffer | string) {
    (this.ops ??= []).push({ type: "put", key, value: valueOf(value) });
    bPut.call(this, key, value);
  };
  b._del = function (this: { ops?: Op[] }, key: Buffer | string) {
    (this.ops ??= []).push({ type: "del", key });
    bDel.call(this, key);
  };
  b._clear = function (this: { ops?: Op[] }) {
    this.ops = [];
    bClear.call(this);
  };
  b._write = function (this: { ops?: Op[]; db: object }, options: unknown, callback: Callback) {
    apply(cacheOf(this.db), this.ops ?? []);
    this.ops = [];
    bWrite.call(this, options, guarded(this.db, callback));
  };
}

function apply(cache: Map<string, Buffer>, ops: Op[]): void {
  for (const op of ops) {
    if (op.type === "del") cache.delete(keyOf(op.key));
    else cache.set(keyOf(op.key), valueOf(op.value));
  }
}
