// Test prerequisites that do not come from npm: git (always), and Prometheus +
// promtool from Debian's `prometheus` package for the real-metrics tests of
// the feedback loop. Installs Prometheus with apt-get when it is missing and
// we are root (fresh CI machine); otherwise says exactly what to install.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

function have(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!have('git')) {
  console.error('ensure-test-tools: git is required (apt-get install git)');
  process.exit(1);
}
if (!have('prometheus') || !have('promtool')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    console.error('ensure-test-tools: Prometheus is required for the metrics tests: sudo apt-get install -y prometheus');
    process.exit(1);
  }
  console.log('ensure-test-tools: installing Prometheus from Debian (apt-get install prometheus)…');
  // Debian's package would start a system service on :9090. The tests start their own
  // on a free port, so keep the package from starting anything (a policy-rc.d that
  // refuses every start, removed afterwards if we created it) instead of stopping
  // processes by name afterwards, which could kill a Prometheus the user runs.
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\n# ensure-test-tools: no service starts during the install\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null'], { stdio: 'inherit' });
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
}
