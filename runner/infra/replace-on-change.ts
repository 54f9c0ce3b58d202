/**
 * Which input changes force a resource to be REPLACED (destroyed and created
 * again) rather than updated in place, per AWS resource type the program
 * creates (runner/infra/program.ts).
 *
 * Source: @pulumi/aws v7 is bridged from the Terraform AWS provider, and its
 * replacement behaviour is the Terraform schema's `ForceNew: true` (plugin-SDK
 * resources) or `RequiresReplace()` (framework resources) on the attribute.
 * The npm package ships only the generated SDK (no schema.json, no
 * `willReplaceOnChanges` data), so this table is transcribed from
 * terraform-provider-aws' resource schemas (internal/service/<svc>/<resource>.go),
 * property names in Pulumi's camelCase. Only the types the program creates are
 * listed; a type missing here is reported as `update` with a note that its
 * replacement behaviour is unknown (test/infra/diff.test.ts pins that every
 * type the program creates has an entry, so a new resource type cannot slip
 * through silently).
 *
 * Pure data: the check path may import it without loading Pulumi.
 */
export const REPLACE_ON_CHANGE: Readonly<Record<string, readonly string[]>> = {
  // Changing a provider's region moves every resource it manages: Pulumi's AWS provider diffConfig replaces on it.
  'pulumi:providers:aws': ['region'],
  'aws:ec2/vpc:Vpc': ['cidrBlock', 'ipv4IpamPoolId', 'ipv4NetmaskLength'],
  'aws:ec2/internetGateway:InternetGateway': [],
  'aws:ec2/subnet:Subnet': ['vpcId', 'cidrBlock', 'availabilityZone', 'availabilityZoneId', 'outpostArn'],
  'aws:ec2/routeTable:RouteTable': ['vpcId'],
  'aws:ec2/routeTableAssociation:RouteTableAssociation': ['subnetId', 'gatewayId'],
  'aws:ec2/eip:Eip': ['domain', 'networkBorderGroup', 'publicIpv4Pool', 'customerOwnedIpv4Pool', 'ipamPoolId'],
  'aws:ec2/natGateway:NatGateway': ['allocationId', 'subnetId', 'connectivityType', 'privateIp'],
  'aws:ec2/securityGroup:SecurityGroup': ['name', 'namePrefix', 'description', 'vpcId'],
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': ['securityGroupId'],
  'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule': ['securityGroupId'],
  'aws:lb/loadBalancer:LoadBalancer': ['name', 'namePrefix', 'internal', 'loadBalancerType', 'customerOwnedIpv4Pool'],
  'aws:lb/targetGroup:TargetGroup': ['name', 'namePrefix', 'port', 'protocol', 'protocolVersion', 'targetType', 'vpcId', 'ipAddressType'],
  'aws:lb/listener:Listener': ['loadBalancerArn'],
  'aws:iam/role:Role': ['name', 'namePrefix', 'path'],
  'aws:iam/rolePolicy:RolePolicy': ['role', 'name', 'namePrefix'],
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment': ['role', 'policyArn'],
  'aws:iam/instanceProfile:InstanceProfile': ['name', 'namePrefix', 'path'],
  // Other launch template changes create a new template version (an update).
  'aws:ec2/launchTemplate:LaunchTemplate': ['name', 'namePrefix'],
  'aws:autoscaling/group:Group': ['name', 'namePrefix'],
  'aws:autoscaling/policy:Policy': ['autoscalingGroupName', 'name'],
  'aws:cloudwatch/metricAlarm:MetricAlarm': ['name'],
  'aws:cloudwatch/logGroup:LogGroup': ['name', 'namePrefix', 'logGroupClass'],
  'aws:cloudwatch/eventRule:EventRule': ['name', 'namePrefix', 'eventBusName'],
  'aws:cloudwatch/eventTarget:EventTarget': ['rule', 'targetId', 'eventBusName'],
  'aws:ssm/document:Document': ['name', 'documentType'],
};

/**
 * Inputs the program registers with `ignoreChanges` (program.ts): the engine
 * does not diff them, so neither does the plan diff. Mirrors the resource
 * options in program.ts (the mock runtime does not see resource options).
 */
export const IGNORED_CHANGES: Readonly<Record<string, readonly string[]>> = {
  'aws:autoscaling/group:Group': ['desiredCapacity'],
};
