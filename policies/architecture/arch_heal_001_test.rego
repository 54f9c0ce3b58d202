package gitops.policies.arch_heal_001_test

import data.gitops.policies.arch_heal_001 as policy

import data.gitops.testing.fixtures

availability(v) := {"requirements": {"availability": {"value": v, "unit": "%", "op": "=", "text": sprintf("%v%%", [v])}}}

healing_action(attempts, triggers) := {"action": "enable_self_healing", "config": {
	"recovery_policy": {"strategy": "restart", "max_attempts": attempts, "timeout_seconds": 60},
	"triggers": triggers,
}}

restart := [{"condition": "health_status == 'failed'", "action": "restart_instance"}]

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
	count(policy.warn) == 0 with input as fixtures.seed
}

test_disabled_denied_for_high_availability if {
	ds := policy.deny with input as {"quantities": availability(99.9), "actions": []}
	some d in ds
	d.path == ["intent", "self_healing", "enabled"]
}

test_disabled_allowed_below_three_nines if {
	count(policy.deny) == 0 with input as {"quantities": availability(99.5), "actions": []}
}

test_no_triggers_denied if {
	count(policy.deny) == 1 with input as {"quantities": availability(99.99), "actions": [healing_action(3, [])]}
}

test_single_attempt_warns if {
	ws := policy.warn with input as {"quantities": availability(99.9), "actions": [healing_action(1, restart)]}
	count(ws) == 1
}
