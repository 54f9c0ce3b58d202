package gitops.policies.arch_ha_001_test

import data.gitops.policies.arch_ha_001 as policy

import data.gitops.testing.fixtures

ha(availability, count_, zones, with_health) := {
	"quantities": {"requirements": {"availability": {"value": availability, "unit": "%", "op": "=", "text": sprintf("%v%%", [availability])}}},
	"actions": array.concat(
		[{"action": "deploy_instances", "config": {"count": count_, "instance_type": "t3.medium", "availability_zones": zones}}],
		[a | with_health; a := {"action": "setup_health_checks", "config": {"interval": 30}}],
	),
}

three_zones := ["us-west-2a", "us-west-2b", "us-west-2c"]

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
}

test_single_instance_denied if {
	ds := policy.deny with input as ha(99.9, 1, three_zones, true)
	some d in ds
	d.path == ["intent", "requirements", "scalability", "min_instances"]
	contains(d.msg, "at least 2 instances")
}

test_single_zone_denied if {
	ds := policy.deny with input as ha(99.95, 3, ["us-west-2a"], true)
	some d in ds
	d.path == ["intent", "placement", "zones"]
}

test_no_health_checks_denied if {
	ds := policy.deny with input as ha(99.9, 3, three_zones, false)
	some d in ds
	d.path == ["intent", "health_check", "enabled"]
}

test_lower_availability_needs_no_redundancy if {
	count(policy.deny) == 0 with input as ha(99, 1, ["us-west-2a"], false)
}

test_no_availability_stated_needs_no_redundancy if {
	count(policy.deny) == 0 with input as {"actions": [{"action": "deploy_instances", "config": {"count": 1, "availability_zones": ["us-west-2a"]}}]}
}
