/**
 * Test support for the OPA-wasm path. No OPA compiler exists on this machine,
 * so tests write policy.wasm by hand in WebAssembly text (implementing the
 * parts of OPA's wasm ABI the SDK calls) and pack it the way `opa build -t
 * wasm` does: a gzipped ustar archive.
 */
import { gzipSync } from 'node:zlib';
import wabtInit from 'wabt';

/** Assemble WebAssembly text into a module binary (wabt). */
export async function assembleWat(text: string, name = 'policy.wat'): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(name, text);
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return buffer;
}

/** A minimal ustar archive, gzipped: what `opa build` writes. */
export function tarGz(files: Record<string, Uint8Array | string>): Uint8Array {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148); // checksum field counts as spaces while summing
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
