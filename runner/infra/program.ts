/**
 * The Pulumi program (@pulumi/aws v7): one stack per intent and region, built
 * from a validated `StackSpec` (runner/infra/spec.ts), never from raw YAML.
 *
 * Loaded ONLY through dynamic import (preview under the mock runtime, or the
 * Automation API's inline program): importing it loads @pulumi/pulumi and
 * @pulumi/aws, which the plain check path must not pay for. Under the mock
 * runtime the mocks must be installed before this module is imported.
 *
 * Every resource is created through `make(step, …)`, which records the apply
 * step it belongs to (docs/infra.md, "The apply steps"): the apply runs the steps in order (targeted updates)
 * and the audit trail records each step's duration and outcome.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { AgentRoleSpec, AlarmMetric, ApplyStep, StackSpec, TriggerSpec } from '../model/plan.ts';

export interface ProgramResult {
  /** Logical resource name → the apply step it belongs to. */
  steps: Record<string, ApplyStep>;
  /** What the program could not settle (shown in the plan). */
  notes: string[];
  outputs: Record<string, pulumi.Output<unknown>>;
}

/** The stack config key holding the HTTPS listener's ACM certificate when the action does not carry one. */
export const CERTIFICATE_CONFIG_KEY = 'gitops:certificateArn';
export const CERTIFICATE_PLACEHOLDER = `<unset: ${CERTIFICATE_CONFIG_KEY}>`;

const APP_PORT = 80;
const SERVICE_NAME = 'nginx';
const ALB_NAMESPACE = 'AWS/ApplicationELB';
// Amazon Linux 2023 through its public SSM parameter: always the current patched AMI, no AMI id in the repo.
const AMI_PARAMETER = { x86_64: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', arm64: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' };

/** Graviton families carry a `g` after the generation digit (t4g, m7g, c7gn). */
function architectureOf(instanceType: string): 'x86_64' | 'arm64' {
  return /^[a-z]+\d+g/.test(instanceType) ? 'arm64' : 'x86_64';
}

function slugOf(intentId: string): string {
  // Physical names are autonamed from the logical name plus 8 random characters;
  // ALB and target group names are limited to 32, so the slug stays short.
  return intentId.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 16).replace(/-+$/, '');
}

/**
 * Seconds the autoscaling group waits before acting on ELB health: a boot
 * allowance (instance start, package install, service start) plus the time
 * the target group needs to see the instance healthy.
 */
export function gracePeriodSeconds(spec: StackSpec): number {
  const BOOT_ALLOWANCE = 240;
  return BOOT_ALLOWANCE + spec.healthCheck.interval * spec.healthCheck.healthyThreshold;
}

function userData(spec: StackSpec): string {
  const path = spec.healthCheck.path;
  const file = path === '/' ? 'index.html' : path.replace(/^\//, '');
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `dnf install -y ${SERVICE_NAME}`,
    `mkdir -p "/usr/share/nginx/html/$(dirname '${file}')"`,
    `echo ok > "/usr/share/nginx/html/${file}"`,
    `systemctl enable --now ${SERVICE_NAME}`,
    '',
  ].join('\n');
}

/**
 * The restart runbook (SSM Command document). Run Command itself never
 * retries and cannot count attempts across invocations, so the recovery policy
 * is enforced inside the document, per instance:
 * - max_attempts: a bounded loop of restart-then-probe;
 * - timeout_seconds: each attempt's restart and health probe are cut off by
 *   coreutils `timeout`, and the step's own `timeoutSeconds` caps the whole run
 *   at max_attempts × timeout + slack, so Run Command kills a stuck run;
 * - one run per alarm episode: EventBridge fires on the transition into ALARM
 *   only, so a persisting error rate does not re-send the command.
 * If every attempt fails, the document exits non-zero (visible in Run Command
 * history) and the target group's health check takes over: the instance turns
 * unhealthy and the autoscaling group replaces it (restart_instance).
 */
