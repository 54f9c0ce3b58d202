# METADATA
# title: Scaling bounds are consistent
# description: >-
#   The auto-scaling group's minimum must not exceed its maximum, and the
#   instances deployed must fit within them.
# custom:
#   id: ARCH-SCALE-001
#   severity: deny
#   passed: Scaling bounds consistent
package gitops.policies.arch_scale_001

scaling contains a.config if {
	some a in input.actions
	a.action == "configure_auto_scaling"
}

deny contains {"msg": msg, "path": ["intent", "requirements", "scalability", "min_instances"]} if {
	some s in scaling
	s.min > s.max
	msg := sprintf("min_instances (%v) is greater than max_instances (%v)", [s.min, s.max])
}

deny contains {"msg": msg, "path": ["intent", "requirements", "scalability", "target_cpu"]} if {
	some s in scaling
	not s.target_cpu <= 90
	msg := sprintf("target CPU %v%% leaves no headroom to absorb load while new instances start (at most 90%%)", [s.target_cpu])
}
