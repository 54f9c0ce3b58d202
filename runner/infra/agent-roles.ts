/**
 * Agent permissions (agents/agents.yaml, layer 30) → the IAM statements of the
 * agent's role in each stack. Least privilege: every statement names the
 * stack's own resources symbolically (`asg`, `ssm_document`, …) and the
 * program resolves them to ARNs; `*` appears only for AWS actions that have
 * no resource-level permissions (CloudWatch metric reads, Describe* calls).
 *
 * Explicit registry: a permission not listed here grants nothing in AWS (the
 * runner's own permissions such as `read:intents` or `write:checks` act on the
 * repository and GitHub, not on the cloud).
 *
 * No agent is granted `iam:PassRole`: none of these actions hands a role to a
 * service (EventBridge assumes the self-healing role itself; Run Command is
 * sent without a notification service role). The plan policy
 * `gitops.plan.iam` rejects PassRole without a specific resource and an
 * `iam:PassedToService` condition should a mapping ever need it.
 */
import type { Agent } from '../core/context.ts';
import type { AgentRoleSpec, AgentStatement } from './types.ts';

const STATEMENTS: Record<string, AgentStatement[]> = {
  // CloudWatch metric reads have no resource-level permissions: `*` is the only valid resource.
  'read:metrics': [
    { sid: 'ReadMetrics', actions: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics', 'cloudwatch:DescribeAlarms'], resources: ['*'] },
  ],
  'write:health_status': [{ sid: 'WriteHealthStatus', actions: ['autoscaling:SetInstanceHealth'], resources: ['asg'] }],
  // Describe* calls have no resource-level permissions either.
  'read:health_status': [
    {
      sid: 'ReadHealthStatus',
      actions: ['elasticloadbalancing:DescribeTargetHealth', 'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'ec2:DescribeInstanceStatus'],
      resources: ['*'],
    },
  ],
  'execute:recovery': [
    { sid: 'SendRecoveryDocument', actions: ['ssm:SendCommand'], resources: ['ssm_document'] },
    // Only the stack's own instances, by the tag the autoscaling group propagates.
    { sid: 'SendToStackInstances', actions: ['ssm:SendCommand'], resources: ['instances'], condition: { StringEquals: { 'ssm:resourceTag/gitops:stack': '${stack}' } } },
    { sid: 'FollowRecoveryCommands', actions: ['ssm:ListCommandInvocations', 'ssm:GetCommandInvocation'], resources: ['*'] },
  ],
  'execute:scale_operations': [
    { sid: 'ScaleStackGroup', actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:ExecutePolicy'], resources: ['asg'] },
  ],
  'write:audit_logs': [{ sid: 'WriteAuditLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: ['audit_log_group'] }],
};

/** Permissions that mean the agent operates the running service, hence gets a role in its stacks. */
const SERVICE_PERMISSIONS = new Set(['read:metrics', 'write:health_status', 'read:health_status', 'execute:recovery', 'execute:scale_operations']);

/**
 * Who assumes the role. The self-healing agent's recovery is executed by
 * EventBridge invoking Run Command, so EventBridge assumes that role; the
 * other agents run as workloads of the account.
 */
const TRUST_BY_TYPE: Record<string, string> = {
  'self-healing': 'events.amazonaws.com',
};

export function agentRoleSpecs(agents: readonly Agent[]): AgentRoleSpec[] {
  const roles: AgentRoleSpec[] = [];
  for (const agent of [...agents].sort((a, b) => a.agent_id.localeCompare(b.agent_id))) {
    if (!agent.permissions.some((p) => SERVICE_PERMISSIONS.has(p))) continue;
    const permissions = agent.permissions.filter((p) => p in STATEMENTS);
    roles.push({
      agentId: agent.agent_id,
      type: agent.type,
      trustedBy: TRUST_BY_TYPE[agent.type] ?? 'account',
      statements: permissions.flatMap((p) => STATEMENTS[p]!),
      permissions,
    });
  }
  return roles;
}