export function restartDocument(spec: StackSpec): object {
  const sh = spec.selfHealing!;
  const probe = `curl -fsS -o /dev/null http://127.0.0.1:${APP_PORT}${spec.healthCheck.path}`;
  const script = [
    'set -u',
    // All instances receive the command at once: stagger restarts so the fleet does not restart together.
    'sleep $(( RANDOM % 20 ))',
    `for attempt in $(seq 1 ${sh.maxAttempts}); do`,
    `  echo "restart attempt $attempt/${sh.maxAttempts}"`,
    `  if timeout ${sh.timeoutSeconds} systemctl restart ${SERVICE_NAME} && timeout ${sh.timeoutSeconds} bash -c 'until ${probe}; do sleep 2; done'; then`,
    '    echo "service healthy after attempt $attempt"; exit 0',
    '  fi',
    'done',
    `echo "service still unhealthy after ${sh.maxAttempts} attempts; leaving replacement to the ELB health check" >&2`,
    'exit 1',
  ];
  return {
    schemaVersion: '2.2',
    description: `Restart ${SERVICE_NAME} (recovery policy: ${sh.strategy}, max ${sh.maxAttempts} attempts, ${sh.timeoutSeconds}s each)`,
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'restartService',
        inputs: { timeoutSeconds: sh.maxAttempts * sh.timeoutSeconds * 2 + 30, runCommand: script },
      },
    ],
  };
}

