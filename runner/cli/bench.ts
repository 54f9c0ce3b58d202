import type { Command } from './command.ts';
import { usageError } from './args.ts';

/** Benchmarks measure and print; they never assert (tests do that). */
const BENCHES = {
  check: () => import('../../bench/check.ts'),
  rego: () => import('../../bench/rego.ts'),
} satisfies Record<string, () => Promise<{ run(argv: string[], out: (t: string) => void): Promise<void> }>>;

export const command: Command = {
  name: 'bench',
  summary: 'Benchmarks',
  usage: `Usage: gitops bench <${Object.keys(BENCHES).join('|')}> [options]

  check   wall time of \`gitops check\` for 1, 100 and 1,000 changed intents (npm run bench)
  rego    prepare time, decisions/s and memory of the Rego engine (npm run bench:rego)`,
  async run(argv, io) {
    const [which, ...rest] = argv;
    if (!which || !(which in BENCHES)) throw usageError('bench', `expected one of: ${Object.keys(BENCHES).join(', ')}`);
    const mod = await BENCHES[which as keyof typeof BENCHES]();
    await mod.run(rest, io.stdout);
    return 0;
  },
};
