package gitops.policies.arch_region_001_test

import data.gitops.policies.arch_region_001 as policy

import data.gitops.testing.fixtures

regions(requested, resolved) := {"region": {"deploy": resolved[0], "requested": requested, "resolved": resolved}}

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
}

test_region_outside_list_denied_at_its_index if {
	ds := policy.deny with input as regions(["us-west", "sa-east"], ["us-west-2", "sa-east-1"])
	count(ds) == 1
	some d in ds
	d.path == ["intent", "constraints", "region", 1]
	contains(d.msg, "sa-east")
}

test_us_west_1_not_allowed if {
	count(policy.deny) == 1 with input as regions(["us-west-1"], ["us-west-1"])
}
