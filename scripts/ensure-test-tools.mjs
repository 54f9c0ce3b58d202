// Test prerequisites that do not come from npm: git (always), and Prometheus +
// promtool from Debian's `prometheus` package for the real-metrics tests of
// the feedback loop. Installs Prometheus with apt-get when it is missing and
// we are root (fresh CI machine); otherwise says exactly what to install.
import { execFileSync } from 'node:child_process';

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
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null'], { stdio: 'inherit' });
  // The Debian package starts a system service on :9090; the tests start their own on a free port.
  try {
    execFileSync('sh', ['-c', 'service prometheus stop >/dev/null 2>&1 || pkill -x prometheus || true'], { stdio: 'ignore' });
  } catch {}
}
