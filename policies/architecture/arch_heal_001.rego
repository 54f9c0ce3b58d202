# METADATA
# title: Self-healing for high availability
# description: >-
#   An intent that asks for 99.9 % availability or more must keep
#   self-healing enabled, with a recovery policy and at least one trigger:
#   43 minutes of downtime a month leaves no time for a human to restart
#   things.
# custom:
#   id: ARCH-HEAL-001
#   severity: deny
#   passed: Self-healing enabled
package gitops.policies.arch_heal_001

high_availability if input.quantities.requirements.availability.value >= 99.9

healing contains a.config if {
	some a in input.actions
	a.action == "enable_self_healing"
}

deny contains {"msg": msg, "path": ["intent", "self_healing", "enabled"]} if {
	high_availability
	count(healing) == 0
	msg := sprintf("availability %v needs self-healing; it is disabled", [input.quantities.requirements.availability.text])
}

deny contains {"msg": "self-healing has no triggers: nothing would start a recovery", "path": ["intent", "self_healing", "triggers"]} if {
	high_availability
	some h in healing
	count(object.get(h, "triggers", [])) == 0
}

warn contains {"msg": msg, "path": ["intent", "self_healing", "recovery_policy", "max_attempts"]} if {
	some h in healing
	h.recovery_policy.max_attempts < 2
	msg := sprintf("recovery gives up after %v attempt: a single transient failure ends self-healing", [h.recovery_policy.max_attempts])
}
