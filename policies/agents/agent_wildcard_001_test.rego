package gitops.policies.agents_wildcard_001_test

import data.gitops.policies.agents_wildcard_001 as policy

agents(perms) := {"agents": [{"agent_id": "a", "type": "t", "version": "1.0.0", "permissions": perms}]}

test_named_permissions_pass if {
	count(policy.deny) == 0 with input as agents(["read:metrics", "execute:recovery", "write:audit_logs"])
}

test_execute_wildcard_denied_at_its_index if {
	ds := policy.deny with input as agents(["read:metrics", "execute:*", "write:audit_logs"])
	count(ds) == 1
	some d in ds
	d.path == ["agents", 0, "permissions", 1]
	contains(d.msg, "'execute:*'")
}

test_bare_and_verb_wildcards_denied if {
	count(policy.deny) == 2 with input as agents(["*", "*:metrics"])
}

test_no_agents_nothing_to_judge if {
	count(policy.deny) == 0 with input as {"agents": []}
}