export function defineStack(spec: StackSpec): ProgramResult {
  const steps: Record<string, ApplyStep> = {};
  const notes: string[] = [];
  const slug = slugOf(spec.intentId);
  const n = (suffix: string) => `${slug}-${suffix}`;

  // One explicit provider per region: no resource falls back to the ambient default provider.
  const providerName = `aws-${spec.region}`;
  steps[providerName] = 'provision_infrastructure';
  const provider = new aws.Provider(providerName, {
    region: spec.region,
    defaultTags: { tags: { 'gitops:intent': spec.intentId, 'gitops:stack': spec.stack, 'managed-by': 'gitops' } },
  });
  const opts: pulumi.CustomResourceOptions = { provider };
  const make = <T>(step: ApplyStep, name: string, create: (name: string) => T): T => {
    if (name in steps) throw new Error(`duplicate logical name ${name}`);
    steps[name] = step;
    return create(name);
  };

  const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
  const partition = 'aws';

  // ── provision_infrastructure: network, security groups, load balancer ──
  const vpc = make('provision_infrastructure', n('vpc'), (name) => new aws.ec2.Vpc(name, { cidrBlock: '10.0.0.0/16', enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } }, opts));
  const igw = make('provision_infrastructure', n('igw'), (name) => new aws.ec2.InternetGateway(name, { vpcId: vpc.id }, opts));

  // An ALB needs subnets in at least two zones. With a single-zone intent the
  // instances stay in that zone, and the ALB gets a second public subnet in
  // another zone of the region.
  let albZones: pulumi.Input<string>[] = [...spec.zones];
  if (spec.zones.length < 2) {
    const other = aws.getAvailabilityZonesOutput({ state: 'available' }, { provider }).names.apply((names) => {
      const z = names.find((x) => !spec.zones.includes(x));
      if (!z) throw new Error(`region ${spec.region} has no second availability zone for the load balancer`);
      return z;
    });
    albZones = [spec.zones[0]!, other];
    notes.push(`single zone ${spec.zones[0]}: the load balancer also gets a subnet in a second zone (AWS requires two); instances stay in ${spec.zones[0]}`);
  }
  const publicSubnets = albZones.map((zone, i) =>
    make('provision_infrastructure', n(`public-${i}`), (name) => new aws.ec2.Subnet(name, { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24`, availabilityZone: zone, tags: { Name: name, tier: 'public' } }, opts)),
  );
  const privateSubnets = spec.zones.map((zone, i) =>
    make('provision_infrastructure', n(`private-${i}`), (name) => new aws.ec2.Subnet(name, { vpcId: vpc.id, cidrBlock: `10.0.${100 + i}.0/24`, availabilityZone: zone, tags: { Name: name, tier: 'private' } }, opts)),
  );
  const publicRt = make('provision_infrastructure', n('public-rt'), (name) => new aws.ec2.RouteTable(name, { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }] }, opts));
  publicSubnets.forEach((s, i) => make('provision_infrastructure', n(`public-rta-${i}`), (name) => new aws.ec2.RouteTableAssociation(name, { subnetId: s.id, routeTableId: publicRt.id }, opts)));
  // Instances live in private subnets and reach SSM and package repos through
  // one NAT gateway per region (cost-aware; one per zone removes the shared
  // egress dependency at ~$33/month each).
  const natEip = make('provision_infrastructure', n('nat-eip'), (name) => new aws.ec2.Eip(name, { domain: 'vpc' }, opts));
  const nat = make('provision_infrastructure', n('nat'), (name) => new aws.ec2.NatGateway(name, { allocationId: natEip.id, subnetId: publicSubnets[0]!.id }, { ...opts, dependsOn: [igw] }));
  const privateRt = make('provision_infrastructure', n('private-rt'), (name) => new aws.ec2.RouteTable(name, { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }] }, opts));
  privateSubnets.forEach((s, i) => make('provision_infrastructure', n(`private-rta-${i}`), (name) => new aws.ec2.RouteTableAssociation(name, { subnetId: s.id, routeTableId: privateRt.id }, opts)));

  const albSg = make('provision_infrastructure', n('alb-sg'), (name) => new aws.ec2.SecurityGroup(name, { vpcId: vpc.id, description: `Load balancer of ${spec.intentId}` }, opts));
  const appSg = make('provision_infrastructure', n('app-sg'), (name) => new aws.ec2.SecurityGroup(name, { vpcId: vpc.id, description: `Instances of ${spec.intentId}` }, opts));
  const clientCidr = spec.loadBalancer.scheme === 'internet-facing' ? '0.0.0.0/0' : '10.0.0.0/16';
  for (const l of spec.loadBalancer.listeners) {
    // A redirecting HTTP port is open only to answer with a redirect to HTTPS (the plan policy checks the listener really redirects).
    const description = l.protocol === 'HTTPS' ? 'HTTPS from clients' : l.redirectToHttps ? 'HTTP, redirected to HTTPS' : 'plain HTTP';
    make('provision_infrastructure', n(`alb-in-${l.port}`), (name) => new aws.vpc.SecurityGroupIngressRule(name, { securityGroupId: albSg.id, ipProtocol: 'tcp', fromPort: l.port, toPort: l.port, cidrIpv4: clientCidr, description }, opts));
  }
  make('provision_infrastructure', n('alb-out-app'), (name) => new aws.vpc.SecurityGroupEgressRule(name, { securityGroupId: albSg.id, ipProtocol: 'tcp', fromPort: APP_PORT, toPort: APP_PORT, referencedSecurityGroupId: appSg.id, description: 'to the instances' }, opts));
  if (spec.loadBalancer.authentication) {
    // The listener's authenticate action calls the identity provider's endpoints from the load balancer.
    make('provision_infrastructure', n('alb-out-idp'), (name) => new aws.vpc.SecurityGroupEgressRule(name, { securityGroupId: albSg.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'identity provider (listener authentication)' }, opts));
  }
  make('provision_infrastructure', n('app-in-alb'), (name) => new aws.vpc.SecurityGroupIngressRule(name, { securityGroupId: appSg.id, ipProtocol: 'tcp', fromPort: APP_PORT, toPort: APP_PORT, referencedSecurityGroupId: albSg.id, description: 'from the load balancer only' }, opts));
  // HTTPS egress only: SSM endpoints and the Amazon Linux repositories are HTTPS.
  make('provision_infrastructure', n('app-out-https'), (name) => new aws.vpc.SecurityGroupEgressRule(name, { securityGroupId: appSg.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'SSM and package repositories' }, opts));

  const alb = make('provision_infrastructure', n('alb'), (name) =>
    new aws.lb.LoadBalancer(name, {
      loadBalancerType: 'application',
      internal: spec.loadBalancer.scheme === 'internal',
      subnets: publicSubnets.map((s) => s.id),
      securityGroups: [albSg.id],
      dropInvalidHeaderFields: true,
    }, opts),
  );
  const hc = spec.healthCheck;
  const tg = make('provision_infrastructure', n('tg'), (name) =>
    new aws.lb.TargetGroup(name, {
      vpcId: vpc.id,
      port: APP_PORT,
      protocol: 'HTTP',
      targetType: 'instance',
      deregistrationDelay: 30,
      healthCheck: { enabled: true, protocol: 'HTTP', path: hc.path, interval: hc.interval, timeout: hc.timeout, healthyThreshold: hc.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold, matcher: '200-399' },
    }, opts),
  );
  const config = new pulumi.Config('gitops');
  /** A setting only known per stack at apply time: a placeholder (and a note) in a preview, a clear failure in a real run. */
  const stackSetting = <T>(key: string, fromSpec: T | undefined, what: string, placeholder: T): T => {
    const value = fromSpec ?? config.getObject<T>(key);
    if (value !== undefined) return value;
    if (!pulumi.runtime.isDryRun()) throw new Error(`stack ${spec.stack}: ${what} is not configured; set it with \`pulumi config set gitops:${key} … --stack ${spec.stack}\``);
    notes.push(`${what} comes from the stack config gitops:${key} (not set here); apply fails before any change without it`);
    return placeholder;
  };
  const forward: aws.types.input.lb.ListenerDefaultAction = { type: 'forward', targetGroupArn: tg.arn };
  const authenticate = authenticateAction(spec, stackSetting);
  for (const l of spec.loadBalancer.listeners) {
    if (l.protocol === 'HTTPS') {
      const certificateArn = stackSetting('certificateArn', spec.loadBalancer.certificateArn, "the HTTPS listener's certificate", CERTIFICATE_PLACEHOLDER);
      make('provision_infrastructure', n(`https-${l.port}`), (name) =>
        new aws.lb.Listener(name, {
          loadBalancerArn: alb.arn,
          port: l.port,
          protocol: 'HTTPS',
          sslPolicy: l.sslPolicy,
          certificateArn,
          defaultActions: authenticate ? [{ ...authenticate, order: 1 }, { ...forward, order: 2 }] : [forward],
        }, opts),
      );
    } else {
      const actions: aws.types.input.lb.ListenerDefaultAction[] = l.redirectToHttps
        ? [{ type: 'redirect', redirect: { port: String(spec.loadBalancer.listeners.find((x) => x.protocol === 'HTTPS')!.port), protocol: 'HTTPS', statusCode: 'HTTP_301' } }]
        : authenticate
          ? [{ ...authenticate, order: 1 }, { ...forward, order: 2 }]
          : [forward];
      make('provision_infrastructure', n(`http-${l.port}`), (name) => new aws.lb.Listener(name, { loadBalancerArn: alb.arn, port: l.port, protocol: 'HTTP', defaultActions: actions }, opts));
    }
  }

  // ── deploy_application: instance role (SSM core only), launch template, autoscaling group ──
  const instanceRole = make('deploy_application', n('instance-role'), (name) =>
    new aws.iam.Role(name, { assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }, opts),
  );
  make('deploy_application', n('instance-ssm'), (name) => new aws.iam.RolePolicyAttachment(name, { role: instanceRole.name, policyArn: `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` }, opts));
  const profile = make('deploy_application', n('instance-profile'), (name) => new aws.iam.InstanceProfile(name, { role: instanceRole.name }, opts));
  const ami = aws.ssm.getParameterOutput({ name: AMI_PARAMETER[architectureOf(spec.instances.instanceType)] }, { provider }).value;
  const instanceTags = { 'gitops:intent': spec.intentId, 'gitops:stack': spec.stack, Name: n('app') };
  const lt = make('deploy_application', n('lt'), (name) =>
    new aws.ec2.LaunchTemplate(name, {
      imageId: ami,
      instanceType: spec.instances.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [appSg.id],
      // IMDSv2 only; hop limit 1 keeps the credentials away from containers on the host.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 8, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
      userData: Buffer.from(userData(spec)).toString('base64'),
      updateDefaultVersion: true,
      // The `gitops:stack` instance tag is how Run Command finds the stack's instances.
      tagSpecifications: [
        { resourceType: 'instance', tags: instanceTags },
        { resourceType: 'volume', tags: instanceTags },
      ],
    }, opts),
  );
  const asg = make('deploy_application', n('asg'), (name) =>
    new aws.autoscaling.Group(name, {
      minSize: spec.scaling.min,
      maxSize: spec.scaling.max,
      desiredCapacity: spec.instances.count,
      vpcZoneIdentifiers: privateSubnets.map((s) => s.id),
      targetGroupArns: [tg.arn],
      // ELB health: an instance whose service fails the target group's check is replaced (restart_instance).
      healthCheckType: 'ELB',
      healthCheckGracePeriod: gracePeriodSeconds(spec),
      launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => String(v)) },
      // A new launch template version rolls through the fleet without dropping below 90% healthy.
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 90 } },
      tags: [{ key: 'Name', value: n('app'), propagateAtLaunch: true }],
    }, {
      ...opts,
      // Target tracking moves desired capacity; re-applying must not reset it.
      ignoreChanges: ['desiredCapacity'],
    }),
  );

  // ── configure_monitoring: CPU target tracking, trigger alarms, agent roles ──
  make('configure_monitoring', n('cpu-target'), (name) =>
    new aws.autoscaling.Policy(name, {
      autoscalingGroupName: asg.name,
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: gracePeriodSeconds(spec),
      targetTrackingConfiguration: { predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' }, targetValue: spec.scaling.targetCpu },
    }, opts),
  );
  const auditLogs = make('configure_monitoring', n('agent-audit'), (name) => new aws.cloudwatch.LogGroup(name, { name: `/gitops/${spec.stack}/agents`, retentionInDays: 365 }, opts));

  const lbDim = { LoadBalancer: alb.arnSuffix };
  const metricAlarms: Array<{ trigger: TriggerSpec; alarm: aws.cloudwatch.MetricAlarm }> = [];
  const triggers = spec.selfHealing?.triggers ?? [];
  let scaleOut: aws.autoscaling.Policy | undefined;
  for (const t of triggers) {
    if (t.signal.kind === 'health_status') continue; // implemented by the ASG's ELB health checks
    if (t.action === 'scale_out' && !scaleOut) {
      scaleOut = make('configure_monitoring', n('scale-out'), (name) =>
        new aws.autoscaling.Policy(name, {
          autoscalingGroupName: asg.name,
          policyType: 'StepScaling',
          adjustmentType: 'ChangeInCapacity',
          metricAggregationType: 'Maximum',
          estimatedInstanceWarmup: gracePeriodSeconds(spec),
          stepAdjustments: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
        }, opts),
      );
    }
    const signal = t.signal;
    const alarmName = n(`alarm-${signal.metric.replaceAll('_', '-')}-${t.action.replaceAll('_', '-')}`);
    const alarm = make('configure_monitoring', alarmName, (name) =>
      new aws.cloudwatch.MetricAlarm(name, {
        comparisonOperator: signal.op === '>' ? 'GreaterThanThreshold' : 'GreaterThanOrEqualToThreshold',
        threshold: signal.threshold,
        treatMissingData: 'notBreaching',
        alarmDescription: `${spec.intentId}: ${t.condition} → ${t.action}`,
        // restart_service has no alarm action: EventBridge reacts to the alarm's state change.
        alarmActions: t.action === 'scale_out' ? [scaleOut!.arn] : [],
        tags: { 'gitops:trigger': t.action, 'gitops:condition': t.condition },
        ...alarmMetric(signal.metric, lbDim, asg.name),
      }, opts),
    );
    metricAlarms.push({ trigger: t, alarm });
  }

  // ── enable_self_healing: restart runbook, alarm → EventBridge → Run Command ──
  const restartTriggers = metricAlarms.filter((a) => a.trigger.action === 'restart_service');
  const doc = restartTriggers.length
    ? make('enable_self_healing', n('restart-service'), (name) => new aws.ssm.Document(name, { documentType: 'Command', documentFormat: 'JSON', content: JSON.stringify(restartDocument(spec)) }, opts))
    : undefined;

  const arns: Record<string, pulumi.Output<string> | undefined> = {
    asg: asg.arn,
    ssm_document: doc?.arn,
    target_group: tg.arn,
    audit_log_group: pulumi.interpolate`${auditLogs.arn}:*`,
    instances: pulumi.interpolate`arn:${partition}:ec2:${spec.region}:${account}:instance/*`,
  };
  const roles = new Map<string, aws.iam.Role>();
  for (const agent of spec.agents) {
    const stepOfRole: ApplyStep = 'configure_monitoring';
    const role = make(stepOfRole, n(`agent-${agent.agentId}`).slice(0, 56), (name) =>
      new aws.iam.Role(name, {
        description: `Agent ${agent.agentId} (${agent.type}): ${agent.permissions.join(', ')}`,
        assumeRolePolicy: trustPolicy(agent, account, partition),
        tags: { 'gitops:agent': agent.agentId },
      }, opts),
    );
    make(stepOfRole, `${n(`agent-${agent.agentId}`).slice(0, 56)}-policy`, (name) => new aws.iam.RolePolicy(name, { role: role.name, policy: agentPolicy(agent, arns, spec.stack) }, opts));
    roles.set(agent.agentId, role);
  }

  for (const { trigger, alarm } of restartTriggers) {
    const executor = spec.agents.find((a) => a.permissions.includes('execute:recovery'));
    if (!executor) throw new Error(`stack ${spec.stack}: trigger "${trigger.condition}" restarts the service, but no agent holds execute:recovery`);
    const suffix = (trigger.signal as { metric: string }).metric.replaceAll('_', '-');
    const rule = make('enable_self_healing', n(`on-${suffix}`), (name) =>
      new aws.cloudwatch.EventRule(name, {
        description: `${trigger.condition} → ${trigger.action}`,
        eventPattern: alarm.arn.apply((arn) => JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], resources: [arn], detail: { state: { value: ['ALARM'] } } })),
      }, opts),
    );
    make('enable_self_healing', n(`on-${suffix}-restart`), (name) =>
      new aws.cloudwatch.EventTarget(name, {
        rule: rule.name,
        arn: doc!.arn,
        roleArn: roles.get(executor.agentId)!.arn,
        runCommandTargets: [{ key: 'tag:gitops:stack', values: [spec.stack] }],
      }, opts),
    );
  }

  return {
    steps,
    notes,
    outputs: { loadBalancerDns: alb.dnsName, autoscalingGroup: asg.name, stack: pulumi.output(spec.stack) },
  };
}

