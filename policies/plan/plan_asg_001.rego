# METADATA
# title: Autoscaling groups replace failed instances
# description: >-
#   Every autoscaling group uses the load balancer's health checks (ELB), is
#   attached to a target group and waits a grace period before judging a new
#   instance. With EC2 health checks an instance whose service is down stays
#   in service: the restart_instance self-healing trigger would never fire.
# custom:
#   id: PLAN-ASG-001
#   severity: deny
#   passed: Every autoscaling group uses ELB health checks
package gitops.plan.plan_asg_001

groups contains r if {
	some r in input.resources
	r.type == "aws:autoscaling/group:Group"
}

deny contains {"msg": msg, "resource": g.urn} if {
	some g in groups
	kind := object.get(g.inputs, "healthCheckType", "EC2")
	kind != "ELB"
	msg := sprintf("autoscaling group %v uses %v health checks: an instance whose service fails is never replaced (use ELB)", [g.name, kind])
}

deny contains {"msg": msg, "resource": g.urn} if {
	some g in groups
	count(object.get(g.inputs, "targetGroupArns", [])) == 0
	msg := sprintf("autoscaling group %v is not attached to a target group: ELB health checks have nothing to judge", [g.name])
}

deny contains {"msg": msg, "resource": g.urn} if {
	some g in groups
	object.get(g.inputs, "healthCheckGracePeriod", 0) <= 0
	msg := sprintf("autoscaling group %v has no health check grace period: booting instances would be replaced before they serve", [g.name])
}
