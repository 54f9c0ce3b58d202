/**
 * ajv errors → document paths: which field an error is about (`path`, for the
 * message) and where in the file to point (`at`, for line:col). An unknown or
 * badly named key is reported at that key, everything else at the value.
 */
import type { ErrorObject } from 'ajv';
import { fieldPath, type PathSeg } from './yaml.ts';

/** A JSON pointer (`/agents/0/id`) as a path (['agents', 0, 'id']); '' is the document. */
export function pointerPath(pointer: string): PathSeg[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export interface SchemaErrorPath {
  /** The value the error is about. */
  path: PathSeg[];
  /** Where to point: the offending key for additionalProperties / propertyNames, else `path`. */
  at: PathSeg[];
  /** The offending key, when the error is about a key. */
  key?: string;
}

export function schemaErrorPath(e: ErrorObject): SchemaErrorPath {
  const path = pointerPath(e.instancePath);
  const p = e.params as { additionalProperty?: string; propertyName?: string };
  const key = e.keyword === 'additionalProperties' ? p.additionalProperty : e.keyword === 'propertyNames' ? p.propertyName : undefined;
  return key === undefined ? { path, at: path } : { path, at: [...path, key], key };
}

/** A path for a message or a diagnostic's `path`: fieldPath, or `root` for the document itself. */
export function shownPath(path: readonly PathSeg[], root: string): string {
  return path.length ? fieldPath(path) : root;
}
