package gitops.policies.agents_iam_001_test

import data.gitops.policies.agents_iam_001 as policy

test_mapped_permissions_pass if {
	count(policy.deny) == 0 with input as {"agents": [{"agent_id": "a", "permissions": ["read:metrics"]}], "iam_permissions": ["read:metrics"]}
}

test_unmapped_permission_denied if {
	ds := policy.deny with input as {"agents": [{"agent_id": "a", "permissions": ["read:metrics", "execute:teleport"]}], "iam_permissions": ["read:metrics"]}
	count(ds) == 1
	some d in ds
	d.path == ["agents", 0, "permissions", 1]
}

test_wildcards_left_to_agent_wildcard_001 if {
	count(policy.deny) == 0 with input as {"agents": [{"agent_id": "a", "permissions": ["execute:*"]}], "iam_permissions": []}
}
