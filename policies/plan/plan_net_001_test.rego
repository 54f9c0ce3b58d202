package gitops.plan.plan_net_001

import data.gitops.plan.testing

test_seed_passes if {
	count(deny) == 0 with input as testing.seed
}

test_ssh_open_on_instances_denied if {
	some d in deny with input as testing.with_resource("ssh", {"urn": "urn:ssh", "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "name": "ssh", "inputs": {"securityGroupId": testing.app_sg, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}})
	d.resource == "urn:ssh"
	contains(d.msg, "not the load balancer's")
}

test_ipv6_world_counts_too if {
	count(deny) == 1 with input as testing.with_resource("v6", {"urn": "urn:v6", "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "name": "v6", "inputs": {"securityGroupId": testing.app_sg, "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv6": "::/0"}})
}

test_inline_ingress_counts_too if {
	count(deny) == 1 with input as testing.with_resource("app-sg", {"inputs": {"ingress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["0.0.0.0/0"]}]}})
}

test_lb_other_port_denied if {
	some d in deny with input as testing.with_resource("alb-in-443", {"inputs": {"fromPort": 0, "toPort": 65535}})
	contains(d.msg, "of the load balancer")
}

test_port_80_only_while_it_redirects if {
	ds := deny with input as testing.with_resource("http", {"inputs": {"defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]}})
	some d in ds
	d.resource == "urn:alb-in-80"
}