/**
 * The CloudWatch metric behind a trigger. Latencies are p-statistics of the
 * ALB's TargetResponseTime (seconds); the error rate is metric math over the
 * target 5xx count and the request count, in percent. Load-balancer-generated
 * 5xx (no healthy target) are the health check's business, not a restart's.
 */
function alarmMetric(metric: AlarmMetric, lbDim: Record<string, pulumi.Input<string>>, asgName: pulumi.Output<string>): Partial<aws.cloudwatch.MetricAlarmArgs> {
  switch (metric) {
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
      return { namespace: ALB_NAMESPACE, metricName: 'TargetResponseTime', extendedStatistic: metric.slice('latency_'.length), dimensions: lbDim, period: 60, evaluationPeriods: 3, datapointsToAlarm: 3 };
    case 'cpu_utilization':
      return { namespace: 'AWS/EC2', metricName: 'CPUUtilization', statistic: 'Average', dimensions: { AutoScalingGroupName: asgName }, period: 60, evaluationPeriods: 3, datapointsToAlarm: 3 };
    case 'error_rate':
      return {
        metricQueries: [
          { id: 'errors', returnData: false, metric: { namespace: ALB_NAMESPACE, metricName: 'HTTPCode_Target_5XX_Count', dimensions: lbDim, period: 60, stat: 'Sum' } },
          { id: 'requests', returnData: false, metric: { namespace: ALB_NAMESPACE, metricName: 'RequestCount', dimensions: lbDim, period: 60, stat: 'Sum' } },
          { id: 'error_rate', returnData: true, label: '5xx error rate (%)', expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)' },
        ],
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      };
  }
}

