package gitops.policies.arch_scale_001_test

import data.gitops.policies.arch_scale_001 as policy

import data.gitops.testing.fixtures

scale(min, max, cpu) := {"actions": [{"action": "configure_auto_scaling", "config": {"min": min, "max": max, "target_cpu": cpu}}]}

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
}

test_min_above_max_denied if {
	ds := policy.deny with input as scale(12, 10, 70)
	some d in ds
	d.msg == "min_instances (12) is greater than max_instances (10)"
	d.path == ["intent", "requirements", "scalability", "min_instances"]
}

test_min_equal_max_passes if {
	count(policy.deny) == 0 with input as scale(4, 4, 70)
}

test_target_cpu_too_high_denied if {
	ds := policy.deny with input as scale(2, 4, 95)
	some d in ds
	d.path == ["intent", "requirements", "scalability", "target_cpu"]
}
