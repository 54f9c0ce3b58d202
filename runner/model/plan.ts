/**
 * Types of the infrastructure stage: the validated input of the
 * Pulumi program (`StackSpec`, one per intent and region), the resource plan
 * the mock runtime produces (`StackPlan`), and the apply steps.
 *
 * This module is type-only plus small constant tables, so the check path can
 * import it without loading Pulumi.
 */

import type { CostEstimate } from './report.ts';

/** The apply steps, in the order they are applied (docs/infra.md, "The apply steps"). */
export const APPLY_STEPS = ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'] as const;
export type ApplyStep = (typeof APPLY_STEPS)[number];

/** The Pulumi project every stack belongs to; stacks are `<intent>-<region>`. */
export const PROJECT = 'gitops';

export interface HealthCheckSpec {
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  path: string;
}

/** Metrics a trigger can alarm on, and the CloudWatch unit of the threshold. */
export type AlarmMetric = 'error_rate' | 'latency_p50' | 'latency_p95' | 'latency_p99' | 'cpu_utilization';

/** What a trigger watches, parsed from its condition (docs/contracts.md, "Triggers"). */
export type TriggerSignal =
  | { kind: 'health_status'; equals: string }
  /** `threshold` in the alarm's unit: percent for error_rate/cpu, SECONDS for latencies (CloudWatch's TargetResponseTime unit). */
  | { kind: 'metric'; metric: AlarmMetric; op: '>' | '>='; threshold: number };

export type TriggerAction = 'restart_instance' | 'restart_service' | 'scale_out';

export interface TriggerSpec {
  /** The condition as written, e.g. `latency_p95 > 200ms`. */
  condition: string;
  action: TriggerAction;
  signal: TriggerSignal;
}

export interface SelfHealingSpec {
  strategy: 'restart';
  maxAttempts: number;
  timeoutSeconds: number;
  triggers: TriggerSpec[];
}

/** One IAM statement of an agent's role (least privilege, resources filled in by the program). */
export interface AgentStatement {
  sid: string;
  actions: string[];
  /** Symbolic resources resolved inside the program: `asg`, `ssm_document`, `instances`, `audit_log_group`, `*`. */
  resources: AgentResourceRef[];
  condition?: Record<string, Record<string, string | string[]>>;
}

export type AgentResourceRef = 'asg' | 'ssm_document' | 'instances' | 'audit_log_group' | 'target_group' | '*';

export interface AgentRoleSpec {
  agentId: string;
  type: string;
  /** Service principal that assumes the role (e.g. events.amazonaws.com), or `account` for the account's own principals. */
  trustedBy: string;
  statements: AgentStatement[];
  /** The agent permissions the statements come from (for the plan and the audit). */
  permissions: string[];
}

export type ListenerSpec =
  | { protocol: 'HTTPS'; port: number; sslPolicy: string }
  | { protocol: 'HTTP'; port: number; redirectToHttps: boolean };

export interface StackSpec {
  project: string;
  /** `<intent id>-<region>`, a valid Pulumi stack name. */
  stack: string;
  intentId: string;
  region: string;
  zones: string[];
  loadBalancer: {
    scheme: 'internet-facing' | 'internal';
    listeners: ListenerSpec[];
    /** Listener authentication (SEC-AUTH-001); its client settings come from the stack config. */
    authentication?: { method: 'oidc' | 'cognito'; issuer?: string };
    /** From the action, or the stack config `gitops:certificateArn` at apply time. */
    certificateArn?: string;
  };
  instances: { count: number; instanceType: string };
  scaling: { min: number; max: number; targetCpu: number };
  healthCheck: HealthCheckSpec;
  /** Absent when the intent has no enable_self_healing action. */
  selfHealing?: SelfHealingSpec;
  agents: AgentRoleSpec[];
}

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** Mock physical id: how plan policies join references (a rule's securityGroupId is its group's id). */
  id: string;
  /** Mock ARN (what other resources' inputs reference, e.g. a listener's loadBalancerArn). */
  arn: string;
  /** The provider reference (`<provider urn>::<id>`) the resource was registered with; absent for providers. */
  provider?: string;
  step: ApplyStep;
  inputs: Record<string, unknown>;
}