type StackSetting = <T>(key: string, fromSpec: T | undefined, what: string, placeholder: T) => T;

/**
 * The listener's authenticate action (SEC-AUTH-001). The identity provider's
 * client settings are secrets of the deployment, not of the intent: they come
 * from the stack config (`gitops:oidc`, `gitops:cognito`).
 */
function authenticateAction(spec: StackSpec, setting: StackSetting): aws.types.input.lb.ListenerDefaultAction | undefined {
  const auth = spec.loadBalancer.authentication;
  if (!auth) return undefined;
  if (auth.method === 'oidc') {
    const unset = '<unset: gitops:oidc>';
    const oidc = setting<Record<string, string>>('oidc', undefined, 'the OIDC client (issuer, endpoints, client id and secret)', {
      issuer: auth.issuer ?? unset, authorizationEndpoint: unset, tokenEndpoint: unset, userInfoEndpoint: unset, clientId: unset, clientSecret: unset,
    });
    const { issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint, clientId, clientSecret } = oidc;
    return {
      type: 'authenticate-oidc',
      authenticateOidc: { issuer: auth.issuer ?? issuer ?? '', authorizationEndpoint: authorizationEndpoint ?? '', tokenEndpoint: tokenEndpoint ?? '', userInfoEndpoint: userInfoEndpoint ?? '', clientId: clientId ?? '', clientSecret: pulumi.secret(clientSecret ?? '') },
    };
  }
  const unset = '<unset: gitops:cognito>';
  const cognito = setting<Record<string, string>>('cognito', undefined, 'the Cognito user pool (userPoolArn, userPoolClientId, userPoolDomain)', { userPoolArn: unset, userPoolClientId: unset, userPoolDomain: unset });
  return { type: 'authenticate-cognito', authenticateCognito: { userPoolArn: cognito.userPoolArn ?? '', userPoolClientId: cognito.userPoolClientId ?? '', userPoolDomain: cognito.userPoolDomain ?? '' } };
}

