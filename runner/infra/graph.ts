/**
 * The picture of a stack for the PR comment: the request path (load balancer
 * → listeners → target group → autoscaling group) and the self-healing wiring
 * (alarms → scale-out policy or restart runbook → the group), read from the
 * resource plan, with each node's operation from the plan diff so changed
 * nodes stand out. Edges are found the way the engine finds dependencies: an
 * input of one resource mentions another's id or ARN.
 *
 * Pure data (runner/report/mermaid.ts draws it); no Pulumi import.
 */
import type { GraphNode, GraphNodeKind, PlanDiff, PlannedResource, StackGraph, StackPlan } from '../model/plan.ts';

const KIND: Record<string, GraphNodeKind> = {
  'aws:lb/loadBalancer:LoadBalancer': 'load_balancer',
  'aws:lb/listener:Listener': 'listener',
  'aws:lb/targetGroup:TargetGroup': 'target_group',
  'aws:autoscaling/group:Group': 'autoscaling_group',
  'aws:cloudwatch/metricAlarm:MetricAlarm': 'alarm',
  'aws:autoscaling/policy:Policy': 'scaling_policy',
  'aws:ssm/document:Document': 'runbook',
};

const ORDER: GraphNodeKind[] = ['load_balancer', 'listener', 'target_group', 'autoscaling_group', 'scaling_policy', 'alarm', 'runbook'];
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));
/** `from`'s inputs mention `to` by id, ARN, or as an exact name value (`autoscalingGroupName`, an event target's `rule`). */
const refers = (from: PlannedResource, to: PlannedResource) => {
  const s = JSON.stringify(from.inputs);
  if (s.includes(JSON.stringify(to.name))) return true;
  return [to.id, to.arn].some((h) => {
    for (let at = s.indexOf(h); at >= 0; at = s.indexOf(h, at + 1)) if (!/[A-Za-z0-9_-]/.test(s[at + h.length] ?? '')) return true;
    return false;
  });
};

function label(r: PlannedResource): string {
  const i = r.inputs as Record<string, unknown>;
  switch (KIND[r.type]) {
    case 'load_balancer':
      return `Load balancer ${r.name} (${i.internal ? 'internal' : 'internet-facing'})`;
    case 'listener': {
      const actions = (i.defaultActions as Array<{ type?: string }> | undefined) ?? [];
      return `${text(i.protocol)} :${text(i.port)}${actions.some((a) => a.type === 'redirect') ? ' redirect' : ''}${actions.some((a) => a.type?.startsWith('authenticate')) ? ' authenticated' : ''}`;
    }
    case 'target_group':
      return `Target group ${text(i.protocol)} :${text(i.port)} health ${text((i.healthCheck as { path?: string } | undefined)?.path ?? '/')}`;
    case 'autoscaling_group':
      return `Autoscaling group ${text(i.minSize)}..${text(i.maxSize)} instances`;
    case 'alarm': {
      const tags = (i.tags as Record<string, string> | undefined) ?? {};
      return `Alarm ${tags['gitops:condition'] ?? r.name}`;
    }
    case 'scaling_policy':
      return i.policyType === 'TargetTrackingScaling' ? `Target tracking CPU ${text((i.targetTrackingConfiguration as { targetValue?: number } | undefined)?.targetValue)}%` : 'Scale-out policy +1 instance';
    case 'runbook':
      return 'Recovery runbook (SSM restart)';
    default:
      return r.name;
  }
}

/** The graph of one stack: head resources, plus the base's resources the PR deletes. */
export function stackGraph(head: StackPlan | undefined, base: StackPlan | undefined, diff: PlanDiff | undefined): StackGraph {
  const stack = head?.stack ?? base?.stack ?? '';
  const ops = new Map((diff?.changes ?? []).filter((c) => c.stack === stack).map((c) => [c.urn, c.op]));
  const headUrns = new Set((head?.resources ?? []).map((r) => r.urn));
  // Drawn in the order a request and then a recovery travel: load balancer first, runbook last.
  const rank = (r: PlannedResource) => ORDER.indexOf(KIND[r.type]!);
  const all = [...(head?.resources ?? []), ...(base?.resources ?? []).filter((r) => !headUrns.has(r.urn))].filter((r) => KIND[r.type]).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const nodes: GraphNode[] = all.map((r, n) => ({ id: `n${n}`, kind: KIND[r.type]!, label: label(r), op: ops.get(r.urn) ?? (head ? 'same' : 'delete') }));
  const edges: StackGraph['edges'] = [];
  const idOf = new Map(all.map((r, n) => [r.urn, `n${n}`]));
  const of = (kind: GraphNodeKind) => all.filter((r) => KIND[r.type] === kind);
  const link = (from: PlannedResource, to: PlannedResource, edgeLabel?: string) => edges.push({ from: idOf.get(from.urn)!, to: idOf.get(to.urn)!, ...(edgeLabel ? { label: edgeLabel } : {}) });

  for (const l of of('listener')) for (const lb of of('load_balancer')) if (refers(l, lb)) link(lb, l);
  for (const l of of('listener')) {
    for (const tg of of('target_group')) if (refers(l, tg)) link(l, tg, 'forward');
    const redirect = ((l.inputs.defaultActions as Array<{ type?: string; redirect?: { port?: string } }> | undefined) ?? []).find((a) => a.type === 'redirect');
    const target = redirect && of('listener').find((x) => String(x.inputs.port) === redirect.redirect?.port && x !== l);
    if (target) link(l, target, 'redirect');
  }
  for (const g of of('autoscaling_group')) for (const tg of of('target_group')) if (refers(g, tg)) link(tg, g, 'targets');
  for (const p of of('scaling_policy')) for (const g of of('autoscaling_group')) if (refers(p, g)) link(p, g, 'scales');
  for (const a of of('alarm')) for (const p of of('scaling_policy')) if (refers(a, p)) link(a, p, 'alarm action');
  // Alarm → EventBridge rule (pattern names the alarm) → target (runs the document): drawn as one edge.
  const rules = [...(head?.resources ?? []), ...(base?.resources ?? [])].filter((r) => r.type === 'aws:cloudwatch/eventRule:EventRule');
  const targets = [...(head?.resources ?? []), ...(base?.resources ?? [])].filter((r) => r.type === 'aws:cloudwatch/eventTarget:EventTarget');
  for (const a of of('alarm')) {
    for (const rule of rules.filter((r) => refers(r, a))) {
      for (const doc of of('runbook')) if (targets.some((t) => refers(t, rule) && refers(t, doc))) link(a, doc, 'EventBridge, Run Command');
    }
  }
  for (const doc of of('runbook')) for (const g of of('autoscaling_group')) link(doc, g, 'restarts the service');
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const k = `${e.from}>${e.to}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { stack, nodes, edges: unique };
}
