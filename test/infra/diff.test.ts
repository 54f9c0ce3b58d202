/**
 * The plan diff on hand-built plans (no Pulumi): matching by URN, updates with
 * old → new, replacements from the replace-on-change table and their
 * propagation through references, secrets masked, ignored inputs, and that
 * every resource type the program creates has a replacement entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffPlans, KNOWN_AFTER_APPLY } from '../../runner/infra/diff.ts';
import { REPLACE_ON_CHANGE } from '../../runner/infra/replace-on-change.ts';
import type { PlannedResource, StackPlan } from '../../runner/model/plan.ts';

const STACK = 'WEB-us-west-2';
function res(type: string, name: string, inputs: Record<string, unknown>): PlannedResource {
  return { urn: `urn:pulumi:${STACK}::gitops::${type}::${name}`, type, name, id: `${name}-id`, arn: `arn:aws:x:us-west-2:1:${name}`, step: 'provision_infrastructure', inputs };
}
const plan = (resources: PlannedResource[], stack = STACK): StackPlan => ({ project: 'gitops', stack, intentId: 'WEB', region: 'us-west-2', zones: [], resources, triggers: [], notes: [] });

const vpc = (cidr = '10.0.0.0/16') => res('aws:ec2/vpc:Vpc', 'web-vpc', { cidrBlock: cidr });
const subnet = () => res('aws:ec2/subnet:Subnet', 'web-public-0', { vpcId: 'web-vpc-id', cidrBlock: '10.0.0.0/24' });
const rta = () => res('aws:ec2/routeTableAssociation:RouteTableAssociation', 'web-rta-0', { subnetId: 'web-public-0-id', routeTableId: 'web-rt-id' });
const asg = (max: number, desired = 3) => res('aws:autoscaling/group:Group', 'web-asg', { minSize: 3, maxSize: max, desiredCapacity: desired, targetGroupArns: ['arn:aws:x:us-west-2:1:web-tg'] });

describe('diffPlans', () => {
  it('an input change is an update with old → new; unchanged resources are counted, not listed', () => {
    const d = diffPlans([plan([vpc(), asg(10)])], [plan([vpc(), asg(12)])]);
    expect(d.kind).toBe('modified');
    expect(d.counts).toEqual({ create: 0, update: 1, replace: 0, delete: 0, same: 1 });
    expect(d.changes).toEqual([{ op: 'update', stack: STACK, urn: asg(12).urn, type: 'aws:autoscaling/group:Group', name: 'web-asg', changes: [{ path: 'maxSize', old: 10, new: 12 }] }]);
  });

  it('ignores inputs the program registers with ignoreChanges (desired capacity moves with target tracking)', () => {
    expect(diffPlans([plan([asg(10, 3)])], [plan([asg(10, 5)])]).counts.update).toBe(0);
  });

  it('a change to a replace-on-change input replaces, and the replacement propagates through references to a fixed point', () => {
    const d = diffPlans([plan([vpc(), subnet(), rta()])], [plan([vpc('10.1.0.0/16'), subnet(), rta()])]);
    expect(d.counts).toMatchObject({ replace: 3, update: 0 });
    const byName = Object.fromEntries(d.changes.map((c) => [c.name, c]));
    expect(byName['web-vpc']!.changes).toEqual([{ path: 'cidrBlock', old: '10.0.0.0/16', new: '10.1.0.0/16', replaces: true }]);
    // The subnet's vpcId refers to the replaced VPC's id: unknown until apply, and vpcId forces a new subnet…
    expect(byName['web-public-0']!.changes).toEqual([{ path: 'vpcId', old: 'web-vpc-id', new: KNOWN_AFTER_APPLY, replaces: true }]);
    // …whose new id replaces the route table association (subnetId forces replacement too).
    expect(byName['web-rta-0']).toMatchObject({ op: 'replace', changes: [{ path: 'subnetId', new: KNOWN_AFTER_APPLY, replaces: true }] });
  });

  it('a reference to a replaced resource in an updatable input is an update, not a replacement', () => {
    const tgOld = res('aws:lb/targetGroup:TargetGroup', 'web-tg', { port: 80, protocol: 'HTTP' });
    const tgNew = res('aws:lb/targetGroup:TargetGroup', 'web-tg', { port: 8080, protocol: 'HTTP' });
    const d = diffPlans([plan([tgOld, asg(10)])], [plan([tgNew, asg(10)])]);
    expect(d.changes.map((c) => [c.name, c.op])).toEqual([['web-tg', 'replace'], ['web-asg', 'update']]);
    expect(d.changes[1]!.changes).toEqual([{ path: 'targetGroupArns[0]', old: 'arn:aws:x:us-west-2:1:web-tg', new: KNOWN_AFTER_APPLY }]);
  });

  it('compares JSON documents held in strings field by field (an IAM policy gains an action)', () => {
    const pol = (actions: string[]) => res('aws:iam/rolePolicy:RolePolicy', 'web-agent-policy', { role: 'r', policy: JSON.stringify({ Statement: [{ Action: actions }] }) });
    const d = diffPlans([plan([pol(['ssm:SendCommand'])])], [plan([pol(['ssm:SendCommand', 'ec2:RebootInstances'])])]);
    expect(d.changes[0]!.changes).toEqual([{ path: 'policy.Statement[0].Action[1]', new: 'ec2:RebootInstances' }]);
    expect(d.changes[0]!.op).toBe('update');
  });

  it('masks secret-named fields, even inside JSON documents', () => {
    const l = (secret: string) => res('aws:lb/listener:Listener', 'web-https', { loadBalancerArn: 'a', defaultActions: [{ type: 'authenticate-oidc', authenticateOidc: JSON.stringify({ clientSecret: secret, clientId: 'c' }) }] });
    const d = diffPlans([plan([l('hunter2')])], [plan([l('s3cret!')])]);
    expect(d.changes[0]!.changes).toEqual([{ path: 'defaultActions[0].authenticateOidc.clientSecret', old: '[secret]', new: '[secret]' }]);
    expect(JSON.stringify(d)).not.toMatch(/hunter2|s3cret/);
  });

  it('an added intent is all creates, a deleted intent all deletes with the --destroy-removed semantics', () => {
    const added = diffPlans(undefined, [plan([vpc(), asg(10)])]);
    expect(added).toMatchObject({ kind: 'added', counts: { create: 2, update: 0, replace: 0, delete: 0, same: 0 }, stacks: { created: [STACK] } });
    const deleted = diffPlans([plan([vpc(), asg(10)])], undefined);
    expect(deleted).toMatchObject({ kind: 'deleted', counts: { create: 0, delete: 2 }, stacks: { deleted: [STACK] } });
    expect(deleted.changes.every((c) => c.note === 'intent removed')).toBe(true);
    expect(deleted.notes[0]).toContain('gitops apply --destroy-removed');
  });

  it('a region removed from a modified intent deletes that stack; a region added creates one', () => {
    const d = diffPlans([plan([vpc()]), plan([vpc()], 'WEB-us-east-1')], [plan([vpc()]), plan([vpc()], 'WEB-eu-west-1')]);
    expect(d.stacks).toEqual({ created: ['WEB-eu-west-1'], deleted: ['WEB-us-east-1'], changed: [], unchanged: [STACK] });
    expect(d.changes.map((c) => [c.stack, c.op, c.note])).toEqual([
      ['WEB-eu-west-1', 'create', undefined],
      ['WEB-us-east-1', 'delete', 'stack no longer deployed by the intent (a region removed, or the intent renamed)'],
    ]);
  });

  it('a type missing from the table is an update with a note saying its replacement behaviour is unknown', () => {
    const x = (v: number) => res('aws:new/thing:Thing', 't', { size: v });
    const d = diffPlans([plan([x(1)])], [plan([x(2)])]);
    expect(d.changes[0]).toMatchObject({ op: 'update', note: expect.stringContaining('not in the table') });
  });

  it('every resource type the program creates has a replace-on-change entry', () => {
    const program = readFileSync(new URL('../../runner/infra/program.ts', import.meta.url), 'utf8');
    const created = [...program.matchAll(/new aws\.([a-z0-9]+)\.([A-Z][A-Za-z0-9]*)\(/g)].map(([, mod, cls]) => `aws:${mod}/${cls![0]!.toLowerCase()}${cls!.slice(1)}:${cls}`);
    expect(created.length).toBeGreaterThan(15);
    for (const t of new Set(created)) expect(REPLACE_ON_CHANGE, t).toHaveProperty([t]);
    expect(REPLACE_ON_CHANGE).toHaveProperty(['pulumi:providers:aws']);
  });
});
