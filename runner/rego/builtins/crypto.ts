/** Hashes and HMACs (OPA topdown/crypto.go) over the UTF-8 bytes of strings, hex output. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { BuiltinDecl } from './types.ts';
import { str } from './operands.ts';

const hash = (name: string, algo: string): BuiltinDecl => ({
  name,
  args: ['string'],
  result: 'string',
  impl: (a) => createHash(algo).update(str(a, 0), 'utf8').digest('hex'),
});

const hmac = (name: string, algo: string): BuiltinDecl => ({
  name,
  args: ['string', 'string'],
  result: 'string',
  impl: (a) => createHmac(algo, Buffer.from(str(a, 1), 'utf8')).update(str(a, 0), 'utf8').digest('hex'),
});

export const CRYPTO: BuiltinDecl[] = [
  hash('crypto.md5', 'md5'),
  hash('crypto.sha1', 'sha1'),
  hash('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  {
    name: 'crypto.hmac.equal',
    args: ['string', 'string'],
    result: 'boolean',
    impl: (a) => {
      // Constant-time, like Go's hmac.Equal.
      const x = Buffer.from(str(a, 0), 'utf8');
      const y = Buffer.from(str(a, 1), 'utf8');
      return x.length === y.length && timingSafeEqual(x, y);
    },
  },
];
