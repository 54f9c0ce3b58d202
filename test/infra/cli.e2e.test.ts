/**
 * End to end: the `gitops` CLI of a temporary copy of this repository (a real
 * git repo), for `apply --preview`, `apply` without the pulumi CLI, `apply
 * --engine mock`, `affected`, and `check --preview` denying a plan-policy
 * violation. Each preview runs the program under the mock runtime (~1–2 s per
 * stack), so the number of runs is kept small.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const made: string[] = [];

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A real git repository holding this repository's runner, policies, intents and agents. */
function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-infra-e2e-'));
  made.push(dir);
  for (const d of ['runner', 'policies', 'intents', 'agents', 'contracts']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'sample repository');
  return dir;
}

function gitops(dir: string, args: string[], env: Record<string, string> = {}) {
  // A clean environment: no pulumi on PATH, no AWS credentials, HOME inside the repo.
  const r = spawnSync(NODE, [join(dir, 'runner/bin/gitops.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let repo: string;
beforeAll(() => {
  repo = makeRepo();
});
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('gitops apply --preview', () => {
  it('--all lists the load balancer, target group, TLS 1.3 listener, launch template, ASG, CPU tracking, both alarms and the agents’ roles', () => {
    const r = gitops(repo, ['apply', '--preview', '--all']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    // The seed lists us-west and us-east as ALLOWED regions and deploys to the first (placement.regions defaults to 1).
    expect(out).toContain('DEPLOY-WEB-001 (intents/DEPLOY-WEB-001.yaml): 50 resources in 1 stack');
    expect(out).toContain('stack DEPLOY-WEB-001-us-west-2');
    expect(out).not.toContain('stack DEPLOY-WEB-001-us-east-1');
    expect(out).toContain('lb:LoadBalancer  deploy-web-001-alb  loadBalancerType=application internal=false subnets=3');
    expect(out).toContain('lb:TargetGroup  deploy-web-001-tg  port=80 protocol=HTTP health_check={"path":"/health","interval":30,"timeout":5,"healthyThreshold":2,"unhealthyThreshold":3}');
    expect(out).toContain('lb:Listener  deploy-web-001-https-443  port=443 protocol=HTTPS sslPolicy=ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(out).toContain('lb:Listener  deploy-web-001-http-80  port=80 protocol=HTTP actions=["redirect→HTTPS"]');
    expect(out).toContain('ec2:LaunchTemplate  deploy-web-001-lt  instanceType=t3.medium imageId=ami-00000000000000000 imds=v2-only');
    expect(out).toContain('autoscaling:Group  deploy-web-001-asg  minSize=3 maxSize=10 desiredCapacity=3 healthCheckType=ELB healthCheckGracePeriod=300 zones=3');
    expect(out).toContain('autoscaling:Policy  deploy-web-001-cpu-target  policyType=TargetTrackingScaling targetValue=70 metric=ASGAverageCPUUtilization');
    expect(out).toContain('cloudwatch:MetricAlarm  deploy-web-001-alarm-latency-p95-scale-out  metric=TargetResponseTime extendedStatistic=p95 comparisonOperator=GreaterThanThreshold threshold=0.2 actions=1 trigger=scale_out');
    expect(out).toContain('cloudwatch:MetricAlarm  deploy-web-001-alarm-error-rate-restart-service  metric=IF(requests > 0, 100 * FILL(errors, 0) / requests, 0) comparisonOperator=GreaterThanThreshold threshold=5');
    expect(out).toContain('cloudwatch:EventTarget  deploy-web-001-on-error-rate-restart  run_command=["tag:gitops:stack=DEPLOY-WEB-001-us-west-2"] role=true');
    for (const agent of ['monitoring-agent-001', 'scaling-agent-001', 'self-healing-agent-001']) expect(out).toContain(`iam:Role  deploy-web-001-agent-${agent}`);
    expect(out).toContain('plan policies: 5 passed, 0 with findings');
    expect(out).toMatch(/cost from the plan: \$\d+\.\d\d–\$\d+\.\d\d\/month \(730 h\/month/);
  });

  it('--intent DEPLOY-WEB-001 --format json gives the plan', () => {
    const r = gitops(repo, ['apply', '--preview', '--intent', 'DEPLOY-WEB-001', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      intents: Array<{ intent: string; resources: number; by_type: Record<string, number>; stacks: Array<{ stack: string; resources: Array<{ urn: string; type: string; inputs: Record<string, unknown> }> }>; policies: { denied: boolean } }>;
      denied: boolean;
    };
    expect(plan.denied).toBe(false);
    const [web] = plan.intents;
    expect(web).toMatchObject({ intent: 'DEPLOY-WEB-001', resources: 50, by_type: { 'aws:lb/loadBalancer:LoadBalancer': 1, 'aws:autoscaling/group:Group': 1, 'aws:cloudwatch/metricAlarm:MetricAlarm': 2, 'pulumi:providers:aws': 1 } });
    const asg = web!.stacks[0]!.resources.find((x) => x.type === 'aws:autoscaling/group:Group')!;
    expect(asg.urn).toBe('urn:pulumi:DEPLOY-WEB-001-us-west-2::gitops::aws:autoscaling/group:Group::deploy-web-001-asg');
    expect(asg.inputs).toMatchObject({ minSize: 3, maxSize: 10, healthCheckType: 'ELB' });
  });
});

describe('gitops apply without the pulumi CLI', () => {
  it('exits non-zero with what is missing and how to install it, and changes nothing', () => {
    const before = git(repo, 'status', '--porcelain');
    const r = gitops(repo, ['apply', '--all']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('cannot apply with the automation engine; nothing was changed');
    expect(r.stdout).toContain('apply_pulumi_missing: the pulumi CLI is not installed');
    expect(r.stdout).toContain('https://get.pulumi.com');
    expect(r.stdout).toContain('apply_aws_credentials_missing');
    expect(git(repo, 'status', '--porcelain')).toBe(before);
    expect(existsSync(join(repo, '.gitops'))).toBe(false);
    expect(existsSync(join(repo, 'audit-log'))).toBe(false);
  });
});

describe('stacks between two refs', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo();
    const seed = readFileSync(join(dir, 'intents/DEPLOY-WEB-001.yaml'), 'utf8');
    // DEPLOY-WEB-001 runs in both of its allowed regions: two stacks.
    writeFileSync(join(dir, 'intents/DEPLOY-WEB-001.yaml'), seed + '  placement:\n    regions: 2\n');
    git(dir, 'commit', '-q', '-am', 'DEPLOY-WEB-001 in two regions');
    writeFileSync(join(dir, 'intents/DEPLOY-API-002.yaml'), seed.replace("id: 'DEPLOY-WEB-001'", "id: 'DEPLOY-API-002'").replace("region: ['us-west', 'us-east']", "region: ['eu-west']"));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'add DEPLOY-API-002');
    rmSync(join(dir, 'intents/DEPLOY-API-002.yaml'));
    writeFileSync(join(dir, 'intents/DEPLOY-WEB-001.yaml'), seed.replace("region: ['us-west', 'us-east']", "region: ['us-west']"));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'remove DEPLOY-API-002, DEPLOY-WEB-001 leaves us-east');
  });

  it('gitops affected lists each changed stack for the matrix', () => {
    const added = gitops(dir, ['affected', '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      count: 1,
      stacks: [{ stack: 'DEPLOY-API-002-eu-west-1', intent: 'DEPLOY-API-002', region: 'eu-west-1', file: 'intents/DEPLOY-API-002.yaml', change: 'added', action: 'up' }],
      matrix: { include: [{ stack: 'DEPLOY-API-002-eu-west-1' }] },
    });
    const changed = JSON.parse(gitops(dir, ['affected', '--base', 'HEAD~1', '--head', 'HEAD']).stdout) as { stacks: Array<{ stack: string; change: string; action: string }> };
    expect(changed.stacks.map((s) => [s.stack, s.change, s.action])).toEqual([
      ['DEPLOY-WEB-001-us-west-2', 'modified', 'up'],
      ['DEPLOY-API-002-eu-west-1', 'removed', 'destroy'],
      ['DEPLOY-WEB-001-us-east-1', 'region_removed', 'destroy'],
    ]);
  });

  it('a change to the program affects every stack', () => {
    writeFileSync(join(dir, 'runner/infra/program.ts'), readFileSync(join(dir, 'runner/infra/program.ts'), 'utf8') + '\n// touched\n');
    git(dir, 'commit', '-q', '-am', 'touch the program');
    const r = JSON.parse(gitops(dir, ['affected', '--base', 'HEAD~1', '--head', 'HEAD']).stdout) as { stacks: Array<{ stack: string; change: string }> };
    expect(r.stacks).toEqual([expect.objectContaining({ stack: 'DEPLOY-WEB-001-us-west-2', change: 'program' })]);
    const none = gitops(dir, ['affected', '--base', 'HEAD', '--head', 'HEAD', '--format', 'text']);
    expect(none.stdout).toBe('no stacks affected\n');
  });

  it('gitops apply --engine mock runs the orchestration: steps per stack, removed stacks only with --destroy-removed', () => {
    const kept = gitops(dir, ['apply', '--engine', 'mock', '--base', 'HEAD~2', '--head', 'HEAD~1']);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/✓ DEPLOY-WEB-001-us-west-2 \(up, modified, intents\/DEPLOY-WEB-001.yaml\): succeeded\n {4}provision_infrastructure +succeeded/);
    for (const step of ['deploy_application', 'configure_monitoring', 'enable_self_healing']) expect(kept.stdout).toMatch(new RegExp(`${step} +succeeded`));
    expect(kept.stdout).toContain('- DEPLOY-API-002-eu-west-1 (destroy, removed, intents/DEPLOY-API-002.yaml): skipped — intent removed: pass --destroy-removed to destroy the stack');
    expect(kept.stdout).toContain('apply succeeded: 1 succeeded, 0 failed, 2 skipped of 3 stack(s)');
    const destroyed = gitops(dir, ['apply', '--engine', 'mock', '--base', 'HEAD~2', '--head', 'HEAD~1', '--destroy-removed', '--stack', 'DEPLOY-WEB-001-us-east-1', '--format', 'json']);
    expect(destroyed.code).toBe(0);
    expect(JSON.parse(destroyed.stdout)).toMatchObject({ status: 'succeeded', engine: 'mock', stacks: [{ stack: 'DEPLOY-WEB-001-us-east-1', kind: 'destroy', steps: [{ step: 'destroy_infrastructure', status: 'succeeded' }] }] });
    // A dry run writes no audit records.
    expect(existsSync(join(dir, 'audit-log'))).toBe(false);
    // Unless asked (a scratch repository, as in gitops demo): then every step record says engine mock.
    const recorded = gitops(dir, ['apply', '--engine', 'mock', '--record', '--base', 'HEAD~2', '--head', 'HEAD~1', '--stack', 'DEPLOY-WEB-001-us-west-2']);
    expect(recorded.code).toBe(0);
    const records = readdirSync(join(dir, 'audit-log'))
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(dir, 'audit-log', f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { action: string; details: { engine?: string } });
    const steps = records.filter((r) => ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'].includes(r.action));
    expect(steps.map((r) => r.action)).toEqual(['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing']);
    expect(steps.every((r) => r.details.engine === 'mock')).toBe(true);
  });
});

describe('a plan-policy violation denies the PR check', () => {
  it('an ASG with EC2 health checks: gitops check --preview denies with PLAN-ASG-001', () => {
    const dir = makeRepo();
    const program = join(dir, 'runner/infra/program.ts');
    writeFileSync(program, readFileSync(program, 'utf8').replace("healthCheckType: 'ELB',", "healthCheckType: 'EC2',"));
    git(dir, 'commit', '-q', '-am', 'regress: EC2 health checks');
    const r = gitops(dir, ['check', '--all', '--preview', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { intents: Array<{ decision: string; results: Array<{ policy: string; status: string; message: string }>; plan?: { resources: number } }> };
    const [web] = report.intents;
    expect(web!.decision).toBe('deny');
    expect(web!.plan?.resources).toBe(50);
    expect(web!.results.filter((x) => x.status === 'failed').map((x) => x.policy)).toEqual(expect.arrayContaining(['PLAN-ASG-001']));
    expect(web!.results.find((x) => x.policy === 'PLAN-ASG-001' && x.status === 'failed')!.message).toContain('uses EC2 health checks');
  });
});