export interface StackPlan {
  project: string;
  stack: string;
  intentId: string;
  region: string;
  zones: string[];
  resources: PlannedResource[];
  /** The triggers the stack must implement, for the plan policies (an alarm or mechanism for each). */
  triggers: Array<{ condition: string; action: TriggerAction; signal: string }>;
  /** Things the plan could not settle here (e.g. a certificate only known at apply time). */
  notes: string[];
}

export interface IntentPlan {
  intentId: string;
  file?: string;
  stacks: StackPlan[];
  resources: number;
  by_type: Record<string, number>;
  /** Wall time of the mock-runtime runs, milliseconds. */
  duration_ms: number;
}

/** What the PR does to one resource, by URN between the base's plan and the head's (runner/infra/diff.ts). */
export type ResourceOp = 'create' | 'update' | 'replace' | 'delete';

export interface InputChange {
  /** Input path, e.g. `maxSize`, `healthCheck.interval`, `policy.Statement[0].Action` (JSON strings are compared parsed). */
  path: string;
  /** Absent when the input is new at head. Secrets read `[secret]`. */
  old?: unknown;
  /** Absent when the input is gone at head; `(known after apply)` when it refers to a replaced resource. */
  new?: unknown;
  /** This change forces the resource's replacement (REPLACE_ON_CHANGE). */
  replaces?: boolean;
}

export interface ResourceChange {
  op: ResourceOp;
  stack: string;
  urn: string;
  type: string;
  name: string;
  /** Changed inputs (update, replace); empty for create and delete. */
  changes: InputChange[];
  /** Why, when it is not just the inputs (e.g. an unknown replacement behaviour, a removed stack). */
  note?: string;
}

export interface PlanDiff {
  /** The intent at base vs at head: added (all creates), modified, deleted (all deletes). */
  kind: 'added' | 'modified' | 'deleted';
  counts: Record<ResourceOp | 'same', number>;
  /** Every resource that is not unchanged, by stack then operation. */
  changes: ResourceChange[];
  stacks: { created: string[]; deleted: string[]; changed: string[]; unchanged: string[] };
  notes: string[];
}

/** A stack drawn for the PR comment (runner/infra/graph.ts builds it, runner/report/mermaid.ts draws it). */
export type GraphNodeKind = 'load_balancer' | 'listener' | 'target_group' | 'autoscaling_group' | 'alarm' | 'scaling_policy' | 'runbook';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  op: ResourceOp | 'same';
}

export interface StackGraph {
  stack: string;
  nodes: GraphNode[];
  edges: Array<{ from: string; to: string; label?: string }>;
}

/** A plan policy (policies/plan/) as the reports name it. */
export interface PlanPolicyInfo {
  /** `custom.id` of the package's METADATA, e.g. PLAN-ASG-001 (else the package name). */
  id: string;
  package: string;
  title: string;
  severity: 'deny' | 'warn';
  passed?: string;
}

export interface PlanFinding {
  policy: string;
  title: string;
  severity: 'deny' | 'warn';
  stack: string;
  /** URN of the offending resource (or the stack). */
  resource: string;
  message: string;
}

/** The inputs worth showing for one planned resource (runner/infra/plan-details.ts picks them). */
export type PlanKeyInputs = Record<string, unknown>;

/** The plan summary stored in `report.intents[].plan.details` (runner/infra/plan-details.ts builds it, runner/report/plan.ts renders it). */
export interface PlanDetails {
  duration_ms: number;
  stacks: Array<{
    stack: string;
    region: string;
    zones: string[];
    notes: string[];
    resources: Array<{ urn: string; type: string; name: string; step: string; key: PlanKeyInputs }>;
  }>;
  policies?: { evaluated: PlanPolicyInfo[]; findings: PlanFinding[] };
  cost?: CostEstimate;
}
