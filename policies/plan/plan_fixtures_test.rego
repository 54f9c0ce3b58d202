# A small stack plan in the shape runner/infra/plan-policy.ts gives the plan
# policies (`planPolicyInput`): the sample intent's resources the policies look
# at, keyed by name so a test can replace one (object.union) and build the
# input with `plan(resources)`.
package gitops.plan.testing

alb_sg := "sg-alb"

app_sg := "sg-app"

resources := {
	"alb": {"urn": "urn:alb", "type": "aws:lb/loadBalancer:LoadBalancer", "name": "alb", "id": "alb-id", "arn": "arn:alb", "inputs": {"loadBalancerType": "application", "securityGroups": [alb_sg]}},
	"alb-sg": {"urn": "urn:alb-sg", "type": "aws:ec2/securityGroup:SecurityGroup", "name": "alb-sg", "id": alb_sg, "arn": "arn:alb-sg", "inputs": {}},
	"app-sg": {"urn": "urn:app-sg", "type": "aws:ec2/securityGroup:SecurityGroup", "name": "app-sg", "id": app_sg, "arn": "arn:app-sg", "inputs": {}},
	"alb-in-443": {"urn": "urn:alb-in-443", "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "name": "alb-in-443", "id": "r1", "arn": "arn:r1", "inputs": {"securityGroupId": alb_sg, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}},
	"alb-in-80": {"urn": "urn:alb-in-80", "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "name": "alb-in-80", "id": "r2", "arn": "arn:r2", "inputs": {"securityGroupId": alb_sg, "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv4": "0.0.0.0/0"}},
	"app-in-alb": {"urn": "urn:app-in-alb", "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "name": "app-in-alb", "id": "r3", "arn": "arn:r3", "inputs": {"securityGroupId": app_sg, "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "referencedSecurityGroupId": alb_sg}},
	"https": {"urn": "urn:https", "type": "aws:lb/listener:Listener", "name": "https", "id": "l1", "arn": "arn:l1", "inputs": {"loadBalancerArn": "arn:alb", "port": 443, "protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]}},
	"http": {"urn": "urn:http", "type": "aws:lb/listener:Listener", "name": "http", "id": "l2", "arn": "arn:l2", "inputs": {"loadBalancerArn": "arn:alb", "port": 80, "protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]}},
	"asg": {"urn": "urn:asg", "type": "aws:autoscaling/group:Group", "name": "asg", "id": "asg-id", "arn": "arn:asg", "inputs": {"minSize": 3, "maxSize": 10, "healthCheckType": "ELB", "healthCheckGracePeriod": 300, "targetGroupArns": ["arn:tg"]}},
	"lt": {"urn": "urn:lt", "type": "aws:ec2/launchTemplate:LaunchTemplate", "name": "lt", "id": "lt-id", "arn": "arn:lt", "inputs": {"instanceType": "t3.medium", "metadataOptions": {"httpTokens": "required"}}},
	"scale-out": {"urn": "urn:scale-out", "type": "aws:autoscaling/policy:Policy", "name": "scale-out", "id": "p1", "arn": "arn:scale-out", "inputs": {"policyType": "StepScaling"}},
	"latency": {"urn": "urn:latency", "type": "aws:cloudwatch/metricAlarm:MetricAlarm", "name": "latency", "id": "a1", "arn": "arn:latency", "inputs": {"alarmActions": ["arn:scale-out"], "tags": {"gitops:trigger": "scale_out", "gitops:condition": "latency_p95 > 200ms"}}},
	"errors": {"urn": "urn:errors", "type": "aws:cloudwatch/metricAlarm:MetricAlarm", "name": "errors", "id": "a2", "arn": "arn:errors", "inputs": {"alarmActions": [], "tags": {"gitops:trigger": "restart_service", "gitops:condition": "error_rate > 5%"}}},
	"doc": {"urn": "urn:doc", "type": "aws:ssm/document:Document", "name": "doc", "id": "d1", "arn": "arn:doc", "inputs": {"documentType": "Command"}},
	"rule": {"urn": "urn:rule", "type": "aws:cloudwatch/eventRule:EventRule", "name": "rule", "id": "e1", "arn": "arn:rule", "inputs": {}, "documents": {"eventPattern": {"resources": ["arn:errors"]}}},
	"target": {"urn": "urn:target", "type": "aws:cloudwatch/eventTarget:EventTarget", "name": "target", "id": "t1", "arn": "arn:target", "inputs": {"rule": "rule", "arn": "arn:doc", "roleArn": "arn:healer", "runCommandTargets": [{"key": "tag:gitops:stack", "values": ["S"]}]}},
	"instance-role": {"urn": "urn:instance-role", "type": "aws:iam/role:Role", "name": "instance-role", "id": "ir", "arn": "arn:ir", "inputs": {}, "documents": {"assumeRolePolicy": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
	"instance-ssm": {"urn": "urn:instance-ssm", "type": "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "name": "instance-ssm", "id": "ia", "arn": "arn:ia", "inputs": {"role": "instance-role", "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}},
	"healer-policy": {"urn": "urn:healer-policy", "type": "aws:iam/rolePolicy:RolePolicy", "name": "healer-policy", "id": "hp", "arn": "arn:hp", "inputs": {"role": "healer"}, "documents": {"policy": {"Statement": [{"Sid": "SendRecoveryDocument", "Effect": "Allow", "Action": ["ssm:SendCommand"], "Resource": "arn:doc"}]}}},
}

triggers := [
	{"condition": "health_status == 'failed'", "action": "restart_instance", "signal": "health_status"},
	{"condition": "error_rate > 5%", "action": "restart_service", "signal": "error_rate"},
	{"condition": "latency_p95 > 200ms", "action": "scale_out", "signal": "latency_p95"},
]

plan(rs) := {"intent": "DEPLOY-WEB-001", "stack": "S", "region": "us-west-2", "triggers": triggers, "resources": [r | some r in rs]}

seed := plan(resources)

# The seed with one resource changed (deep-merged) or added.
with_resource(name, patch) := plan(object.union(resources, {name: patch}))

# The seed without one resource.
without(name) := plan(object.remove(resources, {name}))
