import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iamPolicyFor, iamStatementsFor, parseIamTable } from '../../runner/core/iam-table.ts';
import { parseAgentRegistry } from '../../runner/core/agent-registry.ts';
import { iamChanges } from '../../runner/agents/stage.ts';
import { REPO } from '../contracts/fixtures.ts';

const table = (() => {
  const r = parseIamTable(readFileSync(join(REPO, 'agents/iam-permissions.yaml'), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
})();
const registry = (() => {
  const r = parseAgentRegistry(readFileSync(join(REPO, 'agents/agents.yaml'), 'utf8'));
  if (!r.ok) throw new Error('registry');
  return r.value;
})();

const scope = {
  stack: 'DEPLOY-WEB-001-us-west-2',
  resources: {
    asg: 'arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web-asg',
    ssm_document: 'arn:aws:ssm:us-west-2:123456789012:document/web-restart',
    instances: 'arn:aws:ec2:us-west-2:123456789012:instance/*',
    audit_log_group: 'arn:aws:logs:us-west-2:123456789012:log-group:/gitops/DEPLOY-WEB-001-us-west-2/agents:*',
  },
};

describe('agents/iam-permissions.yaml', () => {
  it('maps every permission any registry agent holds', () => {
    const held = new Set(registry.agents.flatMap((a) => a.permissions));
    expect([...held].filter((p) => !table.rows.has(p))).toEqual([]);
  });

  it('is least privilege: no wildcard action, `*` resources only with a reason', () => {
    for (const row of table.rows.values()) {
      for (const s of row.statements) {
        expect(s.actions.every((a) => !a.includes('*')), `${row.permission} ${s.sid}`).toBe(true);
        if (s.resources.includes('*')) expect(s.wildcard_reason, `${row.permission} ${s.sid}`).toBeTruthy();
      }
    }
  });

  it('rejects a wildcard action, an unexplained * resource and a duplicate Sid, at their lines', () => {
    const text = [
      'permissions:',
      '  execute:everything:',
      '    scope: aws',
      '    statements:',
      '      - { sid: All, actions: ["ec2:*"], resources: [asg] }',
      '  read:stuff:',
      '    scope: aws',
      '    statements:',
      '      - { sid: Read, actions: [ec2:DescribeInstances], resources: ["*"] }',
      '      - { sid: Read, actions: [ec2:DescribeVolumes], resources: ["*"], wildcard_reason: no resource-level permissions }',
    ].join('\n');
    const bad = parseIamTable(text);
    expect(bad.ok ? [] : bad.diagnostics.map((d) => [d.code, d.line])).toEqual([['iam_table_invalid', 5]]);
    const fixed = parseIamTable(text.replace('"ec2:*"', 'ec2:RebootInstances'));
    expect(fixed.ok ? [] : fixed.diagnostics.map((d) => [d.code, d.line, d.message.slice(0, 25)])).toEqual([
      ['iam_table_invalid', 9, 'statement Read of read:st'],
      ['iam_table_invalid', 10, 'statement id Read is used'],
    ]);
  });
});

describe('iamPolicyFor', () => {
  it('builds the self-healing agent’s document with stack-scoped resources and the stack condition', () => {
    const r = iamPolicyFor(registry.get('self-healing-agent-001')!, table, scope);
    expect(r).toEqual({
      ok: true,
      value: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadHealthStatus',
            Effect: 'Allow',
            Action: ['elasticloadbalancing:DescribeTargetHealth', 'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'ec2:DescribeInstanceStatus'],
            Resource: '*',
          },
          { Sid: 'SendRecoveryDocument', Effect: 'Allow', Action: ['ssm:SendCommand'], Resource: scope.resources.ssm_document },
          { Sid: 'SendToStackInstances', Effect: 'Allow', Action: ['ssm:SendCommand'], Resource: scope.resources.instances, Condition: { StringEquals: { 'ssm:resourceTag/gitops:stack': 'DEPLOY-WEB-001-us-west-2' } } },
          { Sid: 'FollowRecoveryCommands', Effect: 'Allow', Action: ['ssm:ListCommandInvocations', 'ssm:GetCommandInvocation'], Resource: '*' },
          { Sid: 'WriteAuditLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: scope.resources.audit_log_group },
        ],
      },
    });
  });

  it('gives the scaling agent only its group and the monitoring agent no execute rights', () => {
    const scaling = iamPolicyFor(registry.get('scaling-agent-001')!, table, scope);
    expect(scaling.ok && scaling.value.Statement.map((s) => [s.Sid, s.Resource])).toEqual([
      ['ReadMetrics', '*'],
      ['ScaleStackGroup', scope.resources.asg],
      ['WriteAuditLogs', scope.resources.audit_log_group],
    ]);
    const mon = iamPolicyFor(registry.get('monitoring-agent-001')!, table, scope);
    expect(mon.ok && mon.value.Statement.flatMap((s) => s.Action)).toEqual(['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics', 'cloudwatch:DescribeAlarms', 'autoscaling:SetInstanceHealth']);
  });

  it('leaves out a statement whose resource the stack lacks rather than widening it', () => {
    const { ssm_document: _drop, ...rest } = scope.resources;
    const r = iamPolicyFor(registry.get('self-healing-agent-001')!, table, { ...scope, resources: rest });
    expect(r.ok && r.value.Statement.map((s) => s.Sid)).not.toContain('SendRecoveryDocument');
  });

  it('maps repository-only agents to no statements, and refuses an unmapped permission', () => {
    expect(iamPolicyFor(registry.get('results-publisher')!, table, scope)).toEqual({ ok: true, value: { Version: '2012-10-17', Statement: [] } });
    const r = iamStatementsFor({ agent_id: 'x', type: 't', version: '1.0.0', permissions: ['execute:teleport'] }, table);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.code)).toEqual(['iam_unknown_permission']);
  });
});

describe('iamChanges (AGENT-IAM-002)', () => {
  it('flags a widened mapping for review at its row, and nothing when unchanged', () => {
    const text = readFileSync(join(REPO, 'agents/iam-permissions.yaml'), 'utf8');
    expect(iamChanges(table, table)).toEqual([]);
    const widened = text.replace('actions: [autoscaling:SetDesiredCapacity, autoscaling:ExecutePolicy]', 'actions: [autoscaling:SetDesiredCapacity, autoscaling:ExecutePolicy, autoscaling:DeleteAutoScalingGroup]');
    const head = parseIamTable(widened);
    if (!head.ok) throw new Error('table');
    const line = widened.split('\n').findIndex((l) => l.startsWith('  execute:scale_operations:')) + 1;
    expect(iamChanges(table, head.value)).toEqual([
      expect.objectContaining({ policy: 'AGENT-IAM-002', status: 'warned', severity: 'warn', file: 'agents/iam-permissions.yaml', line, message: expect.stringContaining('actions added: autoscaling:DeleteAutoScalingGroup') }),
    ]);
  });
});
