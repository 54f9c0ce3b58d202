/**
 * The one `git cat-file --batch` reader: objects by name (an object id, or
 * any `<rev>:<path>` / `<rev>^{commit}` spec), through one process per
 * repository that is kept between the reads of a run. The check reads blobs
 * at several commits from several stages; the audit reads a commit, its log
 * tree and then the blobs that tree names, and each process spawned between
 * its fetch and push widens the window in which a concurrent runner moves the
 * branch first. Parsed as the output streams (no second copy of everything read).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { spawnGit } from './process.ts';

export interface GitObject {
  oid: string;
  type: string;
  content: Uint8Array;
}

/** An idle reader's process is ended after this long (its pipes never keep the runner alive meanwhile). */
const READER_IDLE_MS = 1000;

const readers = new Map<string, ObjectReader>();

/** The reader of the repository at `root` (one per repository and process). */
export function objectReader(root: string): ObjectReader {
  let r = readers.get(root);
  if (!r) readers.set(root, (r = new ObjectReader(root)));
  return r;
}

interface PendingRead {
  child: ChildProcessWithoutNullStreams;
  data(c: Buffer): void;
  end(err: Error): void;
}

export class ObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: PendingRead | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** One object; undefined when it does not exist (or the name is ambiguous). */
  async get(spec: string): Promise<GitObject | undefined> {
    return (await this.read([spec]))[0];
  }

  /** Blob contents by object id; missing ids are absent. */
  async blobs(oids: string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const o of await this.read(oids)) if (o) out.set(o.oid, o.content);
    return out;
  }

  /** Objects in the order asked. Requests run one after the other: one process answers them in order. */
  read(specs: string[]): Promise<Array<GitObject | undefined>> {
    if (specs.length === 0) return Promise.resolve([]);
    if (specs.some((s) => /[\n\r]/.test(s))) return Promise.reject(new GitopsError(diag('git_error', 'an object name holds a line break'), 2));
    const run = this.chain.then(() => this.request(specs));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawnGit(this.root, ['cat-file', '--batch']);
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (this.pending?.child === child ? this.pending.data(c) : undefined));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A write after git died is EPIPE; 'close' below reports why.
    child.stdin.on('error', () => {});
    const gone = (err: Error) => {
      if (this.child === child) this.child = undefined;
      if (this.pending?.child === child) this.pending.end(err);
    };
    child.on('error', (e) => gone(new GitopsError(diag('git_unavailable', `cannot run git: ${e.message}`), 2)));
    child.on('close', (code) => gone(new GitopsError(diag('git_error', `git cat-file failed (exit ${code}): ${stderr.trim()}`), 2)));
    return child;
  }

  /** While a request is pending the process keeps the runner alive; idle, it does not, and it ends after a while. */
  private hold(child: ChildProcessWithoutNullStreams, busy: boolean): void {
    for (const h of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref(): unknown; unref(): unknown }>) {
      if (busy) h.ref();
      else h.unref();
    }
  }

  private request(specs: string[]): Promise<Array<GitObject | undefined>> {
    clearTimeout(this.timer);
    const child = (this.child ??= this.start());
    this.hold(child, true);
    const result: Array<GitObject | undefined> = [];
    return new Promise((resolve, reject) => {
      // Chunks are joined only once a whole header or object is there: joining on every chunk would copy a large blob many times.
      let chunks: Buffer[] = [];
      let have = 0;
      let current: { oid: string; type: string; size: number } | undefined;
      const joined = (): Buffer => {
        const b = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        chunks = [b];
        return b;
      };
      const rest = (b: Buffer) => {
        chunks = b.length ? [b] : [];
        have = b.length;
      };
      const finish = (err?: Error) => {
        this.pending = undefined;
        if (err) {
          if (this.child === child) this.child = undefined;
          child.kill();
          return reject(err);
        }
        this.hold(child, false);
        this.timer = setTimeout(() => {
          if (this.child !== child || this.pending) return;
          this.child = undefined;
          child.stdin.end();
        }, READER_IDLE_MS);
        this.timer.unref();
        resolve(result);
      };
      const drain = () => {
        while (have > 0) {
          if (!current) {
            const b = joined();
            const nl = b.indexOf(0x0a);
            if (nl < 0) return;
            const header = b.subarray(0, nl).toString();
            rest(b.subarray(nl + 1));
            if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
              result.push(undefined);
              if (result.length === specs.length) return finish();
              continue;
            }
            const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
            if (!m) return finish(new GitopsError(diag('git_error', `unexpected git cat-file output: ${header.slice(0, 200)}`), 2));
            current = { oid: m[1]!, type: m[2]!, size: Number(m[3]) };
          }
          if (have < current.size + 1) return;
          const b = joined();
          result.push({ oid: current.oid, type: current.type, content: new Uint8Array(b.subarray(0, current.size)) });
          rest(b.subarray(current.size + 1)); // content + trailing newline
          current = undefined;
          if (result.length === specs.length) return finish();
        }
      };
      this.pending = {
        child,
        data: (c) => {
          chunks.push(c);
          have += c.length;
          drain();
        },
        end: (err) => finish(err),
      };
      child.stdin.write(specs.join('\n') + '\n');
    });
  }
}
