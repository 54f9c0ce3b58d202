# METADATA
# title: High availability needs redundancy and health checks
# description: >-
#   An intent that asks for 99.9 % availability or more must run at least two
#   instances at minimum capacity, spread over at least two availability
#   zones, with load-balancer health checks, so that losing one instance or
#   one zone does not take the service down.
# custom:
#   id: ARCH-HA-001
#   severity: deny
#   passed: Redundant across zones with health checks
package gitops.policies.arch_ha_001

high_availability if input.quantities.requirements.availability.value >= 99.9

availability_text := input.quantities.requirements.availability.text

deployments contains a.config if {
	some a in input.actions
	a.action == "deploy_instances"
}

has_action(name) if {
	some a in input.actions
	a.action == name
}

deny contains {"msg": msg, "path": ["intent", "requirements", "scalability", "min_instances"]} if {
	high_availability
	some d in deployments
	d.count < 2
	msg := sprintf("availability %v needs at least 2 instances at minimum capacity; min_instances is %v", [availability_text, d.count])
}

deny contains {"msg": msg, "path": ["intent", "placement", "zones"]} if {
	high_availability
	some d in deployments
	count(d.availability_zones) < 2
	msg := sprintf("availability %v needs instances in at least 2 availability zones; this deployment uses %v (%v)", [availability_text, count(d.availability_zones), d.availability_zones])
}

deny contains {"msg": msg, "path": ["intent", "health_check", "enabled"]} if {
	high_availability
	count(deployments) > 0
	not has_action("setup_health_checks")
	msg := sprintf("availability %v needs health checks so failed instances are taken out of service; health checks are disabled", [availability_text])
}
