# METADATA
# title: Only the load balancer is reachable from the internet, on HTTPS
# description: >-
#   No security group admits 0.0.0.0/0 (or ::/0) except the load balancer's,
#   and that one only on 443, or on an HTTP port whose every listener only
#   redirects to HTTPS. Instances are reachable from the load balancer only.
# custom:
#   id: PLAN-NET-001
#   severity: deny
#   passed: No security group open to the internet except the load balancer's HTTPS
package gitops.plan.plan_net_001

world := {"0.0.0.0/0", "::/0"}

by_type(t) := [r | some r in input.resources; r.type == t]

# Security groups that front a load balancer.
lb_groups contains sg if {
	some lb in by_type("aws:lb/loadBalancer:LoadBalancer")
	some sg in object.get(lb.inputs, "securityGroups", [])
}

# World-open ingress, whichever way it is written.
open_ingress contains {"sg": r.inputs.securityGroupId, "proto": r.inputs.ipProtocol, "from": object.get(r.inputs, "fromPort", -1), "to": object.get(r.inputs, "toPort", -1), "name": r.name, "urn": r.urn} if {
	some r in by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
	some k in ["cidrIpv4", "cidrIpv6"]
	object.get(r.inputs, k, "") in world
}

open_ingress contains {"sg": r.id, "proto": rule.protocol, "from": rule.fromPort, "to": rule.toPort, "name": r.name, "urn": r.urn} if {
	some r in by_type("aws:ec2/securityGroup:SecurityGroup")
	some rule in object.get(r.inputs, "ingress", [])
	some c in array.concat(object.get(rule, "cidrBlocks", []), object.get(rule, "ipv6CidrBlocks", []))
	c in world
}

open_ingress contains {"sg": r.inputs.securityGroupId, "proto": r.inputs.protocol, "from": r.inputs.fromPort, "to": r.inputs.toPort, "name": r.name, "urn": r.urn} if {
	some r in by_type("aws:ec2/securityGroupRule:SecurityGroupRule")
	r.inputs.type == "ingress"
	some c in array.concat(object.get(r.inputs, "cidrBlocks", []), object.get(r.inputs, "ipv6CidrBlocks", []))
	c in world
}

# HTTP ports on which every listener of the group's load balancers redirects to HTTPS.
redirect_only(sg, port) if {
	some lb in by_type("aws:lb/loadBalancer:LoadBalancer")
	sg in object.get(lb.inputs, "securityGroups", [])
	listeners := [l | some l in by_type("aws:lb/listener:Listener"); l.inputs.loadBalancerArn == lb.arn; l.inputs.port == port]
	count(listeners) > 0
	every l in listeners {
		l.inputs.protocol == "HTTP"
		every a in l.inputs.defaultActions {
			a.type == "redirect"
			a.redirect.protocol == "HTTPS"
		}
	}
}

allowed(o) if {
	o.sg in lb_groups
	o.proto == "tcp"
	o.from == 443
	o.to == 443
}

allowed(o) if {
	o.sg in lb_groups
	o.proto == "tcp"
	o.from == o.to
	redirect_only(o.sg, o.from)
}

deny contains {"msg": msg, "resource": o.urn} if {
	some o in open_ingress
	not o.sg in lb_groups
	msg := sprintf("%v opens ports %v-%v (%v) to the internet on a security group that is not the load balancer's", [o.name, o.from, o.to, o.proto])
}

deny contains {"msg": msg, "resource": o.urn} if {
	some o in open_ingress
	o.sg in lb_groups
	not allowed(o)
	msg := sprintf("%v opens ports %v-%v (%v) of the load balancer to the internet: only 443, or an HTTP port that only redirects to HTTPS, may be open", [o.name, o.from, o.to, o.proto])
}
