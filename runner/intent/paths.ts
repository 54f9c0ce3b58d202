/**
 * Where intents live: `intents/<ID>.yaml`, one intent per file, the file name
 * being the intent's id. Sub-folders are allowed for grouping
 * (`intents/payments/PAY-API-001.yaml`); the id must still be unique across
 * the whole folder, which is why the check compares file names repository-wide.
 */
import { posix } from 'node:path';

export const INTENTS_DIR = 'intents';
export const INTENT_EXT = '.yaml';
/** Files over this size are rejected before parsing (an intent is a few hundred bytes; 64 KiB leaves room for long descriptions and comments). */
export const MAX_INTENT_BYTES = 64 * 1024;

/** Is this repository path an intent file (or something a user meant as one)? */
export function isIntentPath(file: string): boolean {
  return file.startsWith(INTENTS_DIR + '/') && (file.endsWith('.yaml') || file.endsWith('.yml'));
}

/** The id a file name claims: `intents/x/DEPLOY-WEB-001.yaml` → `DEPLOY-WEB-001`. */
export function idFromPath(file: string): string {
  const base = posix.basename(file);
  return base.replace(/\.ya?ml$/, '');
}