function trustPolicy(agent: AgentRoleSpec, account: pulumi.Output<string>, partition: string): pulumi.Output<string> {
  return account.apply((acct) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: agent.trustedBy === 'account' ? { AWS: `arn:${partition}:iam::${acct}:root` } : { Service: agent.trustedBy },
          Action: 'sts:AssumeRole',
          // A service principal acts for this account only (confused-deputy guard).
          ...(agent.trustedBy === 'account' ? {} : { Condition: { StringEquals: { 'aws:SourceAccount': acct } } }),
        },
      ],
    }),
  );
}

/** Statements whose resources do not exist in this stack (e.g. no runbook without restart triggers) are dropped. */
function agentPolicy(agent: AgentRoleSpec, arns: Record<string, pulumi.Output<string> | undefined>, stack: string): pulumi.Output<string> {
  const usable = agent.statements.filter((s) => s.resources.every((r) => r === '*' || arns[r] !== undefined));
  const resolved = usable.map((s) => pulumi.all(s.resources.map((r) => (r === '*' ? pulumi.output('*') : arns[r]!))));
  return pulumi.all(resolved).apply((resources) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: usable.map((s, i) => ({
        Sid: s.sid,
        Effect: 'Allow',
        Action: s.actions,
        Resource: resources[i]!.length === 1 ? resources[i]![0] : resources[i],
        ...(s.condition ? { Condition: JSON.parse(JSON.stringify(s.condition).replaceAll('${stack}', stack)) } : {}),
      })),
    }),
  );
}
